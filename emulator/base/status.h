// Status: the result of an operation that may fail at a module boundary.
//
// Modelled on LevelDB's Status: a small value, OK or a code with a readable
// message. No exception crosses a folder boundary in tapvm; functions that can
// fail on bad input (a malformed ELF, a bad journal, a bad command line)
// return a Status, and callers decide how to report it.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace tapvm {

class Status {
 public:
  enum class Code { kOk, kNotFound, kCorruption, kInvalidArgument, kIOError, kNotSupported, kOutOfRange };

  Status() = default;

  static Status Ok() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status InvalidArgument(std::string_view msg) { return Status(Code::kInvalidArgument, msg); }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  static Status NotSupported(std::string_view msg) { return Status(Code::kNotSupported, msg); }
  static Status OutOfRange(std::string_view msg) { return Status(Code::kOutOfRange, msg); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // The same status with `prefix` put before its message (OK stays OK).
  Status WithPrefix(std::string_view prefix) const {
    return ok() ? *this : Status(code_, std::string(prefix) + message_);
  }

  // "Corruption: journal record 12 checksum mismatch" and the like.
  std::string ToString() const;

 private:
  Status(Code code, std::string_view msg) : code_(code), message_(msg) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// Returns early from the enclosing function when `expr` is not OK.
#define TAPVM_RETURN_IF_ERROR(expr)        \
  do {                                     \
    ::tapvm::Status _st = (expr);          \
    if (!_st.ok()) return _st;             \
  } while (0)

}  // namespace tapvm
