// HartState: the architectural state of one RV64GC hart, as one plain struct.
//
// Everything that defines what the hart does next lives here and nothing
// else does: copying this struct (plus RAM and device state) copies the
// machine, hashing it gives the state digest, comparing two of them finds a
// divergence. Caches (TLBs, decoded instructions) live in Hart, never here.
// Every field is a uint64_t, so the struct has no padding; it is still
// hashed (and, later, saved) field by field through VisitHartState, never as
// raw bytes.
#pragma once

#include <cstdint>

namespace tapvm {

enum class Priv : uint64_t { kU = 0, kS = 1, kM = 3 };

struct HartState {
  // x[0] is always zero. x[32] is not architectural: instructions whose rd is
  // x0 are decoded to write x[32], so the interpreter never tests for x0.
  // It is excluded from digests and comparisons.
  uint64_t x[33];
  uint64_t f[32];  // raw bits; singles are NaN-boxed
  uint64_t pc;
  Priv priv;

  // Retired instructions since reset (minstret/mcycle derive from it).
  uint64_t icount;
  // Instruction-count units of virtual time skipped while idle in WFI (clock
  // warps). Virtual time = (icount + idle_warp) >> time_shift.
  uint64_t idle_warp;
  // Traps taken (not instructions; counted so a trap storm still ends a
  // run bounded by --max-insns).
  uint64_t traps;

  uint64_t fflags, frm;

  // Machine-level CSRs.
  uint64_t mstatus, misa, medeleg, mideleg, mie, mtvec, mscratch, mepc, mcause, mtval;
  uint64_t mcounteren, mcountinhibit, menvcfg;
  uint64_t mip;        // software-writable bits (SSIP, STIP, SEIP)
  uint64_t mip_lines;  // lines driven by devices (MSIP, MTIP, MEIP, SEIP)
  uint64_t mcycle_offset, minstret_offset;  // written value minus icount
  // Supervisor-level CSRs (sstatus, sie, sip are views of the M ones).
  uint64_t stvec, sscratch, sepc, scause, stval, scounteren, satp, senvcfg;
  // Physical memory protection: cfg bytes packed as pmpcfg0 and pmpcfg2.
  uint64_t pmpcfg[2];
  uint64_t pmpaddr[16];

  // LR/SC reservation: the guest physical address LR reserved, valid while
  // reservation_valid is 1 (a guest address, never a host one: the state
  // must mean the same thing in every process and on every host).
  uint64_t reservation_pa;
  uint64_t reservation_valid;
  // 1 while the hart waits in WFI for an interrupt.
  uint64_t waiting;

  // The Sdtrig trigger module (triggers.h): tselect, tcontrol and each
  // trigger's tdata1 (mcontrol, type 2) and tdata2 (the compare value).
  // tdata3 and tinfo are constants and are not stored.
  uint64_t tselect, tcontrol;
  uint64_t tdata1[4];
  uint64_t tdata2[4];
};

// The trigger module's fields, in a fixed order (the tail of
// VisitHartState). Kept apart because the state digest of version 3
// predates them: it adds them only once they differ from reset (see
// Hart::StateDigest).
template <typename S, typename V>
void VisitTriggerState(S& s, V&& v) {
  static constexpr const char* kTdata1[] = {"tdata1[0]", "tdata1[1]", "tdata1[2]", "tdata1[3]"};
  static constexpr const char* kTdata2[] = {"tdata2[0]", "tdata2[1]", "tdata2[2]", "tdata2[3]"};
  static_assert(sizeof s.tdata1 / sizeof s.tdata1[0] == 4 && sizeof s.tdata2 / sizeof s.tdata2[0] == 4);
  v("tselect", s.tselect);
  v("tcontrol", s.tcontrol);
  for (int i = 0; i < 4; ++i) v(kTdata1[i], s.tdata1[i]);
  for (int i = 0; i < 4; ++i) v(kTdata2[i], s.tdata2[i]);
}

// Every field before the trigger module's, in a fixed order.
template <typename S, typename V>
void VisitCoreHartState(S& s, V&& v) {
  for (int i = 0; i < 32; ++i) v("x", s.x[i]);
  for (int i = 0; i < 32; ++i) v("f", s.f[i]);
  v("pc", s.pc);
  v("priv", s.priv);
  v("icount", s.icount);
  v("idle_warp", s.idle_warp);
  v("traps", s.traps);
  v("fflags", s.fflags);
  v("frm", s.frm);
  v("mstatus", s.mstatus);
  v("misa", s.misa);
  v("medeleg", s.medeleg);
  v("mideleg", s.mideleg);
  v("mie", s.mie);
  v("mtvec", s.mtvec);
  v("mscratch", s.mscratch);
  v("mepc", s.mepc);
  v("mcause", s.mcause);
  v("mtval", s.mtval);
  v("mcounteren", s.mcounteren);
  v("mcountinhibit", s.mcountinhibit);
  v("menvcfg", s.menvcfg);
  v("mip", s.mip);
  v("mip_lines", s.mip_lines);
  v("mcycle_offset", s.mcycle_offset);
  v("minstret_offset", s.minstret_offset);
  v("stvec", s.stvec);
  v("sscratch", s.sscratch);
  v("sepc", s.sepc);
  v("scause", s.scause);
  v("stval", s.stval);
  v("scounteren", s.scounteren);
  v("satp", s.satp);
  v("senvcfg", s.senvcfg);
  for (int i = 0; i < 2; ++i) v("pmpcfg", s.pmpcfg[i]);
  for (int i = 0; i < 16; ++i) v("pmpaddr", s.pmpaddr[i]);
  v("reservation_pa", s.reservation_pa);
  v("reservation_valid", s.reservation_valid);
  v("waiting", s.waiting);
}

// Calls `v(name, value)` for every architectural field of `s` (S is
// HartState or const HartState), in a fixed order: the one list the state
// digest, checkpoints, and anything else that walks the state, go through.
// x[32] is not architectural and is left out; a test checks that the
// fields visited cover the rest of the struct, so a new field cannot be
// forgotten.
template <typename S, typename V>
void VisitHartState(S& s, V&& v) {
  VisitCoreHartState(s, v);
  VisitTriggerState(s, v);
}

// mstatus fields.
namespace mstatus {
inline constexpr uint64_t kSIE = 1ull << 1, kMIE = 1ull << 3, kSPIE = 1ull << 5, kUBE = 1ull << 6;
inline constexpr uint64_t kMPIE = 1ull << 7, kSPP = 1ull << 8, kMPP = 3ull << 11, kFS = 3ull << 13;
inline constexpr uint64_t kXS = 3ull << 15, kMPRV = 1ull << 17, kSUM = 1ull << 18, kMXR = 1ull << 19;
inline constexpr uint64_t kTVM = 1ull << 20, kTW = 1ull << 21, kTSR = 1ull << 22;
inline constexpr uint64_t kUXL = 3ull << 32, kSXL = 3ull << 34, kSD = 1ull << 63;
inline constexpr int kMPPShift = 11, kFSShift = 13;
}  // namespace mstatus

// Exception causes (mcause with the interrupt bit clear).
enum class Exc : uint64_t {
  kInsnMisaligned = 0, kInsnAccess = 1, kIllegal = 2, kBreakpoint = 3,
  kLoadMisaligned = 4, kLoadAccess = 5, kStoreMisaligned = 6, kStoreAccess = 7,
  kEcallU = 8, kEcallS = 9, kEcallM = 11,
  kInsnPage = 12, kLoadPage = 13, kStorePage = 15,
};

}  // namespace tapvm
