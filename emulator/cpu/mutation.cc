// Deliberately wrong execution of one instruction (HartConfig::break_insn),
// used to show that each ISA test program is able to fail. Runs one
// instruction at a time, so it costs nothing when not enabled.
#include "emulator/cpu/hart_inl.h"

namespace tapvm {

void Hart::StepWithBreak() {
  const uint64_t pc = s_.pc;
  const uint64_t icount = s_.icount;
  // Decode what is about to execute with the same checks as a real fetch; on
  // a fetch fault just run, and the fault is taken as usual.
  DecodeCrossPage(pc);
  DecodedInsn di = cross_page_[0];
  bool broken = di.op != Op::PAGE_END && Mnemonic(di.raw) == config_.break_insn;
  if (!broken) {
    slice_trapped_ = engine_->RunSlice(1) == SliceEnd::kTrap;
    return;
  }
  BreakKind kind = OpBreakKind(di.op);
  if (kind == BreakKind::O) {  // skipped: retires without effect
    s_.pc = pc + di.len;
    s_.icount = icount + 1;
    return;
  }
  uint64_t store_addr = s_.x[di.rs1] + static_cast<int64_t>(di.imm);
  slice_trapped_ = engine_->RunSlice(1) == SliceEnd::kTrap;
  if (s_.icount != icount + 1) return;  // it trapped: nothing retired to corrupt
  switch (kind) {
    case BreakKind::I: s_.x[di.rd] ^= 1; s_.x[32] = 0; s_.x[0] = 0; break;
    case BreakKind::F: s_.f[di.rd] ^= 1; break;
    case BreakKind::B: {
      uint64_t fall_through = pc + di.len;
      s_.pc = s_.pc == fall_through ? pc + static_cast<int64_t>(di.imm) : fall_through;
      break;
    }
    case BreakKind::S: {
      uint64_t byte = 0;
      if (LoadSlow(store_addr, 1, &byte) != 0) StoreSlow(store_addr, 1, byte ^ 1);
      break;
    }
    case BreakKind::O: break;
  }
}

}  // namespace tapvm
