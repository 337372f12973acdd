// Control and status registers: access checks and WARL behaviour.
#include "emulator/cpu/hart_inl.h"
#include "emulator/cpu/triggers.h"

namespace tapvm {

namespace {
namespace csr {
constexpr unsigned kFflags = 0x001, kFrm = 0x002, kFcsr = 0x003;
constexpr unsigned kCycle = 0xc00, kTime = 0xc01, kInstret = 0xc02, kHpmLast = 0xc1f;
constexpr unsigned kSstatus = 0x100, kSie = 0x104, kStvec = 0x105, kScounteren = 0x106, kSenvcfg = 0x10a;
constexpr unsigned kSscratch = 0x140, kSepc = 0x141, kScause = 0x142, kStval = 0x143, kSip = 0x144;
constexpr unsigned kSatp = 0x180;
constexpr unsigned kMvendorid = 0xf11, kMarchid = 0xf12, kMimpid = 0xf13, kMhartid = 0xf14, kMconfigptr = 0xf15;
constexpr unsigned kMstatus = 0x300, kMisa = 0x301, kMedeleg = 0x302, kMideleg = 0x303, kMie = 0x304;
constexpr unsigned kMtvec = 0x305, kMcounteren = 0x306, kMenvcfg = 0x30a, kMcountinhibit = 0x320;
constexpr unsigned kMhpmevent3 = 0x323, kMhpmevent31 = 0x33f;
constexpr unsigned kMscratch = 0x340, kMepc = 0x341, kMcause = 0x342, kMtval = 0x343, kMip = 0x344;
constexpr unsigned kPmpcfg0 = 0x3a0, kPmpcfg15 = 0x3af, kPmpaddr0 = 0x3b0, kPmpaddr63 = 0x3ef;
constexpr unsigned kMcycle = 0xb00, kMinstret = 0xb02, kMhpmcounter3 = 0xb03, kMhpmcounter31 = 0xb1f;
}  // namespace csr

constexpr uint64_t kMstatusWritable = mstatus::kSIE | mstatus::kMIE | mstatus::kSPIE | mstatus::kMPIE |
                                      mstatus::kSPP | mstatus::kMPP | mstatus::kFS | mstatus::kMPRV |
                                      mstatus::kSUM | mstatus::kMXR | mstatus::kTVM | mstatus::kTW |
                                      mstatus::kTSR;
constexpr uint64_t kSstatusMask = mstatus::kSIE | mstatus::kSPIE | mstatus::kSPP | mstatus::kFS |
                                  mstatus::kSUM | mstatus::kMXR | mstatus::kUXL | mstatus::kSD;
constexpr uint64_t kSstatusWritable = mstatus::kSIE | mstatus::kSPIE | mstatus::kSPP | mstatus::kFS |
                                      mstatus::kSUM | mstatus::kMXR;
// Exceptions that may be delegated: all but ecall from M and the reserved ones.
constexpr uint64_t kMedelegWritable = 0xb3ff;
constexpr uint64_t kSInterrupts = kMipSSIP | kMipSTIP | kMipSEIP;
constexpr uint64_t kAllInterrupts = kSInterrupts | kMipMSIP | kMipMTIP | kMipMEIP;
constexpr uint64_t kSatpPpnAsid = (1ull << 60) - 1;
}  // namespace

uint64_t Hart::ReadSstatus() const { return s_.mstatus & kSstatusMask; }

void Hart::WriteMstatus(uint64_t v) {
  uint64_t old = s_.mstatus;
  uint64_t m = (old & ~kMstatusWritable) | (v & kMstatusWritable);
  if (((m & mstatus::kMPP) >> mstatus::kMPPShift) == 2) m &= ~mstatus::kMPP;  // reserved: becomes U
  m |= mstatus::kUXL & (2ull << 32);
  m |= mstatus::kSXL & (2ull << 34);
  if ((m & mstatus::kFS) == mstatus::kFS) m |= mstatus::kSD; else m &= ~mstatus::kSD;
  s_.mstatus = m;
  // MXR widens what every table allows: flush. SUM picks the S-mode data
  // tables (UpdateTlbPointers), as MPRV and MPP pick the privilege.
  if ((old ^ m) & mstatus::kMXR) FlushTlbs(false);
  else if ((old ^ m) & (mstatus::kSUM | mstatus::kMPRV | mstatus::kMPP)) UpdateTlbPointers();
}

bool Hart::CsrRead(unsigned c, uint64_t* v) {
  unsigned min_priv = (c >> 8) & 3;
  if (static_cast<unsigned>(s_.priv) < min_priv) return false;
  // Counters visible to lower modes only through mcounteren/scounteren.
  if (c >= csr::kCycle && c <= csr::kHpmLast) {
    uint64_t bit = 1ull << (c - csr::kCycle);
    if (s_.priv != Priv::kM && !(s_.mcounteren & bit)) return false;
    if (s_.priv == Priv::kU && !(s_.scounteren & bit)) return false;
  }
  switch (c) {
    case csr::kFflags: case csr::kFrm: case csr::kFcsr:
      if (!(s_.mstatus & mstatus::kFS)) return false;
      *v = c == csr::kFflags ? s_.fflags : c == csr::kFrm ? s_.frm : (s_.frm << 5) | s_.fflags;
      return true;
    case csr::kCycle: case csr::kMcycle: *v = s_.icount + s_.mcycle_offset; return true;
    case csr::kInstret: case csr::kMinstret: *v = s_.icount + s_.minstret_offset; return true;
    case csr::kTime: *v = time_source_ ? time_source_() : Mtime(); return true;
    case csr::kSstatus: *v = ReadSstatus(); return true;
    case csr::kSie: *v = s_.mie & s_.mideleg; return true;
    case csr::kSip: *v = EffectiveMip() & s_.mideleg; return true;
    case csr::kStvec: *v = s_.stvec; return true;
    case csr::kScounteren: *v = s_.scounteren; return true;
    case csr::kSenvcfg: *v = s_.senvcfg; return true;
    case csr::kSscratch: *v = s_.sscratch; return true;
    case csr::kSepc: *v = s_.sepc; return true;
    case csr::kScause: *v = s_.scause; return true;
    case csr::kStval: *v = s_.stval; return true;
    case csr::kSatp:
      if (s_.priv == Priv::kS && (s_.mstatus & mstatus::kTVM)) return false;
      *v = s_.satp;
      return true;
    case csr::kMvendorid: case csr::kMarchid: case csr::kMimpid: case csr::kMconfigptr: *v = 0; return true;
    case csr::kMhartid: *v = config_.hartid; return true;
    case csr::kMstatus: *v = s_.mstatus; return true;
    case csr::kMisa: *v = s_.misa; return true;
    case csr::kMedeleg: *v = s_.medeleg; return true;
    case csr::kMideleg: *v = s_.mideleg; return true;
    case csr::kMie: *v = s_.mie; return true;
    case csr::kMtvec: *v = s_.mtvec; return true;
    case csr::kMcounteren: *v = s_.mcounteren; return true;
    case csr::kMenvcfg: *v = s_.menvcfg; return true;
    case csr::kMcountinhibit: *v = 0; return true;
    case csr::kMscratch: *v = s_.mscratch; return true;
    case csr::kMepc: *v = s_.mepc; return true;
    case csr::kMcause: *v = s_.mcause; return true;
    case csr::kMtval: *v = s_.mtval; return true;
    case csr::kMip: *v = EffectiveMip(); return true;
  }
  if ((c > csr::kInstret && c <= csr::kHpmLast) || (c >= csr::kMhpmcounter3 && c <= csr::kMhpmcounter31) ||
      (c >= csr::kMhpmevent3 && c <= csr::kMhpmevent31)) {
    *v = 0;  // no hardware performance counters: read-only zero
    return true;
  }
  if (c >= csr::kPmpcfg0 && c <= csr::kPmpcfg15) {
    if (c & 1) return false;  // odd pmpcfg registers do not exist on RV64
    unsigned i = (c - csr::kPmpcfg0) / 2;
    *v = i < 2 ? s_.pmpcfg[i] : 0;
    return true;
  }
  if (c >= csr::kPmpaddr0 && c <= csr::kPmpaddr63) {
    unsigned i = c - csr::kPmpaddr0;
    *v = i < 16 ? s_.pmpaddr[i] : 0;
    return true;
  }
  return TriggerCsrRead(c, v);  // false for any other number
}

bool Hart::CsrWriteEndsSlice(unsigned c) {
  switch (c) {
    case csr::kFflags: case csr::kFrm: case csr::kFcsr:
    case csr::kSscratch: case csr::kSepc: case csr::kScause: case csr::kStval: case csr::kStvec:
    case csr::kMscratch: case csr::kMepc: case csr::kMcause: case csr::kMtval: case csr::kMtvec:
      return false;
    default:
      return true;
  }
}

bool Hart::CsrWrite(unsigned c, uint64_t v) {
  unsigned min_priv = (c >> 8) & 3;
  if (static_cast<unsigned>(s_.priv) < min_priv || (c >> 10) == 3) return false;
  switch (c) {
    case csr::kFflags: case csr::kFrm: case csr::kFcsr:
      if (!(s_.mstatus & mstatus::kFS)) return false;
      if (c == csr::kFflags) s_.fflags = v & 31;
      else if (c == csr::kFrm) s_.frm = v & 7;
      else s_.fflags = v & 31, s_.frm = (v >> 5) & 7;
      SetFsDirty();
      return true;
    case csr::kMcycle: s_.mcycle_offset = v - s_.icount - 1; return true;
    case csr::kMinstret: s_.minstret_offset = v - s_.icount - 1; return true;
    case csr::kSstatus: WriteMstatus((s_.mstatus & ~kSstatusWritable) | (v & kSstatusWritable)); return true;
    case csr::kSie: s_.mie = (s_.mie & ~s_.mideleg) | (v & s_.mideleg & kAllInterrupts); return true;
    case csr::kSip: {
      uint64_t mask = kMipSSIP & s_.mideleg;
      s_.mip = (s_.mip & ~mask) | (v & mask);
      return true;
    }
    case csr::kStvec: if ((v & 3) < 2) s_.stvec = v; return true;
    case csr::kScounteren: s_.scounteren = v & 0xffffffff; return true;
    case csr::kSenvcfg: s_.senvcfg = v & 1; return true;
    case csr::kSscratch: s_.sscratch = v; return true;
    case csr::kSepc: s_.sepc = v & ~1ull; return true;
    case csr::kScause: s_.scause = v; return true;
    case csr::kStval: s_.stval = v; return true;
    case csr::kSatp: {
      if (s_.priv == Priv::kS && (s_.mstatus & mstatus::kTVM)) return false;
      uint64_t mode = v >> 60;
      if (mode != 0 && mode != 8 && mode != 9) return true;  // unsupported mode: no change
      s_.satp = (mode << 60) | (v & kSatpPpnAsid);
      FlushTlbs(false);
      return true;
    }
    case csr::kMstatus: WriteMstatus(v); return true;
    case csr::kMisa: return true;  // fixed
    case csr::kMedeleg: s_.medeleg = v & kMedelegWritable; return true;
    case csr::kMideleg: s_.mideleg = v & kSInterrupts; return true;
    case csr::kMie: s_.mie = v & kAllInterrupts; return true;
    case csr::kMtvec: if ((v & 3) < 2) s_.mtvec = v; return true;
    case csr::kMcounteren: s_.mcounteren = v & 0xffffffff; return true;
    case csr::kMenvcfg: s_.menvcfg = v & 1; return true;
    case csr::kMcountinhibit: return true;
    case csr::kMscratch: s_.mscratch = v; return true;
    case csr::kMepc: s_.mepc = v & ~1ull; return true;
    case csr::kMcause: s_.mcause = v; return true;
    case csr::kMtval: s_.mtval = v; return true;
    case csr::kMip: s_.mip = (s_.mip & ~kSInterrupts) | (v & kSInterrupts); return true;
  }
  if ((c >= csr::kMhpmcounter3 && c <= csr::kMhpmcounter31) || (c >= csr::kMhpmevent3 && c <= csr::kMhpmevent31))
    return true;  // read-only zero
  if (c >= csr::kPmpcfg0 && c <= csr::kPmpcfg15) {
    if (c & 1) return false;
    unsigned reg = (c - csr::kPmpcfg0) / 2;
    if (reg >= 2) return true;
    uint64_t cur = s_.pmpcfg[reg];
    for (unsigned b = 0; b < 8; ++b) {
      uint8_t old = static_cast<uint8_t>(cur >> (8 * b));
      if (old & 0x80) continue;  // locked
      uint8_t nv = static_cast<uint8_t>(v >> (8 * b)) & 0x9f;
      if ((nv & 3) == 2) nv &= ~2;  // W without R is reserved
      cur = (cur & ~(0xffull << (8 * b))) | (static_cast<uint64_t>(nv) << (8 * b));
    }
    s_.pmpcfg[reg] = cur;
    UpdatePmpActive();
    FlushTlbs();
    return true;
  }
  if (c >= csr::kPmpaddr0 && c <= csr::kPmpaddr63) {
    unsigned i = c - csr::kPmpaddr0;
    if (i >= 16) return true;
    auto cfg = [&](unsigned k) { return static_cast<uint8_t>(s_.pmpcfg[k / 8] >> (8 * (k % 8))); };
    if (cfg(i) & 0x80) return true;
    if (i + 1 < 16 && (cfg(i + 1) & 0x80) && ((cfg(i + 1) >> 3) & 3) == 1) return true;  // locked TOR top
    s_.pmpaddr[i] = v & ((1ull << 54) - 1);
    UpdatePmpSpans();
    FlushTlbs();
    return true;
  }
  return TriggerCsrWrite(c, v);  // false for any other number
}

}  // namespace tapvm
