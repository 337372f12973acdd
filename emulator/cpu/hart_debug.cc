// Hart: what a debugger needs of it (hart.h, "debugger access"): the run
// loop that asks a DebugHook at every instruction boundary, and access to
// memory and CSRs that leaves no trace in the machine.
#include <cstring>

#include "emulator/cpu/hart_engine_access.h"

namespace tapvm {

void Hart::set_debug_hook(DebugHook* hook) {
  debug_hook_ = hook;
  if (hook && !step_engine_) step_engine_ = MakeEngine(EngineKind::kInterpreter, HartEngineAccess(this));
}

// Hart::Run's loop, one boundary per step. The differences, and why they
// change no result:
// - An interrupt's entry is a boundary of its own (the loop goes round
//   again before the handler's first instruction). Taking an interrupt
//   disables every interrupt that could be taken next (MIE or SIE cleared,
//   or a lower level), so checking again at once finds none, as the normal
//   loop, which does not check, assumes.
// - One instruction per slice: slices end at every event that changes
//   interrupt state, so the extra slice starts find nothing new either.
// - The interpreter runs the steps; every engine gives the same results.
StopReason Hart::RunDebug(uint64_t icount_limit) {
  stop_requested_ = false;
  uint64_t idle_slices = 0;
  while (true) {
    if (stop_requested_) return StopReason::kDeviceRequest;
    if (s_.icount >= icount_limit) return StopReason::kLimit;
    UpdateTimers();
    const int irq = PendingInterrupt();
    if (irq >= 0) {
      if (debug_hook_->StopAt(s_, false)) return StopReason::kDebug;
      s_.waiting = 0;
      TakeTrap(static_cast<uint64_t>(irq), true, 0);
      continue;
    }
    if (s_.waiting) {
      if (!(EffectiveMip() & s_.mie)) return debug_hook_->StopAt(s_, false) ? StopReason::kDebug : StopReason::kIdle;
      s_.waiting = 0;
    }
    if (debug_hook_->StopAt(s_, true)) return StopReason::kDebug;
    const uint64_t before = s_.icount;
    if (TriggersLive()) {
      slice_trapped_ = RunWatched(1) == SliceEnd::kTrap;  // a guest trigger may fire here
    } else if (!config_.break_insn.empty()) {
      StepWithBreak();  // on the configured engine, one instruction: the same
    } else {
      slice_trapped_ = step_engine_->RunSlice(1) == SliceEnd::kTrap;
    }
    if (!slice_trapped_ && stop_check_ && stop_check_()) return StopReason::kDeviceRequest;
    if (s_.icount == before && !s_.waiting) {
      if (++idle_slices > 100000) return StopReason::kStuck;
    } else {
      idle_slices = 0;
    }
  }
}

// WalkPageTable without its side effects and permission checks: the
// same levels, the same validity and reserved-bit rules, no A/D update.
bool Hart::DebugTranslate(uint64_t va, uint64_t* pa, bool fetch) const {
  const Priv priv = fetch ? s_.priv : DataPriv();
  const uint64_t mode = s_.satp >> 60;
  if (priv == Priv::kM || mode == 0) {
    *pa = va;
    return true;
  }
  const int levels = mode == 8 ? 3 : 4;
  const int va_bits = 12 + 9 * levels;
  const int64_t sva = static_cast<int64_t>(va);
  if ((sva << (64 - va_bits)) >> (64 - va_bits) != sva) return false;
  uint64_t table = (s_.satp & ((1ull << 44) - 1)) << 12;
  for (int level = levels - 1; level >= 0; --level) {
    const uint64_t pte_addr = table + ((va >> (12 + 9 * level)) & 511) * 8;
    const uint8_t* host = bus_->HostPtr(pte_addr, 8);
    if (!host) return false;
    uint64_t pte;
    std::memcpy(&pte, host, 8);
    constexpr uint64_t kV = 1, kR = 2, kW = 4, kX = 8;
    if (!(pte & kV) || (!(pte & kR) && (pte & kW)) || (pte >> 54)) return false;
    const uint64_t ppn = (pte >> 10) & ((1ull << 44) - 1);
    if (!(pte & (kR | kX))) {
      if (level == 0) return false;
      table = ppn << 12;
      continue;
    }
    const uint64_t low_mask = (1ull << (9 * level)) - 1;
    if (ppn & low_mask) return false;
    *pa = ((ppn & ~low_mask) << 12) | (va & ((1ull << (12 + 9 * level)) - 1));
    return true;
  }
  return false;
}

bool Hart::DebugReadVirt(uint64_t va, void* out, unsigned len, bool fetch) const {
  auto* bytes = static_cast<uint8_t*>(out);
  for (unsigned i = 0; i < len; ++i) {
    uint64_t pa;
    if (!DebugTranslate(va + i, &pa, fetch)) return false;
    const uint8_t* host = bus_->HostPtr(pa, 1);
    if (!host) return false;
    bytes[i] = *host;
  }
  return true;
}

bool Hart::DebugWriteVirt(uint64_t va, const void* in, unsigned len) {
  const auto* bytes = static_cast<const uint8_t*>(in);
  // Every byte checked first, so a refused write writes nothing.
  for (unsigned i = 0; i < len; ++i) {
    uint64_t pa;
    if (!DebugTranslate(va + i, &pa)) return false;
    const Bus::MemoryRegion* r = bus_->FindMemory(pa, 1);
    if (!r || !r->writable()) return false;
  }
  for (unsigned i = 0; i < len; ++i) {
    uint64_t pa = 0;
    DebugTranslate(va + i, &pa);
    *bus_->HostPtrForWrite(pa, 1) = bytes[i];
  }
  DropDecodedPages();
  return true;
}

bool Hart::DebugReadCsr(unsigned csr, uint64_t* value) {
  // CsrRead checks the privilege: read as M-mode. (The FP CSRs also need
  // FS on; a debugger reads fflags and frm from the state instead.)
  const Priv priv = s_.priv;
  s_.priv = Priv::kM;
  const bool ok = CsrRead(csr, value);
  s_.priv = priv;
  return ok;
}

bool Hart::DebugWriteCsr(unsigned csr, uint64_t value) {
  const Priv priv = s_.priv;
  s_.priv = Priv::kM;
  const bool ok = CsrWrite(csr, value);
  s_.priv = priv;
  FlushCaches();  // the translation may have changed under another privilege
  return ok;
}

}  // namespace tapvm
