#include "tools/qmp/qmp_dispatcher.h"

#include <exception>
#include <limits>

namespace tapvm::qmp {

bool IsQapiInt(const Json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  return v.is_number_integer();
}

std::optional<std::string> QmpArgs::str(const std::string& name) const {
  auto it = args_.find(name);
  if (it == args_.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<int64_t> QmpArgs::integer(const std::string& name) const {
  auto it = args_.find(name);
  if (it == args_.end() || !IsQapiInt(*it)) return std::nullopt;
  return it->get<int64_t>();
}

std::optional<bool> QmpArgs::boolean(const std::string& name) const {
  auto it = args_.find(name);
  if (it == args_.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

Json ErrorResponse(const QmpError& error) {
  return Json{{"error", {{"class", error.cls}, {"desc", error.desc}}}};
}

QmpDispatcher::QmpDispatcher(Json version) : version_(std::move(version)) {
  Register("query-version", {}, [this](const QmpArgs&) { return QmpResult(version_); });
  Register("query-commands", {}, [this](const QmpArgs&) {
    Json list = Json::array();
    for (const std::string& name : CommandNames()) list.push_back(Json{{"name", name}});
    return QmpResult(list);
  });
}

void QmpDispatcher::Register(std::string name, std::vector<ArgSpec> args, Handler handler) {
  commands_[std::move(name)] = Command{std::move(args), std::move(handler)};
}

std::vector<std::string> QmpDispatcher::CommandNames() const {
  std::vector<std::string> names{"qmp_capabilities"};
  for (const auto& [name, command] : commands_) names.push_back(name);
  return names;
}

Json QmpDispatcher::Greeting() const {
  return Json{{"QMP", {{"version", version_}, {"capabilities", Json::array()}}}};
}

Json QmpDispatcher::ParseError(const std::string& detail) {
  return ErrorResponse(QmpError::Generic("JSON parse error, " + detail));
}

namespace {

const char* TypeName(ArgType t) {
  switch (t) {
    case ArgType::kString: return "string";
    case ArgType::kInt: return "integer";
    case ArgType::kBool: return "boolean";
  }
  return "?";
}

bool HasType(const Json& v, ArgType t) {
  switch (t) {
    case ArgType::kString: return v.is_string();
    case ArgType::kInt: return IsQapiInt(v);
    case ArgType::kBool: return v.is_boolean();
  }
  return false;
}

}  // namespace

std::optional<QmpError> QmpDispatcher::CheckArgs(const std::vector<ArgSpec>& specs, const Json& args) {
  for (const ArgSpec& spec : specs) {
    auto it = args.find(spec.name);
    if (it == args.end()) {
      if (spec.required) return QmpError::Generic("Parameter '" + spec.name + "' is missing");
      continue;
    }
    if (!HasType(*it, spec.type))
      return QmpError::Generic("Invalid parameter type for '" + spec.name + "', expected: " + TypeName(spec.type));
  }
  for (const auto& [key, value] : args.items()) {
    bool known = false;
    for (const ArgSpec& spec : specs) known = known || spec.name == key;
    if (!known) return QmpError::Generic("Parameter '" + key + "' is unexpected");
  }
  return std::nullopt;
}

QmpResult QmpDispatcher::Negotiate(const Json& args, Session* session) const {
  for (const auto& [key, value] : args.items())
    if (key != "enable") return QmpError::Generic("Parameter '" + key + "' is unexpected");
  if (args.contains("enable")) {
    const Json& enable = args["enable"];
    if (!enable.is_array()) return QmpError::Generic("Invalid parameter type for 'enable', expected: array");
    for (const Json& cap : enable) {
      if (!cap.is_string()) return QmpError::Generic("Invalid parameter type for 'enable', expected: string");
      // The one capability QMP defines; this server has no out-of-band
      // execution.
      if (cap.get<std::string>() == "oob") return QmpError::Generic("Capability 'oob' not available");
      return QmpError::Generic("Parameter 'enable' does not accept value '" + cap.get<std::string>() + "'");
    }
  }
  session->negotiated = true;
  return QmpResult::Empty();
}

Json QmpDispatcher::Dispatch(const Json& request, Session* session) const {
  if (!request.is_object()) return ErrorResponse(QmpError::Generic("QMP input must be a JSON object"));
  QmpResult result = QmpResult::Empty();
  const Json* name = nullptr;
  const Json* args = nullptr;
  static const Json kNoArgs = Json::object();
  for (const auto& [key, value] : request.items()) {
    if (key == "execute") {
      name = &value;
    } else if (key == "arguments") {
      args = &value;
    } else if (key != "id") {
      result = QmpError::Generic("QMP input member '" + key + "' is unexpected");
      break;
    }
  }
  if (result.ok()) {
    if (name == nullptr) {
      result = QmpError::Generic("QMP input lacks member 'execute'");
    } else if (!name->is_string()) {
      result = QmpError::Generic("QMP input member 'execute' must be a string");
    } else if (args != nullptr && !args->is_object()) {
      result = QmpError::Generic("QMP input member 'arguments' must be an object");
    }
  }
  if (result.ok()) {
    const std::string& command = name->get_ref<const std::string&>();
    const Json& a = args ? *args : kNoArgs;
    if (command == "qmp_capabilities") {
      result = session->negotiated
                   ? QmpResult(QmpError::CommandNotFound("Capabilities negotiation is already complete, command ignored"))
                   : Negotiate(a, session);
    } else if (!session->negotiated) {
      result = QmpError::CommandNotFound("Expecting capabilities negotiation with 'qmp_capabilities'");
    } else if (auto it = commands_.find(command); it == commands_.end()) {
      result = QmpError::CommandNotFound("The command " + command + " has not been found");
    } else if (auto bad = CheckArgs(it->second.args, a)) {
      result = *bad;
    } else {
      try {
        result = it->second.handler(QmpArgs(a));
      } catch (const std::exception& e) {
        result = QmpError::Generic(std::string("internal error: ") + e.what());
      }
    }
  }
  Json response = result.ok() ? Json{{"return", result.value()}} : ErrorResponse(result.error());
  if (auto id = request.find("id"); id != request.end()) response["id"] = *id;
  return response;
}

}  // namespace tapvm::qmp
