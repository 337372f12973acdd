// The vocabulary of a QMP command: its answer (a value or an error of one
// of QMP's error classes), its argument declaration and the arguments it is
// handed once they are checked.
//
// QMP (QEMU's docs/interop/qmp-spec) answers every command with
// {"return": VALUE} or {"error": {"class": CLASS, "desc": TEXT}}. Clients
// branch on the class, so the classes are QEMU's: GenericError for nearly
// everything, CommandNotFound, DeviceNotFound. Plain values; no threads.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tapvm::qmp {

using Json = nlohmann::ordered_json;  // members in the order written, as QEMU sends them

struct QmpError {
  std::string cls;  // "GenericError", "CommandNotFound", "DeviceNotFound"
  std::string desc;

  static QmpError Generic(std::string desc) { return {"GenericError", std::move(desc)}; }
  static QmpError CommandNotFound(std::string desc) { return {"CommandNotFound", std::move(desc)}; }
  static QmpError DeviceNotFound(std::string desc) { return {"DeviceNotFound", std::move(desc)}; }
};

// What a command handler answers: a return value or an error.
class QmpResult {
 public:
  QmpResult(Json value) : value_(std::move(value)) {}  // NOLINT: a value converts
  QmpResult(QmpError error) : error_(std::move(error)) {}  // NOLINT: so does an error
  static QmpResult Empty() { return QmpResult(Json::object()); }

  bool ok() const { return !error_.has_value(); }
  const Json& value() const { return value_; }
  const QmpError& error() const { return *error_; }

 private:
  Json value_;
  std::optional<QmpError> error_;
};

// The JSON types a QMP argument may be declared with (QAPI's str, int,
// bool). Integers are QAPI's int: a JSON integer within int64.
enum class ArgType { kString, kInt, kBool };

struct ArgSpec {
  std::string name;
  ArgType type;
  bool required;
};

// A command's arguments after the dispatcher checked them against the
// command's ArgSpecs: every getter returns the value (of the declared
// type) or nothing when the optional argument was left out.
class QmpArgs {
 public:
  explicit QmpArgs(const Json& args) : args_(args) {}
  bool has(const std::string& name) const { return args_.contains(name); }
  std::optional<std::string> str(const std::string& name) const;
  std::optional<int64_t> integer(const std::string& name) const;
  std::optional<bool> boolean(const std::string& name) const;

 private:
  const Json& args_;
};

// True when `v` is a QAPI int (a JSON integer in int64's range).
bool IsQapiInt(const Json& v);

}  // namespace tapvm::qmp
