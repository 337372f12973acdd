// QmpDispatcher: the command table of a QMP server and the rules every
// request goes through before a command runs (QEMU's docs/interop/qmp-spec).
//
// A request is a JSON object {"execute": NAME, "arguments": {...}, "id": ANY}.
// Dispatch answers it with {"return": ...} or {"error": {...}}, `id` echoed
// whatever it holds. Before a client has sent `qmp_capabilities`
// (capabilities negotiation mode) every other command is refused with
// CommandNotFound, as QEMU does. Arguments are checked against the
// command's declaration (missing, unexpected, wrong type: GenericError with
// QEMU's wording) before its handler sees them, so a handler only ever gets
// well-typed arguments.
//
// Built in: qmp_capabilities, query-commands, query-version. Commands are
// registered before the server starts; after that Dispatch may be called
// from any thread (one client session at a time; handlers must be
// thread-safe if several threads dispatch). A handler that throws answers
// GenericError: a request never ends the process.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tools/qmp/qmp_protocol.h"

namespace tapvm::qmp {

class QmpDispatcher {
 public:
  using Handler = std::function<QmpResult(const QmpArgs& args)>;

  // `version`: what query-version answers and the greeting carries, QEMU's
  // shape: {"qemu": {"major", "minor", "micro"}, "package": "..."}.
  explicit QmpDispatcher(Json version);

  void Register(std::string name, std::vector<ArgSpec> args, Handler handler);

  // One client's protocol state.
  struct Session {
    bool negotiated = false;
  };
  // Answers one parsed request.
  Json Dispatch(const Json& request, Session* session) const;
  // The answer to text that was not JSON (no id can be echoed).
  static Json ParseError(const std::string& detail);
  // {"QMP": {"version": ..., "capabilities": []}}.
  Json Greeting() const;

  std::vector<std::string> CommandNames() const;

 private:
  struct Command {
    std::vector<ArgSpec> args;
    Handler handler;
  };
  QmpResult Negotiate(const Json& args, Session* session) const;
  static std::optional<QmpError> CheckArgs(const std::vector<ArgSpec>& specs, const Json& args);

  Json version_;
  std::map<std::string, Command> commands_;
};

// {"error": {"class": ..., "desc": ...}}.
Json ErrorResponse(const QmpError& error);

}  // namespace tapvm::qmp
