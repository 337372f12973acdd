// IEEE 754 binary32/binary64 arithmetic with RISC-V F/D semantics.
//
// Contract: every function takes and returns raw bit patterns (uint32_t for
// single, uint64_t for double), a static rounding mode `rm` (0..4 as encoded
// in the instruction's rm field: RNE, RTZ, RDN, RUP, RMM; the hart resolves
// the dynamic mode 7 from frm before calling, and never passes 5, 6 or 7),
// and ORs the exception flags raised into `*flags` (fflags encoding below).
//
// Results are exactly those the RISC-V unprivileged spec requires: correctly
// rounded in all five modes, canonical NaN (0x7fc00000 / 0x7ff8000000000000)
// for every NaN result, tininess detected after rounding, fmin/fmax with the
// 2019 semantics (-0 < +0; one NaN operand returns the other; sNaN raises
// NV), fcvt to integer saturating with NV on NaN/overflow (NaN gives the
// maximum positive value), and a single-rounding fused multiply-add.
//
// The functions are pure: they depend on nothing but their arguments (never
// on the host's floating-point environment), so the machine stays
// deterministic. NaN-boxing and sign injection are the hart's business.
#pragma once

#include <cstdint>

namespace tapvm::fpu {

// fflags bits.
inline constexpr uint32_t kFlagNX = 1;   // inexact
inline constexpr uint32_t kFlagUF = 2;   // underflow
inline constexpr uint32_t kFlagOF = 4;   // overflow
inline constexpr uint32_t kFlagDZ = 8;   // divide by zero
inline constexpr uint32_t kFlagNV = 16;  // invalid

// Rounding modes (the rm field).
inline constexpr int kRNE = 0, kRTZ = 1, kRDN = 2, kRUP = 3, kRMM = 4;

inline constexpr uint32_t kCanonicalNaN32 = 0x7fc00000u;
inline constexpr uint64_t kCanonicalNaN64 = 0x7ff8000000000000ull;

// ---- binary32 ----
uint32_t F32Add(uint32_t a, uint32_t b, int rm, uint32_t* flags);
uint32_t F32Sub(uint32_t a, uint32_t b, int rm, uint32_t* flags);
uint32_t F32Mul(uint32_t a, uint32_t b, int rm, uint32_t* flags);
uint32_t F32Div(uint32_t a, uint32_t b, int rm, uint32_t* flags);
uint32_t F32Sqrt(uint32_t a, int rm, uint32_t* flags);
// a*b + c with a single rounding. fmsub/fnmsub/fnmadd are obtained by the
// caller flipping sign bits of the operands.
uint32_t F32MulAdd(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t* flags);
uint32_t F32Min(uint32_t a, uint32_t b, uint32_t* flags);
uint32_t F32Max(uint32_t a, uint32_t b, uint32_t* flags);
bool F32Eq(uint32_t a, uint32_t b, uint32_t* flags);  // quiet: NV only for sNaN
bool F32Lt(uint32_t a, uint32_t b, uint32_t* flags);  // signaling: NV for any NaN
bool F32Le(uint32_t a, uint32_t b, uint32_t* flags);
uint32_t F32Classify(uint32_t a);  // the 10-bit fclass mask
// fcvt.{w,wu,l,lu}.s; the 32-bit results are returned sign-extended to 64
// bits as the register write requires.
uint64_t F32ToI32(uint32_t a, int rm, uint32_t* flags);
uint64_t F32ToU32(uint32_t a, int rm, uint32_t* flags);
uint64_t F32ToI64(uint32_t a, int rm, uint32_t* flags);
uint64_t F32ToU64(uint32_t a, int rm, uint32_t* flags);
uint32_t I32ToF32(int32_t v, int rm, uint32_t* flags);
uint32_t U32ToF32(uint32_t v, int rm, uint32_t* flags);
uint32_t I64ToF32(int64_t v, int rm, uint32_t* flags);
uint32_t U64ToF32(uint64_t v, int rm, uint32_t* flags);

// ---- binary64 ----
uint64_t F64Add(uint64_t a, uint64_t b, int rm, uint32_t* flags);
uint64_t F64Sub(uint64_t a, uint64_t b, int rm, uint32_t* flags);
uint64_t F64Mul(uint64_t a, uint64_t b, int rm, uint32_t* flags);
uint64_t F64Div(uint64_t a, uint64_t b, int rm, uint32_t* flags);
uint64_t F64Sqrt(uint64_t a, int rm, uint32_t* flags);
uint64_t F64MulAdd(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t* flags);
uint64_t F64Min(uint64_t a, uint64_t b, uint32_t* flags);
uint64_t F64Max(uint64_t a, uint64_t b, uint32_t* flags);
bool F64Eq(uint64_t a, uint64_t b, uint32_t* flags);
bool F64Lt(uint64_t a, uint64_t b, uint32_t* flags);
bool F64Le(uint64_t a, uint64_t b, uint32_t* flags);
uint32_t F64Classify(uint64_t a);
uint64_t F64ToI32(uint64_t a, int rm, uint32_t* flags);
uint64_t F64ToU32(uint64_t a, int rm, uint32_t* flags);
uint64_t F64ToI64(uint64_t a, int rm, uint32_t* flags);
uint64_t F64ToU64(uint64_t a, int rm, uint32_t* flags);
uint64_t I32ToF64(int32_t v, int rm, uint32_t* flags);
uint64_t U32ToF64(uint32_t v, int rm, uint32_t* flags);
uint64_t I64ToF64(int64_t v, int rm, uint32_t* flags);
uint64_t U64ToF64(uint64_t v, int rm, uint32_t* flags);

// ---- conversions between formats ----
uint64_t F32ToF64(uint32_t a, uint32_t* flags);          // exact; sNaN raises NV
uint32_t F64ToF32(uint64_t a, int rm, uint32_t* flags);  // rounds

}  // namespace tapvm::fpu
