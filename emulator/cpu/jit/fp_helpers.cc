// FP helpers (fp_helpers.h): each mirrors one of the interpreter's FP
// handler macros (FP_BIN_S, FMA_D, FP_TO_INT, ...).
#include "emulator/cpu/jit/fp_helpers.h"

#include "emulator/cpu/fpu.h"

namespace tapvm::jit {

namespace {

constexpr uint32_t kSign32 = 0x80000000u;
constexpr uint64_t kSign64 = 0x8000000000000000ull;

inline uint32_t Unbox(uint64_t f) {
  return (f >> 32) == 0xffffffffu ? static_cast<uint32_t>(f) : fpu::kCanonicalNaN32;
}
inline uint64_t Box(uint32_t v) { return 0xffffffff00000000ull | v; }
inline uint64_t Sext32(uint64_t v) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v))); }

struct Ops {
  unsigned rd, rs1, rs2, rs3;
  int rm;
};

// Decodes the operands and makes the interpreter's checks: FS on (FP_CHECK)
// and, when `with_rm`, a valid rounding mode (FP_RM). false: illegal.
inline bool Begin(JitContext* c, uint64_t p, bool with_rm, HartState** s, Ops* o) {
  *s = &c->hart.state();
  *o = Ops{static_cast<unsigned>(p & 0xff), static_cast<unsigned>((p >> 8) & 0xff),
           static_cast<unsigned>((p >> 16) & 0xff), static_cast<unsigned>((p >> 24) & 0xff),
           static_cast<int>((p >> 32) & 0xff)};
  if (!((*s)->mstatus & mstatus::kFS)) return false;
  if (with_rm && o->rm == 7) {
    o->rm = static_cast<int>((*s)->frm);
    if (o->rm > 4) return false;
  }
  return true;
}
// FP_DONE: accrue the flags, mark FS dirty.
inline uint64_t Done(JitContext* c, HartState* s, uint32_t fl) {
  s->fflags |= fl;
  c->hart.SetFsDirty();
  return 0;
}

#define FP_BEGIN(with_rm)                      \
  HartState* s;                                \
  Ops o;                                       \
  if (!Begin(c, p, with_rm, &s, &o)) return 1; \
  uint32_t fl = 0

template <uint32_t (*Fn)(uint32_t, uint32_t, int, uint32_t*)>
uint64_t BinS(JitContext* c, uint64_t p) {
  FP_BEGIN(true);
  s->f[o.rd] = Box(Fn(Unbox(s->f[o.rs1]), Unbox(s->f[o.rs2]), o.rm, &fl));
  return Done(c, s, fl);
}
template <uint64_t (*Fn)(uint64_t, uint64_t, int, uint32_t*)>
uint64_t BinD(JitContext* c, uint64_t p) {
  FP_BEGIN(true);
  s->f[o.rd] = Fn(s->f[o.rs1], s->f[o.rs2], o.rm, &fl);
  return Done(c, s, fl);
}
uint64_t SqrtS(JitContext* c, uint64_t p) {
  FP_BEGIN(true);
  s->f[o.rd] = Box(fpu::F32Sqrt(Unbox(s->f[o.rs1]), o.rm, &fl));
  return Done(c, s, fl);
}
uint64_t SqrtD(JitContext* c, uint64_t p) {
  FP_BEGIN(true);
  s->f[o.rd] = fpu::F64Sqrt(s->f[o.rs1], o.rm, &fl);
  return Done(c, s, fl);
}
template <uint32_t kNegA, uint32_t kNegC>
uint64_t FmaS(JitContext* c, uint64_t p) {
  FP_BEGIN(true);
  s->f[o.rd] = Box(fpu::F32MulAdd(Unbox(s->f[o.rs1]) ^ kNegA, Unbox(s->f[o.rs2]), Unbox(s->f[o.rs3]) ^ kNegC,
                                  o.rm, &fl));
  return Done(c, s, fl);
}
template <uint64_t kNegA, uint64_t kNegC>
uint64_t FmaD(JitContext* c, uint64_t p) {
  FP_BEGIN(true);
  s->f[o.rd] = fpu::F64MulAdd(s->f[o.rs1] ^ kNegA, s->f[o.rs2], s->f[o.rs3] ^ kNegC, o.rm, &fl);
  return Done(c, s, fl);
}
// Sign injection: 0 = fsgnj, 1 = fsgnjn, 2 = fsgnjx; no flags.
template <int kKind>
uint64_t SgnjS(JitContext* c, uint64_t p) {
  FP_BEGIN(false);
  uint32_t a = Unbox(s->f[o.rs1]), b = Unbox(s->f[o.rs2]);
  uint32_t r = kKind == 0 ? (a & ~kSign32) | (b & kSign32)
               : kKind == 1 ? (a & ~kSign32) | (~b & kSign32)
                            : a ^ (b & kSign32);
  s->f[o.rd] = Box(r);
  return Done(c, s, fl);
}
template <int kKind>
uint64_t SgnjD(JitContext* c, uint64_t p) {
  FP_BEGIN(false);
  uint64_t a = s->f[o.rs1], b = s->f[o.rs2];
  s->f[o.rd] = kKind == 0 ? (a & ~kSign64) | (b & kSign64)
               : kKind == 1 ? (a & ~kSign64) | (~b & kSign64)
                            : a ^ (b & kSign64);
  return Done(c, s, fl);
}
template <uint32_t (*Fn)(uint32_t, uint32_t, uint32_t*)>
uint64_t MinMaxS(JitContext* c, uint64_t p) {
  FP_BEGIN(false);
  s->f[o.rd] = Box(Fn(Unbox(s->f[o.rs1]), Unbox(s->f[o.rs2]), &fl));
  return Done(c, s, fl);
}
template <uint64_t (*Fn)(uint64_t, uint64_t, uint32_t*)>
uint64_t MinMaxD(JitContext* c, uint64_t p) {
  FP_BEGIN(false);
  s->f[o.rd] = Fn(s->f[o.rs1], s->f[o.rs2], &fl);
  return Done(c, s, fl);
}
template <uint64_t (*Fn)(uint32_t, int, uint32_t*)>
uint64_t ToIntS(JitContext* c, uint64_t p) {
  FP_BEGIN(true);
  s->x[o.rd] = Fn(Unbox(s->f[o.rs1]), o.rm, &fl);
  return Done(c, s, fl);
}
template <uint64_t (*Fn)(uint64_t, int, uint32_t*)>
uint64_t ToIntD(JitContext* c, uint64_t p) {
  FP_BEGIN(true);
  s->x[o.rd] = Fn(s->f[o.rs1], o.rm, &fl);
  return Done(c, s, fl);
}
template <typename T, uint32_t (*Fn)(T, int, uint32_t*)>
uint64_t FromIntS(JitContext* c, uint64_t p) {
  FP_BEGIN(true);
  s->f[o.rd] = Box(Fn(static_cast<T>(s->x[o.rs1]), o.rm, &fl));
  return Done(c, s, fl);
}
template <typename T, uint64_t (*Fn)(T, int, uint32_t*)>
uint64_t FromIntD(JitContext* c, uint64_t p) {
  FP_BEGIN(true);
  s->f[o.rd] = Fn(static_cast<T>(s->x[o.rs1]), o.rm, &fl);
  return Done(c, s, fl);
}
template <bool (*Fn)(uint32_t, uint32_t, uint32_t*)>
uint64_t CmpS(JitContext* c, uint64_t p) {
  FP_BEGIN(false);
  s->x[o.rd] = Fn(Unbox(s->f[o.rs1]), Unbox(s->f[o.rs2]), &fl) ? 1 : 0;
  return Done(c, s, fl);
}
template <bool (*Fn)(uint64_t, uint64_t, uint32_t*)>
uint64_t CmpD(JitContext* c, uint64_t p) {
  FP_BEGIN(false);
  s->x[o.rd] = Fn(s->f[o.rs1], s->f[o.rs2], &fl) ? 1 : 0;
  return Done(c, s, fl);
}
// fclass and fmv.x.*: no flags, FS left as it is.
uint64_t ClassS(JitContext* c, uint64_t p) {
  FP_BEGIN(false);
  s->x[o.rd] = fpu::F32Classify(Unbox(s->f[o.rs1]));
  return fl;
}
uint64_t ClassD(JitContext* c, uint64_t p) {
  FP_BEGIN(false);
  s->x[o.rd] = fpu::F64Classify(s->f[o.rs1]);
  return fl;
}
uint64_t MvXW(JitContext* c, uint64_t p) {
  FP_BEGIN(false);
  s->x[o.rd] = Sext32(s->f[o.rs1]);
  return fl;
}
uint64_t MvXD(JitContext* c, uint64_t p) {
  FP_BEGIN(false);
  s->x[o.rd] = s->f[o.rs1];
  return fl;
}
uint64_t MvWX(JitContext* c, uint64_t p) {
  FP_BEGIN(false);
  s->f[o.rd] = Box(static_cast<uint32_t>(s->x[o.rs1]));
  return Done(c, s, fl);
}
uint64_t MvDX(JitContext* c, uint64_t p) {
  FP_BEGIN(false);
  s->f[o.rd] = s->x[o.rs1];
  return Done(c, s, fl);
}
uint64_t CvtSD(JitContext* c, uint64_t p) {
  FP_BEGIN(true);
  s->f[o.rd] = Box(fpu::F64ToF32(s->f[o.rs1], o.rm, &fl));
  return Done(c, s, fl);
}
uint64_t CvtDS(JitContext* c, uint64_t p) {
  FP_BEGIN(true);  // the rounding mode is checked though unused, as FP_RM does
  s->f[o.rd] = fpu::F32ToF64(Unbox(s->f[o.rs1]), &fl);
  return Done(c, s, fl);
}

}  // namespace

FpHelper FpHelperFor(Op op) {
  using namespace fpu;
  switch (op) {
    case Op::FADD_S: return &BinS<F32Add>;
    case Op::FSUB_S: return &BinS<F32Sub>;
    case Op::FMUL_S: return &BinS<F32Mul>;
    case Op::FDIV_S: return &BinS<F32Div>;
    case Op::FSQRT_S: return &SqrtS;
    case Op::FMADD_S: return &FmaS<0, 0>;
    case Op::FMSUB_S: return &FmaS<0, kSign32>;
    case Op::FNMSUB_S: return &FmaS<kSign32, 0>;
    case Op::FNMADD_S: return &FmaS<kSign32, kSign32>;
    case Op::FSGNJ_S: return &SgnjS<0>;
    case Op::FSGNJN_S: return &SgnjS<1>;
    case Op::FSGNJX_S: return &SgnjS<2>;
    case Op::FMIN_S: return &MinMaxS<F32Min>;
    case Op::FMAX_S: return &MinMaxS<F32Max>;
    case Op::FCVT_W_S: return &ToIntS<F32ToI32>;
    case Op::FCVT_WU_S: return &ToIntS<F32ToU32>;
    case Op::FCVT_L_S: return &ToIntS<F32ToI64>;
    case Op::FCVT_LU_S: return &ToIntS<F32ToU64>;
    case Op::FMV_X_W: return &MvXW;
    case Op::FEQ_S: return &CmpS<F32Eq>;
    case Op::FLT_S: return &CmpS<F32Lt>;
    case Op::FLE_S: return &CmpS<F32Le>;
    case Op::FCLASS_S: return &ClassS;
    case Op::FCVT_S_W: return &FromIntS<int32_t, I32ToF32>;
    case Op::FCVT_S_WU: return &FromIntS<uint32_t, U32ToF32>;
    case Op::FCVT_S_L: return &FromIntS<int64_t, I64ToF32>;
    case Op::FCVT_S_LU: return &FromIntS<uint64_t, U64ToF32>;
    case Op::FMV_W_X: return &MvWX;
    case Op::FADD_D: return &BinD<F64Add>;
    case Op::FSUB_D: return &BinD<F64Sub>;
    case Op::FMUL_D: return &BinD<F64Mul>;
    case Op::FDIV_D: return &BinD<F64Div>;
    case Op::FSQRT_D: return &SqrtD;
    case Op::FMADD_D: return &FmaD<0, 0>;
    case Op::FMSUB_D: return &FmaD<0, kSign64>;
    case Op::FNMSUB_D: return &FmaD<kSign64, 0>;
    case Op::FNMADD_D: return &FmaD<kSign64, kSign64>;
    case Op::FSGNJ_D: return &SgnjD<0>;
    case Op::FSGNJN_D: return &SgnjD<1>;
    case Op::FSGNJX_D: return &SgnjD<2>;
    case Op::FMIN_D: return &MinMaxD<F64Min>;
    case Op::FMAX_D: return &MinMaxD<F64Max>;
    case Op::FCVT_S_D: return &CvtSD;
    case Op::FCVT_D_S: return &CvtDS;
    case Op::FCVT_W_D: return &ToIntD<F64ToI32>;
    case Op::FCVT_WU_D: return &ToIntD<F64ToU32>;
    case Op::FCVT_L_D: return &ToIntD<F64ToI64>;
    case Op::FCVT_LU_D: return &ToIntD<F64ToU64>;
    case Op::FMV_X_D: return &MvXD;
    case Op::FEQ_D: return &CmpD<F64Eq>;
    case Op::FLT_D: return &CmpD<F64Lt>;
    case Op::FLE_D: return &CmpD<F64Le>;
    case Op::FCLASS_D: return &ClassD;
    case Op::FCVT_D_W: return &FromIntD<int32_t, I32ToF64>;
    case Op::FCVT_D_WU: return &FromIntD<uint32_t, U32ToF64>;
    case Op::FCVT_D_L: return &FromIntD<int64_t, I64ToF64>;
    case Op::FCVT_D_LU: return &FromIntD<uint64_t, U64ToF64>;
    case Op::FMV_D_X: return &MvDX;
    default: return nullptr;
  }
}

}  // namespace tapvm::jit
