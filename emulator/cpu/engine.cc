// The engines a HartConfig can name.
#include "emulator/cpu/engine.h"

#include "emulator/cpu/interpreter.h"

namespace tapvm {

std::string_view EngineKindName(EngineKind kind) {
  switch (kind) {
    case EngineKind::kInterpreter: return "interpreter";
  }
  return "?";
}

std::unique_ptr<ExecutionEngine> MakeEngine(EngineKind kind, HartEngineAccess hart) {
  switch (kind) {
    case EngineKind::kInterpreter: break;
  }
  return std::make_unique<Interpreter>(hart);
}

}  // namespace tapvm
