// Hart: reset, the run loop around the execution engine, traps and interrupts.
#include "emulator/cpu/hart.h"

#include <algorithm>
#include <cstring>

#include "emulator/base/state_hasher.h"
#include "emulator/cpu/hart_engine_access.h"
#include "emulator/cpu/triggers.h"

namespace tapvm {

namespace {
// misa: MXL=2 (64-bit) and extensions A, C, D, F, I, M, S, U.
constexpr uint64_t kMisa = (2ull << 62) | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) |
                           (1 << 18) | (1 << 20);
// A slice is bounded so the machine regains control regularly (HTIF polling,
// input delivery) even when the guest never touches a device.
constexpr uint64_t kMaxSlice = 1 << 20;
// Interrupt priority: M external, software, timer, then S the same.
constexpr int kIrqOrder[] = {11, 3, 7, 9, 1, 5};
}  // namespace

Hart::Hart(Bus* bus, const HartConfig& config) : config_(config), bus_(bus) {
  // First: Reset drops caches, which the engine hears about.
  engine_ = MakeEngine(config_.engine, HartEngineAccess(this));
  Reset();
}

Hart::~Hart() = default;

void Hart::InstallEngine(const EngineFactory& make) { engine_ = make(HartEngineAccess(this)); }

void Hart::Reset() {
  s_ = HartState{};
  s_.pc = config_.reset_pc;
  s_.priv = Priv::kM;
  s_.misa = kMisa;
  s_.mstatus = (2ull << 32) | (2ull << 34);  // UXL = SXL = 64-bit
  s_.x[10] = config_.hartid;
  sdtrig::ResetTriggers(&s_);
  FlushCaches();  // derives the PMP spans and trigger modes too
}

uint64_t Hart::StateDigest() const {
  StateHasher h;
  auto add = [&h](const char*, auto value) { h.Add(value); };
  VisitCoreHartState(s_, add);
  // Digest version 3 predates the trigger module: its fields join the
  // digest once they differ from reset. Every state a tapvm without
  // triggers could reach digests as it did, so version-3 journals verify.
  if (!sdtrig::TriggersAtReset(s_)) VisitTriggerState(s_, add);
  return h.Digest();
}

namespace {
// How many fields VisitHartState walks: a saved hart of another shape is
// another format. A hart saved before the trigger module (the core fields
// only) loads with the triggers at reset.
uint32_t HartFieldCount() {
  HartState s{};
  uint32_t n = 0;
  VisitHartState(s, [&n](const char*, auto) { ++n; });
  return n;
}
uint32_t CoreFieldCount() {
  HartState s{};
  uint32_t n = 0;
  VisitCoreHartState(s, [&n](const char*, auto) { ++n; });
  return n;
}
}  // namespace

void Hart::SaveState(StateWriter& w) const {
  w.Put(HartFieldCount());
  VisitHartState(s_, [&w](const char*, auto value) { w.Put(static_cast<uint64_t>(value)); });
}

Status Hart::LoadState(StateReader& r) {
  const uint32_t n = r.Get<uint32_t>();
  if (r.ok() && n != HartFieldCount() && n != CoreFieldCount())
    r.Fail("a hart of " + std::to_string(n) + " fields, not " + std::to_string(HartFieldCount()));
  HartState s{};
  sdtrig::ResetTriggers(&s);
  auto get = [&r](const char*, auto& field) {
    field = static_cast<std::remove_reference_t<decltype(field)>>(r.Get<uint64_t>());
  };
  VisitCoreHartState(s, get);
  if (n == HartFieldCount()) VisitTriggerState(s, get);
  if (!r.ok()) return r.status();
  if (s.priv != Priv::kU && s.priv != Priv::kS && s.priv != Priv::kM) r.Fail("privilege level is invalid");
  if (s.x[0] != 0) r.Fail("x0 is not zero");
  if (s.frm > 7 || s.fflags > 31) r.Fail("frm or fflags out of range");
  if (s.waiting > 1 || s.reservation_valid > 1) r.Fail("waiting or reservation_valid is not 0 or 1");
  if (s.tselect >= sdtrig::kTriggers || (s.tcontrol & ~(sdtrig::kMte | sdtrig::kMpte)))
    r.Fail("tselect or tcontrol out of range");
  for (uint64_t t : s.tdata1)
    if (sdtrig::LegalizeTdata1(t) != t) r.Fail("a tdata1 value no trigger can hold");
  if (!r.ok()) return r.status();
  s_ = s;
  FlushCaches();  // derives the PMP spans and trigger modes too
  return Status::Ok();
}

void Hart::SetInterruptLine(uint64_t mip_bits, bool level) {
  s_.mip_lines = level ? (s_.mip_lines | mip_bits) : (s_.mip_lines & ~mip_bits);
}

int Hart::PendingInterrupt() const {
  uint64_t pending = EffectiveMip() & s_.mie;
  if (!pending) return -1;
  bool m_enabled = s_.priv != Priv::kM || (s_.mstatus & mstatus::kMIE);
  bool s_enabled = s_.priv == Priv::kU || (s_.priv == Priv::kS && (s_.mstatus & mstatus::kSIE));
  uint64_t m_pending = m_enabled ? pending & ~s_.mideleg : 0;
  uint64_t s_pending = s_enabled ? pending & s_.mideleg : 0;
  for (int irq : kIrqOrder)
    if (m_pending & (1ull << irq)) return irq;
  for (int irq : kIrqOrder)
    if (s_pending & (1ull << irq)) return irq;
  return -1;
}

void Hart::TakeTrap(uint64_t cause, bool interrupt, uint64_t tval) {
  ++s_.traps;
  s_.reservation_valid = 0;
  s_.reservation_pa = 0;
  uint64_t deleg = interrupt ? s_.mideleg : s_.medeleg;
  uint64_t mcause = cause | (interrupt ? 1ull << 63 : 0);
  if (s_.priv != Priv::kM && ((deleg >> cause) & 1)) {
    s_.scause = mcause;
    s_.sepc = s_.pc;
    s_.stval = tval;
    uint64_t m = s_.mstatus;
    m = (m & ~mstatus::kSPIE) | ((m & mstatus::kSIE) ? mstatus::kSPIE : 0);
    m &= ~mstatus::kSIE;
    m = (m & ~mstatus::kSPP) | (s_.priv == Priv::kS ? mstatus::kSPP : 0);
    s_.mstatus = m;
    s_.priv = Priv::kS;
    uint64_t base = s_.stvec & ~3ull;
    s_.pc = (interrupt && (s_.stvec & 3) == 1) ? base + 4 * cause : base;
  } else {
    s_.mcause = mcause;
    s_.mepc = s_.pc;
    s_.mtval = tval;
    // Sdtrig: M-mode triggers off in the handler (mpte = mte, mte = 0).
    s_.tcontrol = (s_.tcontrol & sdtrig::kMte) ? sdtrig::kMpte : 0;
    uint64_t m = s_.mstatus;
    m = (m & ~mstatus::kMPIE) | ((m & mstatus::kMIE) ? mstatus::kMPIE : 0);
    m &= ~mstatus::kMIE;
    m = (m & ~mstatus::kMPP) | (static_cast<uint64_t>(s_.priv) << mstatus::kMPPShift);
    s_.mstatus = m;
    s_.priv = Priv::kM;
    uint64_t base = s_.mtvec & ~3ull;
    s_.pc = (interrupt && (s_.mtvec & 3) == 1) ? base + 4 * cause : base;
  }
  UpdateTlbPointers();
}

void Hart::RaiseException(Exc cause, uint64_t tval) { TakeTrap(static_cast<uint64_t>(cause), false, tval); }

void Hart::ExecMret() {
  uint64_t m = s_.mstatus;
  Priv target = static_cast<Priv>((m & mstatus::kMPP) >> mstatus::kMPPShift);
  m = (m & ~mstatus::kMIE) | ((m & mstatus::kMPIE) ? mstatus::kMIE : 0);
  m |= mstatus::kMPIE;
  m &= ~mstatus::kMPP;  // least-privileged mode: U
  if (target != Priv::kM) m &= ~mstatus::kMPRV;
  s_.mstatus = m;
  if (s_.tcontrol & sdtrig::kMpte) s_.tcontrol |= sdtrig::kMte;  // Sdtrig: mte = mpte
  else s_.tcontrol &= ~sdtrig::kMte;
  s_.priv = target;
  s_.pc = s_.mepc;
  UpdateTlbPointers();
}

void Hart::ExecSret() {
  uint64_t m = s_.mstatus;
  Priv target = (m & mstatus::kSPP) ? Priv::kS : Priv::kU;
  m = (m & ~mstatus::kSIE) | ((m & mstatus::kSPIE) ? mstatus::kSIE : 0);
  m |= mstatus::kSPIE;
  m &= ~mstatus::kSPP;
  m &= ~mstatus::kMPRV;
  s_.mstatus = m;
  s_.priv = target;
  s_.pc = s_.sepc;
  UpdateTlbPointers();
}

void Hart::UpdateTimers() {
  if (timed_.empty()) return;
  uint64_t now = Mtime();
  for (TimedDevice* t : timed_) t->Tick(now);
}

uint64_t Hart::SliceBudget(uint64_t icount_limit) const {
  uint64_t budget = std::min(icount_limit - s_.icount, kMaxSlice);
  uint64_t now = Mtime();
  for (const TimedDevice* t : timed_) {
    uint64_t deadline = t->NextDeadline(now);
    if (deadline == UINT64_MAX || deadline > (UINT64_MAX >> config_.time_shift)) continue;
    uint64_t at = deadline << config_.time_shift;  // in icount + idle_warp units
    uint64_t vnow = s_.icount + s_.idle_warp;
    if (at > vnow) budget = std::min(budget, at - vnow);
  }
  return budget;
}

uint64_t Hart::NextTimerDeadline() const {
  uint64_t now = Mtime(), deadline = UINT64_MAX;
  for (const TimedDevice* t : timed_) deadline = std::min(deadline, t->NextDeadline(now));
  return deadline;
}

void Hart::WarpTo(uint64_t mtime) {
  if (mtime > (UINT64_MAX >> config_.time_shift)) return;
  uint64_t at = mtime << config_.time_shift, vnow = s_.icount + s_.idle_warp;
  if (at > vnow) s_.idle_warp += at - vnow;
}

StopReason Hart::Run(uint64_t icount_limit) {
  if (debug_hook_) return RunDebug(icount_limit);
  stop_requested_ = false;
  uint64_t idle_slices = 0;
  while (true) {
    if (stop_requested_) return StopReason::kDeviceRequest;
    if (s_.icount >= icount_limit) return StopReason::kLimit;
    UpdateTimers();
    int irq = PendingInterrupt();
    if (irq >= 0) {
      s_.waiting = 0;
      TakeTrap(static_cast<uint64_t>(irq), true, 0);
    } else if (s_.waiting) {
      // WFI wakes on any pending enabled interrupt, even if globally disabled.
      if (!(EffectiveMip() & s_.mie)) return StopReason::kIdle;
      s_.waiting = 0;
    }
    uint64_t before = s_.icount;
    if (TAPVM_UNLIKELY(trigger_modes_ != 0) && TriggersLive()) {
      // A guest trigger can fire: every instruction is checked (slow, exact).
      slice_trapped_ = RunWatched(config_.break_insn.empty() ? SliceBudget(icount_limit) : 1) == SliceEnd::kTrap;
    } else if (!config_.break_insn.empty()) {
      StepWithBreak();
    } else {
      slice_trapped_ = engine_->RunSlice(SliceBudget(icount_limit)) == SliceEnd::kTrap;
    }
    // Never stop right after an exception: icount does not count traps, so
    // "after the trap at instruction N" could not be found again by a
    // replay, which stops before executing N. Stopping only after retired
    // instructions keeps every stop (and so every input delivery) at a
    // point a replay reaches exactly.
    if (!slice_trapped_ && stop_check_ && stop_check_()) return StopReason::kDeviceRequest;
    // A guest that only traps (a fault at its own trap vector) retires
    // nothing; it is stuck, not running.
    if (s_.icount == before && !s_.waiting) {
      if (++idle_slices > 100000) return StopReason::kStuck;
    } else {
      idle_slices = 0;
    }
  }
}

}  // namespace tapvm
