// The engines a HartConfig can name.
#include "emulator/cpu/engine.h"

#include "emulator/cpu/interpreter.h"
#include "emulator/cpu/jit/jit_engine.h"

namespace tapvm {

std::string_view EngineKindName(EngineKind kind) {
  switch (kind) {
    case EngineKind::kInterpreter: return "interpreter";
    case EngineKind::kJit: return "jit";
  }
  return "?";
}

bool ParseEngineKind(std::string_view name, EngineKind* out) {
  if (name == "interpreter" || name == "interp") {
    *out = EngineKind::kInterpreter;
  } else if (name == "jit") {
    *out = EngineKind::kJit;
  } else {
    return false;
  }
  return true;
}

std::unique_ptr<ExecutionEngine> MakeEngine(EngineKind kind, HartEngineAccess hart) {
  switch (kind) {
    case EngineKind::kInterpreter: break;
    case EngineKind::kJit:
      return std::make_unique<jit::JitEngine>(hart, size_t{hart.config().jit_cache_mb} << 20,
                                              hart.config().jit_hot_after);
  }
  return std::make_unique<Interpreter>(hart);
}

}  // namespace tapvm
