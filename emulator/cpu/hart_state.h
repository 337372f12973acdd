// HartState: the architectural state of one RV64GC hart, as one plain struct.
//
// Everything that defines what the hart does next lives here and nothing
// else does: copying this struct (plus RAM and device state) copies the
// machine, hashing it gives the state digest, comparing two of them finds a
// divergence. Caches (TLBs, decoded instructions) live in Hart, never here.
// Every field is a uint64_t so the struct has no padding and hashes the same
// on every host.
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

  // LR/SC reservation: host address of the reserved doubleword, 0 if none.
  uint64_t reservation;
  // 1 while the hart waits in WFI for an interrupt.
  uint64_t waiting;
};

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
