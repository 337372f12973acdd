// Interpreter: the default execution engine (engine.h). A direct-threaded
// loop over the hart's decoded pages, one computed goto per instruction
// (interpreter.cc).
//
// It keeps no cache of its own: the decoded pages and TLBs it runs from
// belong to the Hart, which drops them itself, so the cache hooks of
// ExecutionEngine are no-ops here. Another engine may run it for a few
// instructions at a time (a budget tail shorter than a translated block):
// RunSlice(n) returns kEvent when the last instruction ends the slice.
#pragma once

#include <cstdint>
#include <string_view>

#include "emulator/cpu/engine.h"
#include "emulator/cpu/hart_engine_access.h"

namespace tapvm {

class Interpreter final : public ExecutionEngine {
 public:
  explicit Interpreter(HartEngineAccess hart) : hart_(hart) {}

  std::string_view name() const override { return EngineKindName(EngineKind::kInterpreter); }
  SliceEnd RunSlice(uint64_t budget) override;

 private:
  HartEngineAccess hart_;
};

}  // namespace tapvm
