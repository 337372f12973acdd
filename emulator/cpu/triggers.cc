// The Sdtrig trigger module (triggers.h): WARL rules and matching, the
// trigger CSRs, and the hart's watched run, which checks the triggers at
// every instruction while one of them can fire.
#include "emulator/cpu/triggers.h"

#include "emulator/cpu/hart_engine_access.h"

namespace tapvm {

namespace sdtrig {

namespace {
// The match values this hart implements: equal, >=, <, mask low, mask
// high, and the negations (bit 3) of equal and of the masks.
bool MatchSupported(uint64_t match) {
  switch (match) {
    case 0: case 2: case 3: case 4: case 5: case 8: case 12: case 13: return true;
  }
  return false;
}

// One compare value against tdata2 under a match value without its
// negation bit.
bool Compare(uint64_t base_match, uint64_t tdata2, uint64_t value) {
  const uint64_t lo = tdata2 & 0xffffffffull, mask = tdata2 >> 32;
  switch (base_match) {
    case 0: return value == tdata2;
    case 2: return value >= tdata2;
    case 3: return value < tdata2;
    case 4: return ((value & 0xffffffffull) & mask) == lo;
    case 5: return ((value >> 32) & mask) == lo;
  }
  return false;
}
}  // namespace

uint64_t LegalizeTdata1(uint64_t v) {
  if ((v >> 60) != 2) return kTdata1Reset;
  constexpr uint64_t kWatch = kExecute | kStore | kLoad;
  uint64_t out = kType2 | (v & (kHit | kMatch | kM | kS | kU | kWatch));
  const uint64_t match = (v & kMatch) >> kMatchShift;
  // What cannot be honoured with the same meaning disables the trigger.
  if ((v & (kSelect | kAction | kChain)) || !MatchSupported(match)) out &= ~(kWatch | kMatch);
  return out;  // timing, size, dmode, maskmax: 0
}

unsigned WatchedModes(uint64_t tdata1) {
  if (!(tdata1 & (kExecute | kStore | kLoad))) return 0;
  return ((tdata1 & kU) ? 1u << 0 : 0) | ((tdata1 & kS) ? 1u << 1 : 0) | ((tdata1 & kM) ? 1u << 3 : 0);
}

bool Matches(uint64_t tdata1, uint64_t tdata2, uint64_t va, unsigned len, uint64_t* hit) {
  const uint64_t match = (tdata1 & kMatch) >> kMatchShift;
  const bool negated = match & 8;
  bool any = false;
  for (unsigned k = 0; k < len && !any; ++k) {
    if (Compare(match & 7, tdata2, va + k)) {
      any = true;
      *hit = va + k;
    }
  }
  if (negated) {
    *hit = va;
    return !any;
  }
  return any;
}

void ResetTriggers(HartState* s) {
  s->tselect = 0;
  s->tcontrol = 0;
  for (auto& t : s->tdata1) t = kTdata1Reset;
  for (auto& t : s->tdata2) t = 0;
}

bool TriggersAtReset(const HartState& s) {
  if (s.tselect != 0 || s.tcontrol != 0) return false;
  for (unsigned i = 0; i < kTriggers; ++i)
    if (s.tdata1[i] != kTdata1Reset || s.tdata2[i] != 0) return false;
  return true;
}

}  // namespace sdtrig

using namespace sdtrig;

namespace {
// The memory access an instruction makes, for load and store triggers.
struct AccessShape {
  unsigned size = 0;  // 0: no memory access
  bool load = false, store = false, fp = false;
};

AccessShape ShapeOf(Op op) {
  switch (op) {
    case Op::LB: case Op::LBU: return {1, true, false, false};
    case Op::LH: case Op::LHU: return {2, true, false, false};
    case Op::LW: case Op::LWU: return {4, true, false, false};
    case Op::LD: return {8, true, false, false};
    case Op::SB: return {1, false, true, false};
    case Op::SH: return {2, false, true, false};
    case Op::SW: return {4, false, true, false};
    case Op::SD: return {8, false, true, false};
    case Op::FLW: return {4, true, false, true};
    case Op::FLD: return {8, true, false, true};
    case Op::FSW: return {4, false, true, true};
    case Op::FSD: return {8, false, true, true};
    case Op::LR_W: return {4, true, false, false};
    case Op::LR_D: return {8, true, false, false};
    case Op::SC_W: return {4, false, true, false};
    case Op::SC_D: return {8, false, true, false};
    case Op::AMOSWAP_W: case Op::AMOADD_W: case Op::AMOXOR_W: case Op::AMOAND_W: case Op::AMOOR_W:
    case Op::AMOMIN_W: case Op::AMOMAX_W: case Op::AMOMINU_W: case Op::AMOMAXU_W:
      return {4, true, true, false};
    case Op::AMOSWAP_D: case Op::AMOADD_D: case Op::AMOXOR_D: case Op::AMOAND_D: case Op::AMOOR_D:
    case Op::AMOMIN_D: case Op::AMOMAX_D: case Op::AMOMINU_D: case Op::AMOMAXU_D:
      return {8, true, true, false};
    default: return {};
  }
}
}  // namespace

bool Hart::TriggerCsrRead(unsigned c, uint64_t* v) const {
  switch (c) {
    case kTselect: *v = s_.tselect; return true;
    case kTdata1: *v = s_.tdata1[s_.tselect]; return true;
    case kTdata2: *v = s_.tdata2[s_.tselect]; return true;
    case kTdata3: *v = 0; return true;
    case kTinfo: *v = kTinfoValue; return true;
    case kTcontrol: *v = s_.tcontrol; return true;
  }
  return false;
}

bool Hart::TriggerCsrWrite(unsigned c, uint64_t v) {
  switch (c) {
    case kTselect: if (v < kTriggers) s_.tselect = v; return true;
    case kTdata1:
      s_.tdata1[s_.tselect] = LegalizeTdata1(v);
      UpdateTriggerModes();
      return true;
    case kTdata2: s_.tdata2[s_.tselect] = v; return true;
    case kTdata3: case kTinfo: return true;  // nothing writable
    case kTcontrol: s_.tcontrol = v & (kMte | kMpte); return true;
  }
  return false;
}

void Hart::UpdateTriggerModes() {
  exec_modes_ = data_modes_ = 0;
  for (unsigned i = 0; i < kTriggers; ++i) {
    const uint64_t t = s_.tdata1[i];
    const unsigned modes = WatchedModes(t);
    if (t & kExecute) exec_modes_ |= modes;
    if (t & (kLoad | kStore)) data_modes_ |= modes;
  }
  trigger_modes_ = exec_modes_ | data_modes_;
}

bool Hart::TriggersLive() const {
  const unsigned p = static_cast<unsigned>(s_.priv);
  return ((trigger_modes_ >> p) & 1) && (s_.priv != Priv::kM || (s_.tcontrol & kMte));
}

// Every trigger in `fired` fires at once: each gets its hit bit, and the
// breakpoint exception (taken as any other) reports `tval`.
void Hart::FireTriggers(unsigned fired, uint64_t tval) {
  for (unsigned i = 0; i < kTriggers; ++i)
    if (fired & (1u << i)) s_.tdata1[i] |= kHit;
  RaiseException(Exc::kBreakpoint, tval);
}

bool Hart::FireExecuteTrigger() {
  const unsigned p = static_cast<unsigned>(s_.priv);
  unsigned fired = 0;
  uint64_t tval = 0;
  for (unsigned i = 0; i < kTriggers; ++i) {
    const uint64_t t = s_.tdata1[i];
    uint64_t hit;
    if (!(t & kExecute) || !((WatchedModes(t) >> p) & 1) || !Matches(t, s_.tdata2[i], s_.pc, 1, &hit)) continue;
    if (!fired) tval = hit;
    fired |= 1u << i;
  }
  if (!fired) return false;
  FireTriggers(fired, tval);
  return true;
}

// The instruction at pc, as the step about to run will see it: from the
// decoded page the fetch TLB holds for pc (its slot decoded now if it is
// not yet, as the interpreter would a moment later), else fetched and
// decoded with every check (DecodeCrossPage: op PAGE_END when the fetch
// faults).
DecodedInsn Hart::PeekInsn() {
  const FetchEntry& e = ftlb_[(s_.pc >> 12) & (kTlbSize - 1)];
  if (e.tag == (s_.pc & ~0xfffull)) {
    const DecodedInsn* d = HartEngineAccess::DecodeSlot(e.page, s_.pc & 0xfff);
    if (d->op != Op::CROSS_PAGE) return *d;
  }
  DecodeCrossPage(s_.pc);
  return cross_page_[0];
}

bool Hart::FireDataTrigger() {
  // A fetch fault is the step's to take, and an illegal FP access outranks
  // a breakpoint.
  const DecodedInsn d = PeekInsn();
  if (d.op == Op::PAGE_END) return false;
  const AccessShape a = ShapeOf(d.op);
  if (a.size == 0 || (a.fp && !(s_.mstatus & mstatus::kFS))) return false;
  const uint64_t va = s_.x[d.rs1] + static_cast<int64_t>(d.imm);  // imm is 0 for lr, sc, AMOs
  const unsigned p = static_cast<unsigned>(s_.priv);
  unsigned fired = 0;
  uint64_t tval = 0;
  for (unsigned i = 0; i < kTriggers; ++i) {
    const uint64_t t = s_.tdata1[i];
    const bool kind = ((t & kLoad) && a.load) || ((t & kStore) && a.store);
    uint64_t hit;
    if (!kind || !((WatchedModes(t) >> p) & 1) || !Matches(t, s_.tdata2[i], va, a.size, &hit)) continue;
    if (!fired) tval = hit;
    fired |= 1u << i;
  }
  if (!fired) return false;
  FireTriggers(fired, tval);
  return true;
}

// A slice as the configured engine would run it (the same ends: budget,
// events, traps), one instruction at a time on the stepping interpreter,
// with the triggers checked before each. The privilege (and with it which
// triggers are live) cannot change inside a slice: traps, xRET and CSR
// writes all end one.
SliceEnd Hart::RunWatched(uint64_t budget) {
  if (!step_engine_) step_engine_ = MakeEngine(EngineKind::kInterpreter, HartEngineAccess(this));
  const unsigned p = static_cast<unsigned>(s_.priv);
  const bool exec = (exec_modes_ >> p) & 1, data = (data_modes_ >> p) & 1;
  for (uint64_t n = 0; n < budget; ++n) {
    if ((exec && FireExecuteTrigger()) || (data && FireDataTrigger())) return SliceEnd::kTrap;
    if (!config_.break_insn.empty()) {  // the mutant runs one instruction per slice
      StepWithBreak();
      return slice_trapped_ ? SliceEnd::kTrap : SliceEnd::kEvent;
    }
    const SliceEnd end = step_engine_->RunSlice(1);
    if (end != SliceEnd::kBudget) return end;
  }
  return SliceEnd::kBudget;
}

}  // namespace tapvm
