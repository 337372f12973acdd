// The interpreter engine: a direct-threaded loop over decoded instructions.
//
// Each handler executes one DecodedInsn and continues with the next through
// a computed goto; nothing is decoded here except on the first execution of
// a slot (op DECODE). Control stays inside one decoded page while execution
// does (sequential flow walks the slot array, a branch within the page
// indexes it); leaving the page goes through the fetch TLB.
//
// Invariants: `pc` is the address of the instruction `d` describes; an
// instruction that raises an exception changes no architectural state before
// it does; `remaining` counts down retired instructions, so icount is exact.
//
// Everything of the hart is reached through the HartEngineAccess `h`, held
// in a local (a register) for the whole slice; its calls are all inline.
#include "emulator/cpu/interpreter.h"

#include <cstring>

#include "emulator/cpu/fpu.h"

namespace tapvm {

namespace {
using FetchEntry = HartEngineAccess::FetchEntry;
using DecodedPage = HartEngineAccess::DecodedPage;
constexpr uint64_t kInvalidTag = HartEngineAccess::kInvalidTag;

inline uint32_t Unbox(uint64_t f) {
  return (f >> 32) == 0xffffffffu ? static_cast<uint32_t>(f) : fpu::kCanonicalNaN32;
}
inline uint64_t Box(uint32_t v) { return 0xffffffff00000000ull | v; }
inline uint64_t Sext32(uint64_t v) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v))); }
constexpr uint32_t kSign32 = 0x80000000u;
constexpr uint64_t kSign64 = 0x8000000000000000ull;

inline int64_t Div64(int64_t a, int64_t b) {
  if (b == 0) return -1;
  if (a == INT64_MIN && b == -1) return a;
  return a / b;
}
inline int64_t Rem64(int64_t a, int64_t b) {
  if (b == 0) return a;
  if (a == INT64_MIN && b == -1) return 0;
  return a % b;
}
inline int32_t Div32(int32_t a, int32_t b) {
  if (b == 0) return -1;
  if (a == INT32_MIN && b == -1) return a;
  return a / b;
}
inline int32_t Rem32(int32_t a, int32_t b) {
  if (b == 0) return a;
  if (a == INT32_MIN && b == -1) return 0;
  return a % b;
}
}  // namespace

SliceEnd Interpreter::RunSlice(uint64_t budget) {
  static const void* const kLabels[] = {
#define TAPVM_OP_LABEL(name, mnem, kind) &&L_##name,
      TAPVM_OPS(TAPVM_OP_LABEL)
#undef TAPVM_OP_LABEL
  };

  const HartEngineAccess h = hart_;
  HartState& s = h.state();
  uint64_t* const X = s.x;
  uint64_t* const F = s.f;
  uint64_t pc = s.pc;
  uint64_t remaining = budget;
  const uint64_t start_icount = s.icount;
  DecodedInsn* d = nullptr;
  DecodedInsn* page_base = nullptr;  // slot 0 of the current decoded page
  uint64_t page_tag = kInvalidTag;   // virtual page of page_base

#define SYNC() (s.pc = pc, s.icount = start_icount + (budget - remaining))
#define DISPATCH() goto* kLabels[static_cast<unsigned>(d->op)]
#define NEXT()                                          \
  do {                                                  \
    uintptr_t len_ = d->len;                            \
    pc += len_;                                         \
    /* one slot per halfword: len bytes = len * 8 bytes of slots */ \
    d = reinterpret_cast<DecodedInsn*>(reinterpret_cast<uintptr_t>(d) + len_ * (sizeof(DecodedInsn) / 2)); \
    if (TAPVM_UNLIKELY(--remaining == 0)) goto slice_end; \
    DISPATCH();                                         \
  } while (0)
// Retires the current instruction and ends the slice (after anything that
// may change interrupt state, translation or the decoded pages).
#define NEXT_AND_END() goto next_and_end
#define JUMP(target)                                      \
  do {                                                    \
    uint64_t t_ = (target);                               \
    pc = t_;                                              \
    if (TAPVM_UNLIKELY(--remaining == 0)) goto slice_end; \
    if ((t_ & ~0xfffull) == page_tag) {                   \
      d = page_base + ((t_ & 0xfff) >> 1);                \
      DISPATCH();                                         \
    }                                                     \
    goto fetch;                                           \
  } while (0)
#define RAISE(cause, tval)                  \
  do {                                      \
    h.SetPendingException((cause), (tval)); \
    goto exception;                         \
  } while (0)
#define ILLEGAL() RAISE(Exc::kIllegal, d->raw)
#define RD X[d->rd]
#define RS1 X[d->rs1]
#define RS2 X[d->rs2]
#define IMM static_cast<int64_t>(d->imm)
#define LOAD_OP(T, EXT)                                     \
  do {                                                      \
    T v_;                                                   \
    uint64_t va_ = RS1 + IMM;                               \
    if (TAPVM_LIKELY(h.LoadHit<T>(va_, &v_))) {             \
      RD = EXT(v_);                                         \
      NEXT();                                               \
    }                                                       \
    SYNC();                                                 \
    uint64_t w_ = 0;                                        \
    int r_ = h.LoadSlow(va_, sizeof(T), &w_);               \
    if (r_ == 0) goto exception;                            \
    RD = EXT(static_cast<T>(w_));                           \
    if (r_ == 2) NEXT_AND_END();                            \
    NEXT();                                                 \
  } while (0)
#define STORE_OP(T, VALUE)                                  \
  do {                                                      \
    uint64_t va_ = RS1 + IMM;                               \
    T v_ = static_cast<T>(VALUE);                           \
    if (TAPVM_LIKELY(h.StoreHit<T>(va_, v_))) NEXT();       \
    SYNC();                                                 \
    int r_ = h.StoreSlow(va_, sizeof(T), static_cast<uint64_t>(v_)); \
    if (r_ == 0) goto exception;                            \
    if (r_ == 2) NEXT_AND_END();                            \
    NEXT();                                                 \
  } while (0)
#define S64(v) static_cast<uint64_t>(static_cast<int64_t>(v))
#define U64(v) static_cast<uint64_t>(v)
// Floating point: FS must be on; `rm` resolves the dynamic rounding mode.
#define FP_CHECK() \
  if (TAPVM_UNLIKELY(!(s.mstatus & mstatus::kFS))) ILLEGAL()
#define FP_RM()                          \
  FP_CHECK();                            \
  int rm = d->rm;                        \
  if (rm == 7) {                         \
    rm = static_cast<int>(s.frm);        \
    if (TAPVM_UNLIKELY(rm > 4)) ILLEGAL(); \
  }
#define FP_DONE(fl)        \
  s.fflags |= (fl);        \
  h.SetFsDirty();          \
  NEXT()

fetch : {
  const FetchEntry& e = h.FetchTlbEntry(pc);
  if (TAPVM_LIKELY(e.tag == (pc & ~0xfffull))) {
    page_base = e.page->insns;
    page_tag = e.tag;
    d = page_base + ((pc & 0xfff) >> 1);
  } else {
    SYNC();
    d = h.FetchSlow(pc);
    if (!d) goto exception;
    if (d == h.cross_page()) {
      page_base = nullptr;
      page_tag = kInvalidTag;
    } else {
      page_base = d - ((pc & 0xfff) >> 1);
      page_tag = pc & ~0xfffull;
    }
  }
  DISPATCH();
}

next_and_end : {
  pc += d->len;
  --remaining;
  goto event_end;
}

exception:
  SYNC();
  h.TakePendingException();
  return SliceEnd::kTrap;

slice_end:
  SYNC();
  return SliceEnd::kBudget;

event_end:
  SYNC();
  return SliceEnd::kEvent;

// ---- interpreter-internal ----
L_DECODE : {
  // Decoded on first execution, as every engine decodes (the slot is d).
  d = HartEngineAccess::DecodeSlot(reinterpret_cast<DecodedPage*>(page_base), pc & 0xfff);
  DISPATCH();
}
L_PAGE_END:
  goto fetch;
L_CROSS_PAGE:
  SYNC();
  h.DecodeCrossPage(pc);
  if (h.cross_page()[0].op == Op::PAGE_END) goto exception;
  d = h.cross_page();
  page_base = nullptr;
  page_tag = kInvalidTag;
  DISPATCH();
L_ILLEGAL:
  ILLEGAL();

// ---- RV64I ----
L_LUI: RD = S64(d->imm); NEXT();
L_AUIPC: RD = pc + IMM; NEXT();
L_JAL: RD = pc + d->len; JUMP(pc + IMM);
L_JALR: { uint64_t t = (RS1 + IMM) & ~1ull; RD = pc + d->len; JUMP(t); }
L_BEQ: if (RS1 == RS2) JUMP(pc + IMM); NEXT();
L_BNE: if (RS1 != RS2) JUMP(pc + IMM); NEXT();
L_BLT: if (static_cast<int64_t>(RS1) < static_cast<int64_t>(RS2)) JUMP(pc + IMM); NEXT();
L_BGE: if (static_cast<int64_t>(RS1) >= static_cast<int64_t>(RS2)) JUMP(pc + IMM); NEXT();
L_BLTU: if (RS1 < RS2) JUMP(pc + IMM); NEXT();
L_BGEU: if (RS1 >= RS2) JUMP(pc + IMM); NEXT();
// Same-page targets: the slot is a fixed distance away.
#define LOCAL_JUMP()                                                                               \
  do {                                                                                             \
    pc += IMM;                                                                                     \
    d = reinterpret_cast<DecodedInsn*>(reinterpret_cast<intptr_t>(d) +                             \
                                       static_cast<intptr_t>(d->imm) * static_cast<intptr_t>(sizeof(DecodedInsn) / 2)); \
    if (TAPVM_UNLIKELY(--remaining == 0)) goto slice_end;                                          \
    DISPATCH();                                                                                    \
  } while (0)
L_JAL_L: RD = pc + d->len; LOCAL_JUMP();
L_BEQ_L: if (RS1 == RS2) LOCAL_JUMP(); NEXT();
L_BNE_L: if (RS1 != RS2) LOCAL_JUMP(); NEXT();
L_BLT_L: if (static_cast<int64_t>(RS1) < static_cast<int64_t>(RS2)) LOCAL_JUMP(); NEXT();
L_BGE_L: if (static_cast<int64_t>(RS1) >= static_cast<int64_t>(RS2)) LOCAL_JUMP(); NEXT();
L_BLTU_L: if (RS1 < RS2) LOCAL_JUMP(); NEXT();
L_BGEU_L: if (RS1 >= RS2) LOCAL_JUMP(); NEXT();
L_LB: LOAD_OP(int8_t, S64);
L_LH: LOAD_OP(int16_t, S64);
L_LW: LOAD_OP(int32_t, S64);
L_LD: LOAD_OP(uint64_t, U64);
L_LBU: LOAD_OP(uint8_t, U64);
L_LHU: LOAD_OP(uint16_t, U64);
L_LWU: LOAD_OP(uint32_t, U64);
L_SB: STORE_OP(uint8_t, RS2);
L_SH: STORE_OP(uint16_t, RS2);
L_SW: STORE_OP(uint32_t, RS2);
L_SD: STORE_OP(uint64_t, RS2);
L_ADDI: RD = RS1 + IMM; NEXT();
L_SLTI: RD = static_cast<int64_t>(RS1) < IMM; NEXT();
L_SLTIU: RD = RS1 < static_cast<uint64_t>(IMM); NEXT();
L_XORI: RD = RS1 ^ IMM; NEXT();
L_ORI: RD = RS1 | IMM; NEXT();
L_ANDI: RD = RS1 & IMM; NEXT();
L_SLLI: RD = RS1 << d->imm; NEXT();
L_SRLI: RD = RS1 >> d->imm; NEXT();
L_SRAI: RD = S64(static_cast<int64_t>(RS1) >> d->imm); NEXT();
L_ADD: RD = RS1 + RS2; NEXT();
L_SUB: RD = RS1 - RS2; NEXT();
L_SLL: RD = RS1 << (RS2 & 63); NEXT();
L_SLT: RD = static_cast<int64_t>(RS1) < static_cast<int64_t>(RS2); NEXT();
L_SLTU: RD = RS1 < RS2; NEXT();
L_XOR: RD = RS1 ^ RS2; NEXT();
L_SRL: RD = RS1 >> (RS2 & 63); NEXT();
L_SRA: RD = S64(static_cast<int64_t>(RS1) >> (RS2 & 63)); NEXT();
L_OR: RD = RS1 | RS2; NEXT();
L_AND: RD = RS1 & RS2; NEXT();
L_ADDIW: RD = Sext32(RS1 + IMM); NEXT();
L_SLLIW: RD = Sext32(static_cast<uint32_t>(RS1) << d->imm); NEXT();
L_SRLIW: RD = Sext32(static_cast<uint32_t>(RS1) >> d->imm); NEXT();
L_SRAIW: RD = S64(static_cast<int32_t>(RS1) >> d->imm); NEXT();
L_ADDW: RD = Sext32(RS1 + RS2); NEXT();
L_SUBW: RD = Sext32(RS1 - RS2); NEXT();
L_SLLW: RD = Sext32(static_cast<uint32_t>(RS1) << (RS2 & 31)); NEXT();
L_SRLW: RD = Sext32(static_cast<uint32_t>(RS1) >> (RS2 & 31)); NEXT();
L_SRAW: RD = S64(static_cast<int32_t>(RS1) >> (RS2 & 31)); NEXT();
L_FENCE: NEXT();
L_FENCE_I: {
  // Self-modifying code becomes visible: drop the decoded pages written
  // since they were decoded (the others still match memory).
  unsigned len = d->len;
  SYNC();
  h.FenceI();
  pc += len;
  --remaining;
  goto event_end;
}
L_ECALL:
  RAISE(static_cast<Exc>(static_cast<uint64_t>(Exc::kEcallU) + static_cast<uint64_t>(s.priv)), 0);
L_EBREAK:
  RAISE(Exc::kBreakpoint, pc);

// ---- M ----
L_MUL: RD = RS1 * RS2; NEXT();
L_MULH: RD = static_cast<uint64_t>((static_cast<__int128>(static_cast<int64_t>(RS1)) *
                                    static_cast<__int128>(static_cast<int64_t>(RS2))) >> 64);
  NEXT();
L_MULHSU: RD = static_cast<uint64_t>((static_cast<__int128>(static_cast<int64_t>(RS1)) *
                                      static_cast<__int128>(RS2)) >> 64);
  NEXT();
L_MULHU: RD = static_cast<uint64_t>((static_cast<unsigned __int128>(RS1) * RS2) >> 64); NEXT();
L_DIV: RD = S64(Div64(static_cast<int64_t>(RS1), static_cast<int64_t>(RS2))); NEXT();
L_DIVU: RD = RS2 == 0 ? ~0ull : RS1 / RS2; NEXT();
L_REM: RD = S64(Rem64(static_cast<int64_t>(RS1), static_cast<int64_t>(RS2))); NEXT();
L_REMU: RD = RS2 == 0 ? RS1 : RS1 % RS2; NEXT();
L_MULW: RD = Sext32(RS1 * RS2); NEXT();
L_DIVW: RD = S64(Div32(static_cast<int32_t>(RS1), static_cast<int32_t>(RS2))); NEXT();
L_DIVUW: {
  uint32_t a = static_cast<uint32_t>(RS1), b = static_cast<uint32_t>(RS2);
  RD = Sext32(b == 0 ? ~0u : a / b);
  NEXT();
}
L_REMW: RD = S64(Rem32(static_cast<int32_t>(RS1), static_cast<int32_t>(RS2))); NEXT();
L_REMUW: {
  uint32_t a = static_cast<uint32_t>(RS1), b = static_cast<uint32_t>(RS2);
  RD = Sext32(b == 0 ? a : a % b);
  NEXT();
}

// ---- A ----
#define AMO_W(EXPR)                                        \
  do {                                                     \
    uint8_t* p_ = h.AmoPtr(RS1, 4, false);                 \
    if (!p_) goto exception;                               \
    int32_t old, src = static_cast<int32_t>(RS2);          \
    std::memcpy(&old, p_, 4);                              \
    int32_t nv = (EXPR);                                   \
    std::memcpy(p_, &nv, 4);                               \
    RD = S64(old);                                         \
    NEXT();                                                \
  } while (0)
#define AMO_D(EXPR)                                        \
  do {                                                     \
    uint8_t* p_ = h.AmoPtr(RS1, 8, false);                 \
    if (!p_) goto exception;                               \
    int64_t old, src = static_cast<int64_t>(RS2);          \
    std::memcpy(&old, p_, 8);                              \
    int64_t nv = (EXPR);                                   \
    std::memcpy(p_, &nv, 8);                               \
    RD = S64(old);                                         \
    NEXT();                                                \
  } while (0)
L_LR_W: {
  uint64_t pa;
  uint8_t* p = h.AmoPtr(RS1, 4, true, &pa);
  if (!p) goto exception;
  int32_t v;
  std::memcpy(&v, p, 4);
  s.reservation_pa = pa;
  s.reservation_valid = 1;
  RD = S64(v);
  NEXT();
}
L_LR_D: {
  uint64_t pa;
  uint8_t* p = h.AmoPtr(RS1, 8, true, &pa);
  if (!p) goto exception;
  uint64_t v;
  std::memcpy(&v, p, 8);
  s.reservation_pa = pa;
  s.reservation_valid = 1;
  RD = v;
  NEXT();
}
L_SC_W: {
  uint64_t pa;
  uint8_t* p = h.AmoPtr(RS1, 4, false, &pa);
  if (!p) goto exception;
  bool ok = s.reservation_valid && s.reservation_pa == pa;
  if (ok) {
    uint32_t v = static_cast<uint32_t>(RS2);
    std::memcpy(p, &v, 4);
  }
  s.reservation_valid = 0;
  s.reservation_pa = 0;
  RD = ok ? 0 : 1;
  NEXT();
}
L_SC_D: {
  uint64_t pa;
  uint8_t* p = h.AmoPtr(RS1, 8, false, &pa);
  if (!p) goto exception;
  bool ok = s.reservation_valid && s.reservation_pa == pa;
  if (ok) {
    uint64_t v = RS2;
    std::memcpy(p, &v, 8);
  }
  s.reservation_valid = 0;
  s.reservation_pa = 0;
  RD = ok ? 0 : 1;
  NEXT();
}
L_AMOSWAP_W: AMO_W(src);
L_AMOADD_W: AMO_W(static_cast<int32_t>(static_cast<uint32_t>(old) + static_cast<uint32_t>(src)));
L_AMOXOR_W: AMO_W(old ^ src);
L_AMOAND_W: AMO_W(old & src);
L_AMOOR_W: AMO_W(old | src);
L_AMOMIN_W: AMO_W(old < src ? old : src);
L_AMOMAX_W: AMO_W(old > src ? old : src);
L_AMOMINU_W: AMO_W(static_cast<uint32_t>(old) < static_cast<uint32_t>(src) ? old : src);
L_AMOMAXU_W: AMO_W(static_cast<uint32_t>(old) > static_cast<uint32_t>(src) ? old : src);
L_AMOSWAP_D: AMO_D(src);
L_AMOADD_D: AMO_D(static_cast<int64_t>(static_cast<uint64_t>(old) + static_cast<uint64_t>(src)));
L_AMOXOR_D: AMO_D(old ^ src);
L_AMOAND_D: AMO_D(old & src);
L_AMOOR_D: AMO_D(old | src);
L_AMOMIN_D: AMO_D(old < src ? old : src);
L_AMOMAX_D: AMO_D(old > src ? old : src);
L_AMOMINU_D: AMO_D(static_cast<uint64_t>(old) < static_cast<uint64_t>(src) ? old : src);
L_AMOMAXU_D: AMO_D(static_cast<uint64_t>(old) > static_cast<uint64_t>(src) ? old : src);

// ---- Zicsr and privileged ----
// csrrw/csrrwi with rd = x0 do not read; csrrs/c with rs1 = x0 (or a zero
// immediate) do not write, so neither has the side effects of the other.
#define CSR_OP(SRC, READS, WRITES, COMBINE)                \
  do {                                                     \
    SYNC();                                                \
    unsigned csr_ = static_cast<unsigned>(d->imm);         \
    uint64_t src_ = (SRC), old_ = 0;                       \
    if ((READS) && !h.CsrRead(csr_, &old_)) ILLEGAL();     \
    uint64_t read_ = old_;                                 \
    old_ = h.RmwValue(csr_, old_);                         \
    if ((WRITES) && !h.CsrWrite(csr_, COMBINE)) ILLEGAL(); \
    RD = read_;                                            \
    if (HartEngineAccess::CsrInsnEndsSlice(*d)) NEXT_AND_END(); \
    NEXT();                                                \
  } while (0)
L_CSRRW: CSR_OP(RS1, d->rd != 32, true, src_);
L_CSRRS: CSR_OP(RS1, true, d->rs1 != 0, old_ | src_);
L_CSRRC: CSR_OP(RS1, true, d->rs1 != 0, old_ & ~src_);
L_CSRRWI: CSR_OP(d->rs1, d->rd != 32, true, src_);
L_CSRRSI: CSR_OP(d->rs1, true, d->rs1 != 0, old_ | src_);
L_CSRRCI: CSR_OP(d->rs1, true, d->rs1 != 0, old_ & ~src_);
L_MRET:
  if (s.priv != Priv::kM) ILLEGAL();
  SYNC();
  h.ExecMret();
  pc = s.pc;
  --remaining;
  goto event_end;
L_SRET:
  if (s.priv == Priv::kU || (s.priv == Priv::kS && (s.mstatus & mstatus::kTSR))) ILLEGAL();
  SYNC();
  h.ExecSret();
  pc = s.pc;
  --remaining;
  goto event_end;
L_WFI:
  if (s.priv == Priv::kU || (s.priv == Priv::kS && (s.mstatus & mstatus::kTW))) ILLEGAL();
  if (!(h.EffectiveMip() & s.mie)) s.waiting = 1;
  NEXT_AND_END();
L_SFENCE_VMA:
  if (s.priv == Priv::kU || (s.priv == Priv::kS && (s.mstatus & mstatus::kTVM))) ILLEGAL();
  if (d->rs1 != 0) h.FlushTlbPage(RS1); else h.FlushTlbs(false);
  NEXT_AND_END();

// ---- F ----
// FP loads and stores: FS must be on; a TLB hit stays in the loop.
#define FP_LOAD(T, CONVERT)                                 \
  do {                                                      \
    FP_CHECK();                                             \
    T v_;                                                   \
    uint64_t va_ = RS1 + IMM;                               \
    if (TAPVM_LIKELY(h.LoadHit<T>(va_, &v_))) {             \
      F[d->rd] = CONVERT(v_);                               \
      h.SetFsDirty();                                       \
      NEXT();                                               \
    }                                                       \
    SYNC();                                                 \
    uint64_t w_ = 0;                                        \
    int r_ = h.LoadSlow(va_, sizeof(T), &w_);               \
    if (r_ == 0) goto exception;                            \
    F[d->rd] = CONVERT(static_cast<T>(w_));                 \
    h.SetFsDirty();                                         \
    if (r_ == 2) NEXT_AND_END();                            \
    NEXT();                                                 \
  } while (0)
#define FP_STORE(T)                                         \
  do {                                                      \
    FP_CHECK();                                             \
    STORE_OP(T, F[d->rs2]);                                 \
  } while (0)
#define RAW64(v) (v)
L_FLW: FP_LOAD(uint32_t, Box);
L_FSW: FP_STORE(uint32_t);
L_FLD: FP_LOAD(uint64_t, RAW64);
L_FSD: FP_STORE(uint64_t);
#define FS1 Unbox(F[d->rs1])
#define FS2 Unbox(F[d->rs2])
#define FS3 Unbox(F[d->rs3])
#define FP_BIN_S(FN)                                   \
  {                                                    \
    FP_RM();                                           \
    uint32_t fl = 0;                                   \
    F[d->rd] = Box(fpu::FN(FS1, FS2, rm, &fl));        \
    FP_DONE(fl);                                       \
  }
#define FP_BIN_D(FN)                                   \
  {                                                    \
    FP_RM();                                           \
    uint32_t fl = 0;                                   \
    F[d->rd] = fpu::FN(F[d->rs1], F[d->rs2], rm, &fl); \
    FP_DONE(fl);                                       \
  }
L_FADD_S: FP_BIN_S(F32Add)
L_FSUB_S: FP_BIN_S(F32Sub)
L_FMUL_S: FP_BIN_S(F32Mul)
L_FDIV_S: FP_BIN_S(F32Div)
L_FSQRT_S: {
  FP_RM();
  uint32_t fl = 0;
  F[d->rd] = Box(fpu::F32Sqrt(FS1, rm, &fl));
  FP_DONE(fl);
}
#define FMA_S(NA, NC)                                                       \
  {                                                                         \
    FP_RM();                                                                \
    uint32_t fl = 0;                                                        \
    F[d->rd] = Box(fpu::F32MulAdd(FS1 ^ (NA), FS2, FS3 ^ (NC), rm, &fl));   \
    FP_DONE(fl);                                                            \
  }
L_FMADD_S: FMA_S(0, 0)
L_FMSUB_S: FMA_S(0, kSign32)
L_FNMSUB_S: FMA_S(kSign32, 0)
L_FNMADD_S: FMA_S(kSign32, kSign32)
L_FSGNJ_S: FP_CHECK(); F[d->rd] = Box((FS1 & ~kSign32) | (FS2 & kSign32)); h.SetFsDirty(); NEXT();
L_FSGNJN_S: FP_CHECK(); F[d->rd] = Box((FS1 & ~kSign32) | (~FS2 & kSign32)); h.SetFsDirty(); NEXT();
L_FSGNJX_S: FP_CHECK(); F[d->rd] = Box(FS1 ^ (FS2 & kSign32)); h.SetFsDirty(); NEXT();
L_FMIN_S: { FP_CHECK(); uint32_t fl = 0; F[d->rd] = Box(fpu::F32Min(FS1, FS2, &fl)); FP_DONE(fl); }
L_FMAX_S: { FP_CHECK(); uint32_t fl = 0; F[d->rd] = Box(fpu::F32Max(FS1, FS2, &fl)); FP_DONE(fl); }
#define FP_TO_INT(FN, SRC)                 \
  {                                        \
    FP_RM();                               \
    uint32_t fl = 0;                       \
    RD = fpu::FN(SRC, rm, &fl);            \
    FP_DONE(fl);                           \
  }
L_FCVT_W_S: FP_TO_INT(F32ToI32, FS1)
L_FCVT_WU_S: FP_TO_INT(F32ToU32, FS1)
L_FCVT_L_S: FP_TO_INT(F32ToI64, FS1)
L_FCVT_LU_S: FP_TO_INT(F32ToU64, FS1)
L_FMV_X_W: FP_CHECK(); RD = Sext32(F[d->rs1]); NEXT();
#define FP_CMP(FN, A, B)                   \
  {                                        \
    FP_CHECK();                            \
    uint32_t fl = 0;                       \
    RD = fpu::FN(A, B, &fl) ? 1 : 0;       \
    FP_DONE(fl);                           \
  }
L_FEQ_S: FP_CMP(F32Eq, FS1, FS2)
L_FLT_S: FP_CMP(F32Lt, FS1, FS2)
L_FLE_S: FP_CMP(F32Le, FS1, FS2)
L_FCLASS_S: FP_CHECK(); RD = fpu::F32Classify(FS1); NEXT();
#define INT_TO_FP_S(FN, SRC)                   \
  {                                            \
    FP_RM();                                   \
    uint32_t fl = 0;                           \
    F[d->rd] = Box(fpu::FN(SRC, rm, &fl));     \
    FP_DONE(fl);                               \
  }
L_FCVT_S_W: INT_TO_FP_S(I32ToF32, static_cast<int32_t>(RS1))
L_FCVT_S_WU: INT_TO_FP_S(U32ToF32, static_cast<uint32_t>(RS1))
L_FCVT_S_L: INT_TO_FP_S(I64ToF32, static_cast<int64_t>(RS1))
L_FCVT_S_LU: INT_TO_FP_S(U64ToF32, RS1)
L_FMV_W_X: FP_CHECK(); F[d->rd] = Box(static_cast<uint32_t>(RS1)); h.SetFsDirty(); NEXT();

// ---- D ----
L_FADD_D: FP_BIN_D(F64Add)
L_FSUB_D: FP_BIN_D(F64Sub)
L_FMUL_D: FP_BIN_D(F64Mul)
L_FDIV_D: FP_BIN_D(F64Div)
L_FSQRT_D: {
  FP_RM();
  uint32_t fl = 0;
  F[d->rd] = fpu::F64Sqrt(F[d->rs1], rm, &fl);
  FP_DONE(fl);
}
#define FMA_D(NA, NC)                                                                 \
  {                                                                                   \
    FP_RM();                                                                          \
    uint32_t fl = 0;                                                                  \
    F[d->rd] = fpu::F64MulAdd(F[d->rs1] ^ (NA), F[d->rs2], F[d->rs3] ^ (NC), rm, &fl); \
    FP_DONE(fl);                                                                      \
  }
L_FMADD_D: FMA_D(0, 0)
L_FMSUB_D: FMA_D(0, kSign64)
L_FNMSUB_D: FMA_D(kSign64, 0)
L_FNMADD_D: FMA_D(kSign64, kSign64)
L_FSGNJ_D: FP_CHECK(); F[d->rd] = (F[d->rs1] & ~kSign64) | (F[d->rs2] & kSign64); h.SetFsDirty(); NEXT();
L_FSGNJN_D: FP_CHECK(); F[d->rd] = (F[d->rs1] & ~kSign64) | (~F[d->rs2] & kSign64); h.SetFsDirty(); NEXT();
L_FSGNJX_D: FP_CHECK(); F[d->rd] = F[d->rs1] ^ (F[d->rs2] & kSign64); h.SetFsDirty(); NEXT();
L_FMIN_D: { FP_CHECK(); uint32_t fl = 0; F[d->rd] = fpu::F64Min(F[d->rs1], F[d->rs2], &fl); FP_DONE(fl); }
L_FMAX_D: { FP_CHECK(); uint32_t fl = 0; F[d->rd] = fpu::F64Max(F[d->rs1], F[d->rs2], &fl); FP_DONE(fl); }
L_FCVT_S_D: {
  FP_RM();
  uint32_t fl = 0;
  F[d->rd] = Box(fpu::F64ToF32(F[d->rs1], rm, &fl));
  FP_DONE(fl);
}
L_FCVT_D_S: {
  FP_RM();
  (void)rm;
  uint32_t fl = 0;
  F[d->rd] = fpu::F32ToF64(FS1, &fl);
  FP_DONE(fl);
}
L_FCVT_W_D: FP_TO_INT(F64ToI32, F[d->rs1])
L_FCVT_WU_D: FP_TO_INT(F64ToU32, F[d->rs1])
L_FCVT_L_D: FP_TO_INT(F64ToI64, F[d->rs1])
L_FCVT_LU_D: FP_TO_INT(F64ToU64, F[d->rs1])
L_FMV_X_D: FP_CHECK(); RD = F[d->rs1]; NEXT();
L_FEQ_D: FP_CMP(F64Eq, F[d->rs1], F[d->rs2])
L_FLT_D: FP_CMP(F64Lt, F[d->rs1], F[d->rs2])
L_FLE_D: FP_CMP(F64Le, F[d->rs1], F[d->rs2])
L_FCLASS_D: FP_CHECK(); RD = fpu::F64Classify(F[d->rs1]); NEXT();
#define INT_TO_FP_D(FN, SRC)               \
  {                                        \
    FP_RM();                               \
    uint32_t fl = 0;                       \
    F[d->rd] = fpu::FN(SRC, rm, &fl);      \
    FP_DONE(fl);                           \
  }
L_FCVT_D_W: INT_TO_FP_D(I32ToF64, static_cast<int32_t>(RS1))
L_FCVT_D_WU: INT_TO_FP_D(U32ToF64, static_cast<uint32_t>(RS1))
L_FCVT_D_L: INT_TO_FP_D(I64ToF64, static_cast<int64_t>(RS1))
L_FCVT_D_LU: INT_TO_FP_D(U64ToF64, RS1)
L_FMV_D_X: FP_CHECK(); F[d->rd] = RS1; h.SetFsDirty(); NEXT();
}

}  // namespace tapvm
