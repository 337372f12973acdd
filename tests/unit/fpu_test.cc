// Tests of the soft-float unit (emulator/cpu/fpu.h).
//
// Two kinds of checks:
//  - hand-checked vectors (expected values worked out from the IEEE 754 /
//    RISC-V rules, the reasoning in the comments) for every function;
//  - randomized cross-checks against the host's x86 SSE arithmetic, which
//    is IEEE 754 with tininess detected after rounding like RISC-V, in the
//    four rounding modes SSE has (driven through MXCSR by inline assembly so
//    the compiler cannot move the operation away from the flag reads), and
//    against tie-aware references for RMM, which SSE lacks. Only the test
//    touches the host floating-point environment; fpu.cc never does.
#include "emulator/cpu/fpu.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <tuple>

namespace tapvm::fpu {
namespace {

constexpr uint32_t NX = kFlagNX, UF = kFlagUF, OF = kFlagOF, DZ = kFlagDZ, NV = kFlagNV;

uint32_t B(float f) { return std::bit_cast<uint32_t>(f); }
uint64_t B(double d) { return std::bit_cast<uint64_t>(d); }
float F(uint32_t u) { return std::bit_cast<float>(u); }
double D(uint64_t u) { return std::bit_cast<double>(u); }

std::string FlagString(uint32_t f) {
  std::string s;
  if (f & NV) s += "NV ";
  if (f & DZ) s += "DZ ";
  if (f & OF) s += "OF ";
  if (f & UF) s += "UF ";
  if (f & NX) s += "NX ";
  return s.empty() ? "-" : s;
}

// A result and the flags it raised, comparable and printable in hex.
template <class T> struct Res {
  T v;
  uint32_t flags;
  bool operator==(const Res&) const = default;
};
template <class T> std::ostream& operator<<(std::ostream& os, const Res<T>& r) {
  return os << "0x" << std::hex << uint64_t(r.v) << std::dec << " [" << FlagString(r.flags) << "]";
}
template <class T> Res<T> R(T v, uint32_t flags = 0) { return {v, flags}; }
Res<uint32_t> R32(uint32_t v, uint32_t flags = 0) { return {v, flags}; }
Res<uint64_t> R64(uint64_t v, uint32_t flags = 0) { return {v, flags}; }
Res<bool> RB(bool v, uint32_t flags = 0) { return {v, flags}; }

// Calls fn(args..., &flags) and returns {result, flags}.
#define CALL(fn, ...)                     \
  ([&] {                                  \
    uint32_t flags_ = 0;                  \
    auto v_ = fn(__VA_ARGS__, &flags_);   \
    return Res<decltype(v_)>{v_, flags_}; \
  }())

// ---- binary32 constants ----
constexpr uint32_t kOne32 = 0x3f800000, kTwo32 = 0x40000000, kHalf32 = 0x3f000000;
constexpr uint32_t kInf32 = 0x7f800000, kNInf32 = 0xff800000;
constexpr uint32_t kQNaN32 = 0x7fc00000, kSNaN32 = 0x7f800001;
constexpr uint32_t kMax32 = 0x7f7fffff, kMinNorm32 = 0x00800000, kMinSub32 = 0x00000001;
constexpr uint32_t kNeg32 = 0x80000000;
// ---- binary64 constants ----
constexpr uint64_t kOne64 = 0x3ff0000000000000, kHalf64 = 0x3fe0000000000000;
constexpr uint64_t kInf64 = 0x7ff0000000000000, kNInf64 = 0xfff0000000000000;
constexpr uint64_t kQNaN64 = 0x7ff8000000000000, kSNaN64 = 0x7ff0000000000001;
constexpr uint64_t kMax64 = 0x7fefffffffffffff, kMinNorm64 = 0x0010000000000000;
constexpr uint64_t kMinSub64 = 1, kNeg64 = 0x8000000000000000;

constexpr int kModes[] = {kRNE, kRTZ, kRDN, kRUP, kRMM};

// ===================== hand-checked vectors =====================

TEST(FpuAdd, TiesAndNearTiesInEveryMode32) {
  // 1 + 2^-24 is exactly half an ulp above 1 (1.0 is even).
  const uint32_t half_ulp = 0x33800000;  // 2^-24
  const uint32_t expect_tie_even[] = {kOne32, kOne32, kOne32, 0x3f800001, 0x3f800001};
  // (1 + 2^-23) + 2^-24: halfway between ...01 (odd) and ...02 (even).
  const uint32_t expect_tie_odd[] = {0x3f800002, 0x3f800001, 0x3f800001, 0x3f800002, 0x3f800002};
  // -1 - 2^-24: the mirror image; RDN now rounds away from zero.
  const uint32_t expect_neg_tie[] = {0xbf800000, 0xbf800000, 0xbf800001, 0xbf800000, 0xbf800001};
  // 1 + (2^-24 + 2^-47): just above the tie.
  const uint32_t expect_above[] = {0x3f800001, kOne32, kOne32, 0x3f800001, 0x3f800001};
  // 1 + (2^-24 - 2^-48): just below the tie.
  const uint32_t expect_below[] = {kOne32, kOne32, kOne32, 0x3f800001, kOne32};
  for (int rm : kModes) {
    SCOPED_TRACE(rm);
    EXPECT_EQ(CALL(F32Add, kOne32, half_ulp, rm), R32(expect_tie_even[rm], NX));
    EXPECT_EQ(CALL(F32Add, 0x3f800001, half_ulp, rm), R32(expect_tie_odd[rm], NX));
    EXPECT_EQ(CALL(F32Add, 0xbf800000, half_ulp | kNeg32, rm), R32(expect_neg_tie[rm], NX));
    EXPECT_EQ(CALL(F32Add, kOne32, 0x33800001, rm), R32(expect_above[rm], NX));
    EXPECT_EQ(CALL(F32Add, kOne32, 0x337fffff, rm), R32(expect_below[rm], NX));
    // Subtraction is addition of the negated operand.
    EXPECT_EQ(CALL(F32Sub, kOne32, half_ulp | kNeg32, rm), R32(expect_tie_even[rm], NX));
  }
}

TEST(FpuAdd, TiesAndNearTiesInEveryMode64) {
  const uint64_t half_ulp = 0x3ca0000000000000;  // 2^-53
  const uint64_t one_p = 0x3ff0000000000001;
  const uint64_t expect_tie_even[] = {kOne64, kOne64, kOne64, one_p, one_p};
  const uint64_t expect_tie_odd[] = {one_p + 1, one_p, one_p, one_p + 1, one_p + 1};
  const uint64_t expect_neg_tie[] = {kOne64 | kNeg64, kOne64 | kNeg64, one_p | kNeg64,
                                     kOne64 | kNeg64, one_p | kNeg64};
  for (int rm : kModes) {
    SCOPED_TRACE(rm);
    EXPECT_EQ(CALL(F64Add, kOne64, half_ulp, rm), R64(expect_tie_even[rm], NX));
    EXPECT_EQ(CALL(F64Add, one_p, half_ulp, rm), R64(expect_tie_odd[rm], NX));
    EXPECT_EQ(CALL(F64Sub, kOne64 | kNeg64, half_ulp, rm), R64(expect_neg_tie[rm], NX));
  }
}

TEST(FpuAdd, ExactResultsAndZeros) {
  EXPECT_EQ(CALL(F32Add, kOne32, kOne32, kRNE), R32(kTwo32));
  EXPECT_EQ(CALL(F32Add, 0x3fc00000, 0x3fc00000, kRNE), R32(0x40400000));  // 1.5+1.5
  // x - x is +0 in every mode but RDN, where it is -0.
  for (int rm : kModes) {
    uint32_t z = rm == kRDN ? kNeg32 : 0;
    EXPECT_EQ(CALL(F32Sub, 0x40490fdb, 0x40490fdb, rm), R32(z));
    EXPECT_EQ(CALL(F32Add, 0, kNeg32, rm), R32(z));
    EXPECT_EQ(CALL(F64Sub, kOne64, kOne64, rm), R64(rm == kRDN ? kNeg64 : 0));
    EXPECT_EQ(CALL(F32Add, kNeg32, kNeg32, rm), R32(kNeg32));  // -0 + -0
  }
  EXPECT_EQ(CALL(F32Add, kNeg32, 0x00000005, kRNE), R32(0x00000005));  // x + 0 = x
  // Subnormal arithmetic is exact: no UF without NX.
  EXPECT_EQ(CALL(F32Add, kMinSub32, kMinSub32, kRNE), R32(2));
  EXPECT_EQ(CALL(F32Sub, kMinNorm32, kMinSub32, kRNE), R32(0x007fffff));
  EXPECT_EQ(CALL(F32Add, 0x007fffff, kMinSub32, kRNE), R32(kMinNorm32));
  EXPECT_EQ(CALL(F64Sub, kMinNorm64, kMinSub64, kRNE), R64(0x000fffffffffffff));
  // Massive cancellation: (1 + 2^-23) - 1 = 2^-23 exactly.
  EXPECT_EQ(CALL(F32Sub, 0x3f800001, kOne32, kRNE), R32(0x34000000));
  // A far-away tiny operand only affects directed rounding.
  EXPECT_EQ(CALL(F64Add, kOne64, kMinSub64, kRNE), R64(kOne64, NX));
  EXPECT_EQ(CALL(F64Add, kOne64, kMinSub64, kRUP), R64(kOne64 + 1, NX));
  EXPECT_EQ(CALL(F64Sub, kOne64, kMinSub64, kRTZ), R64(0x3fefffffffffffff, NX));
  EXPECT_EQ(CALL(F64Sub, kOne64, kMinSub64, kRNE), R64(kOne64, NX));
}

TEST(FpuAdd, Overflow) {
  // max + max overflows: RNE/RMM give inf, RTZ gives max, RDN/RUP depend on sign.
  const uint32_t pos[] = {kInf32, kMax32, kMax32, kInf32, kInf32};
  const uint32_t neg[] = {kNInf32, kMax32 | kNeg32, kNInf32, kMax32 | kNeg32, kNInf32};
  for (int rm : kModes) {
    EXPECT_EQ(CALL(F32Add, kMax32, kMax32, rm), R32(pos[rm], OF | NX));
    EXPECT_EQ(CALL(F32Add, kMax32 | kNeg32, kMax32 | kNeg32, rm), R32(neg[rm], OF | NX));
  }
  // max + 2^103 is exactly half an ulp (2^104) above max, which is odd: RNE
  // rounds up to 2^128, i.e. overflows. RTZ/RDN stay at max, merely inexact.
  EXPECT_EQ(CALL(F32Add, kMax32, 0x73000000, kRNE), R32(kInf32, OF | NX));
  EXPECT_EQ(CALL(F32Add, kMax32, 0x73000000, kRMM), R32(kInf32, OF | NX));
  EXPECT_EQ(CALL(F32Add, kMax32, 0x73000000, kRTZ), R32(kMax32, NX));
  EXPECT_EQ(CALL(F32Add, kMax32, 0x73000000, kRDN), R32(kMax32, NX));
  // A quarter ulp: only RUP overflows.
  EXPECT_EQ(CALL(F32Add, kMax32, 0x72800000, kRNE), R32(kMax32, NX));
  EXPECT_EQ(CALL(F32Add, kMax32, 0x72800000, kRUP), R32(kInf32, OF | NX));
  EXPECT_EQ(CALL(F64Add, kMax64, kMax64, kRNE), R64(kInf64, OF | NX));
  EXPECT_EQ(CALL(F64Add, kMax64, kMax64, kRTZ), R64(kMax64, OF | NX));
}

TEST(FpuAdd, SpecialOperands) {
  EXPECT_EQ(CALL(F32Add, kInf32, kNInf32, kRNE), R32(kQNaN32, NV));
  EXPECT_EQ(CALL(F32Sub, kInf32, kInf32, kRNE), R32(kQNaN32, NV));
  EXPECT_EQ(CALL(F32Add, kInf32, kInf32, kRNE), R32(kInf32));
  EXPECT_EQ(CALL(F32Add, kNInf32, kMax32, kRNE), R32(kNInf32));
  EXPECT_EQ(CALL(F32Add, kOne32, kNInf32, kRNE), R32(kNInf32));
  // Any NaN gives the canonical NaN; only a signaling one raises NV.
  EXPECT_EQ(CALL(F32Add, 0xffc12345, kOne32, kRNE), R32(kQNaN32));
  EXPECT_EQ(CALL(F32Add, kOne32, kSNaN32, kRNE), R32(kQNaN32, NV));
  EXPECT_EQ(CALL(F32Add, kSNaN32, kInf32, kRNE), R32(kQNaN32, NV));
  EXPECT_EQ(CALL(F64Add, 0x7ff4000000000000, kOne64, kRNE), R64(kQNaN64, NV));
  EXPECT_EQ(CALL(F64Sub, 0xfff8000000000123, kInf64, kRNE), R64(kQNaN64));
}

TEST(FpuMul, RoundingAndExactness) {
  EXPECT_EQ(CALL(F32Mul, 0x3fc00000, 0x3fc00000, kRNE), R32(0x40100000));  // 1.5^2 = 2.25
  // (1 + 2^-23)^2 = 1 + 2^-22 + 2^-46: below the half-way point.
  const uint32_t sq[] = {0x3f800002, 0x3f800002, 0x3f800002, 0x3f800003, 0x3f800002};
  for (int rm : kModes) EXPECT_EQ(CALL(F32Mul, 0x3f800001, 0x3f800001, rm), R32(sq[rm], NX));
  EXPECT_EQ(CALL(F32Mul, kOne32 | kNeg32, 0, kRNE), R32(kNeg32));  // -1 * 0 = -0
  EXPECT_EQ(CALL(F32Mul, kInf32, 0, kRNE), R32(kQNaN32, NV));
  EXPECT_EQ(CALL(F32Mul, kNeg32, kNInf32, kRNE), R32(kQNaN32, NV));
  EXPECT_EQ(CALL(F32Mul, kNInf32, kTwo32, kRNE), R32(kNInf32));
  EXPECT_EQ(CALL(F32Mul, kQNaN32, 0, kRNE), R32(kQNaN32));
  EXPECT_EQ(CALL(F64Mul, kSNaN64, 0, kRNE), R64(kQNaN64, NV));
  EXPECT_EQ(CALL(F64Mul, kMax64, 0x4000000000000000, kRNE), R64(kInf64, OF | NX));
  EXPECT_EQ(CALL(F64Mul, kMax64, 0x4000000000000000, kRDN), R64(kMax64, OF | NX));
  EXPECT_EQ(CALL(F64Mul, kMax64 | kNeg64, 0x4000000000000000, kRDN), R64(kNInf64, OF | NX));
  // 3 * (1/3 rounded) in double: 0x3fd5555555555555 * 3 = 1 - 2^-54 -> ties to 1.0.
  EXPECT_EQ(CALL(F64Mul, 0x3fd5555555555555, 0x4008000000000000, kRNE), R64(kOne64, NX));
  EXPECT_EQ(CALL(F64Mul, 0x3fd5555555555555, 0x4008000000000000, kRTZ),
            R64(0x3fefffffffffffff, NX));
}

TEST(FpuMul, Underflow) {
  // 2^-126 * 0.5 = 2^-127: tiny but exact, so no flags at all.
  EXPECT_EQ(CALL(F32Mul, kMinNorm32, kHalf32, kRNE), R32(0x00400000));
  // 2^-149 * 0.5 = 2^-150: tie between 0 and the smallest subnormal.
  const uint32_t tie0[] = {0, 0, 0, 1, 1};
  const uint32_t tie0n[] = {kNeg32, kNeg32, kNeg32 | 1, kNeg32, kNeg32 | 1};
  // 3*2^-149 * 0.5: tie between 1 and 2 subnormal ulps.
  const uint32_t tie1[] = {2, 1, 1, 2, 2};
  for (int rm : kModes) {
    SCOPED_TRACE(rm);
    EXPECT_EQ(CALL(F32Mul, kMinSub32, kHalf32, rm), R32(tie0[rm], UF | NX));
    EXPECT_EQ(CALL(F32Mul, kMinSub32, kHalf32 | kNeg32, rm), R32(tie0n[rm], UF | NX));
    EXPECT_EQ(CALL(F32Mul, 3, kHalf32, rm), R32(tie1[rm], UF | NX));
  }
  // (1 - 2^-24) * 2^-126 is exact at 24 bits, so it is tiny; at subnormal
  // precision it is a tie between 0x007fffff (odd) and 2^-126 (even): RNE
  // returns the normal 2^-126 and still raises UF (tininess after rounding).
  EXPECT_EQ(CALL(F32Mul, 0x3f7fffff, kMinNorm32, kRNE), R32(kMinNorm32, UF | NX));
  EXPECT_EQ(CALL(F32Mul, 0x3f7fffff, kMinNorm32, kRTZ), R32(0x007fffff, UF | NX));
  EXPECT_EQ(CALL(F64Mul, kMinSub64, kHalf64, kRNE), R64(0, UF | NX));
  EXPECT_EQ(CALL(F64Mul, kMinSub64, kHalf64, kRUP), R64(1, UF | NX));
  EXPECT_EQ(CALL(F64Mul, kMinSub64, kMinSub64, kRDN), R64(0, UF | NX));
  EXPECT_EQ(CALL(F64Mul, kMinSub64 | kNeg64, kMinSub64, kRDN), R64(kNeg64 | 1, UF | NX));
  EXPECT_EQ(CALL(F64Mul, 0x3fefffffffffffff, kMinNorm64, kRNE), R64(kMinNorm64, UF | NX));
}

TEST(FpuDiv, Vectors) {
  // 1/3 = 2^-2 * 1.0101...: the dropped part is 2/3 ulp.
  const uint32_t third[] = {0x3eaaaaab, 0x3eaaaaaa, 0x3eaaaaaa, 0x3eaaaaab, 0x3eaaaaab};
  const uint64_t third64[] = {0x3fd5555555555555, 0x3fd5555555555555, 0x3fd5555555555555,
                              0x3fd5555555555556, 0x3fd5555555555555};
  for (int rm : kModes) {
    EXPECT_EQ(CALL(F32Div, kOne32, 0x40400000, rm), R32(third[rm], NX));
    EXPECT_EQ(CALL(F64Div, kOne64, 0x4008000000000000, rm), R64(third64[rm], NX));
  }
  EXPECT_EQ(CALL(F32Div, 0x40c00000, 0x40400000, kRNE), R32(kTwo32));  // 6/3
  EXPECT_EQ(CALL(F32Div, kOne32, 0, kRNE), R32(kInf32, DZ));
  EXPECT_EQ(CALL(F32Div, kOne32 | kNeg32, 0, kRNE), R32(kNInf32, DZ));
  EXPECT_EQ(CALL(F32Div, kOne32, kNeg32, kRNE), R32(kNInf32, DZ));
  EXPECT_EQ(CALL(F32Div, 0, 0, kRNE), R32(kQNaN32, NV));
  EXPECT_EQ(CALL(F32Div, kInf32, kNInf32, kRNE), R32(kQNaN32, NV));
  EXPECT_EQ(CALL(F32Div, kInf32, 0, kRNE), R32(kInf32));  // no DZ for inf / 0
  EXPECT_EQ(CALL(F32Div, kOne32, kNInf32, kRNE), R32(kNeg32));
  EXPECT_EQ(CALL(F32Div, kNeg32, kOne32, kRNE), R32(kNeg32));
  EXPECT_EQ(CALL(F32Div, kQNaN32, 0, kRNE), R32(kQNaN32));  // NaN first: no DZ
  EXPECT_EQ(CALL(F64Div, kMax64, kHalf64, kRNE), R64(kInf64, OF | NX));
  EXPECT_EQ(CALL(F64Div, kMinNorm64, 0x4000000000000000, kRNE), R64(0x0008000000000000));
  // 3*2^-1074 / 2 is a tie between 1 and 2 subnormal ulps.
  EXPECT_EQ(CALL(F64Div, 3, 0x4000000000000000, kRNE), R64(2, UF | NX));
  EXPECT_EQ(CALL(F64Div, 3, 0x4000000000000000, kRMM), R64(2, UF | NX));
  EXPECT_EQ(CALL(F64Div, 1, 0x4000000000000000, kRMM), R64(1, UF | NX));
  EXPECT_EQ(CALL(F64Div, 1, 0x4000000000000000, kRNE), R64(0, UF | NX));
}

TEST(FpuSqrt, Vectors) {
  EXPECT_EQ(CALL(F32Sqrt, 0x40800000, kRNE), R32(kTwo32));   // sqrt 4
  EXPECT_EQ(CALL(F32Sqrt, 0x3e800000, kRNE), R32(kHalf32));  // sqrt 1/4
  // sqrt(2) = 1.0110101000001001111001100110011... : the 24-bit prefix is
  // 0x3504f3 (with hidden bit) and the next bit is 0.
  EXPECT_EQ(CALL(F32Sqrt, kTwo32, kRNE), R32(0x3fb504f3, NX));
  EXPECT_EQ(CALL(F32Sqrt, kTwo32, kRUP), R32(0x3fb504f4, NX));
  // sqrt(2) in double rounds up (RNE, RUP, RMM) from ...bcc.
  const uint64_t s2[] = {0x3ff6a09e667f3bcd, 0x3ff6a09e667f3bcc, 0x3ff6a09e667f3bcc,
                         0x3ff6a09e667f3bcd, 0x3ff6a09e667f3bcd};
  for (int rm : kModes) EXPECT_EQ(CALL(F64Sqrt, 0x4000000000000000, rm), R64(s2[rm], NX));
  EXPECT_EQ(CALL(F32Sqrt, kNeg32, kRNE), R32(kNeg32));  // sqrt(-0) = -0
  EXPECT_EQ(CALL(F32Sqrt, 0, kRNE), R32(0));
  EXPECT_EQ(CALL(F32Sqrt, kInf32, kRNE), R32(kInf32));
  EXPECT_EQ(CALL(F32Sqrt, kNInf32, kRNE), R32(kQNaN32, NV));
  EXPECT_EQ(CALL(F32Sqrt, kOne32 | kNeg32, kRNE), R32(kQNaN32, NV));
  EXPECT_EQ(CALL(F32Sqrt, kNeg32 | 1, kRNE), R32(kQNaN32, NV));  // -subnormal
  EXPECT_EQ(CALL(F32Sqrt, kSNaN32, kRNE), R32(kQNaN32, NV));
  EXPECT_EQ(CALL(F32Sqrt, 0xffc00000, kRNE), R32(kQNaN32));
  // sqrt(2^-148) = 2^-74 exactly (a subnormal operand, a normal result).
  EXPECT_EQ(CALL(F32Sqrt, 2, kRNE), R32(0x1a800000));
  EXPECT_EQ(CALL(F64Sqrt, 4, kRNE), R64(0x1e70000000000000));  // sqrt(2^-1072) = 2^-536
  EXPECT_EQ(CALL(F64Sqrt, 0x7fefffffffffffff, kRNE), R64(0x5fefffffffffffff, NX));
}

TEST(FpuMulAdd, SingleRounding) {
  // (1 + 2^-23)(1 - 2^-23) - 1 = -2^-46 exactly; a separate multiply would
  // have rounded the product to 1 and returned 0.
  EXPECT_EQ(CALL(F32MulAdd, 0x3f800001, 0x3f7ffffe, 0xbf800000, kRNE), R32(0xa8800000));
  // (1 + 2^-23)^2 - (1 + 2^-22) = 2^-46.
  EXPECT_EQ(CALL(F32MulAdd, 0x3f800001, 0x3f800001, 0xbf800002, kRNE), R32(0x28800000));
  // (1 + 2^-52)(1 - 2^-53) - 1 = 2^-53 - 2^-105 = 2^-54 (2 - 2^-51): exact.
  EXPECT_EQ(CALL(F64MulAdd, 0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000, kRNE),
            R64(0x3c9ffffffffffffe));
  // 1*1 + 2^-24 rounds like the addition 1 + 2^-24 (a tie), in every mode.
  const uint32_t tie[] = {kOne32, kOne32, kOne32, 0x3f800001, 0x3f800001};
  for (int rm : kModes)
    EXPECT_EQ(CALL(F32MulAdd, kOne32, kOne32, 0x33800000, rm), R32(tie[rm], NX));
  // 2*max - max = max: the intermediate product does not overflow.
  EXPECT_EQ(CALL(F32MulAdd, kMax32, kTwo32, kMax32 | kNeg32, kRNE), R32(kMax32));
  EXPECT_EQ(CALL(F64MulAdd, kMax64, 0x4000000000000000, kMax64 | kNeg64, kRNE), R64(kMax64));
  EXPECT_EQ(CALL(F32MulAdd, kMax32, kTwo32, kMax32, kRNE), R32(kInf32, OF | NX));
  EXPECT_EQ(CALL(F32MulAdd, kMax32, kTwo32, kMax32, kRTZ), R32(kMax32, OF | NX));
  // The product 2^-150 alone underflows: a zero addend does not change that.
  EXPECT_EQ(CALL(F32MulAdd, kMinSub32, kHalf32, kNeg32, kRNE), R32(0, UF | NX));
  EXPECT_EQ(CALL(F32MulAdd, kMinSub32, kHalf32, kNeg32, kRUP), R32(1, UF | NX));
  // A product far below the addend only sticks.
  EXPECT_EQ(CALL(F64MulAdd, kMinSub64, kMinSub64, kOne64, kRUP), R64(kOne64 + 1, NX));
  EXPECT_EQ(CALL(F64MulAdd, kMinSub64 | kNeg64, kMinSub64, kOne64, kRTZ),
            R64(0x3fefffffffffffff, NX));
  EXPECT_EQ(CALL(F64MulAdd, kMinSub64 | kNeg64, kMinSub64, kOne64, kRNE), R64(kOne64, NX));
  // An addend far below the product only sticks.
  EXPECT_EQ(CALL(F32MulAdd, kOne32, kOne32, kMinSub32 | kNeg32, kRDN), R32(0x3f7fffff, NX));
  EXPECT_EQ(CALL(F32MulAdd, kOne32, kOne32, kMinSub32 | kNeg32, kRMM), R32(kOne32, NX));
}

TEST(FpuMulAdd, SpecialOperands) {
  // RISC-V: inf * 0 is invalid even when the addend is a quiet NaN.
  EXPECT_EQ(CALL(F32MulAdd, kInf32, 0, kQNaN32, kRNE), R32(kQNaN32, NV));
  EXPECT_EQ(CALL(F64MulAdd, kNeg64, kNInf64, kQNaN64, kRNE), R64(kQNaN64, NV));
  EXPECT_EQ(CALL(F32MulAdd, 0, kInf32, kOne32, kRNE), R32(kQNaN32, NV));
  EXPECT_EQ(CALL(F32MulAdd, kOne32, kOne32, kQNaN32, kRNE), R32(kQNaN32));
  EXPECT_EQ(CALL(F32MulAdd, kOne32, kOne32, kSNaN32, kRNE), R32(kQNaN32, NV));
  EXPECT_EQ(CALL(F32MulAdd, kQNaN32, 0, kOne32, kRNE), R32(kQNaN32));
  EXPECT_EQ(CALL(F64MulAdd, kSNaN64, kOne64, kOne64, kRNE), R64(kQNaN64, NV));
  EXPECT_EQ(CALL(F32MulAdd, kInf32, kOne32, kNInf32, kRNE), R32(kQNaN32, NV));
  EXPECT_EQ(CALL(F32MulAdd, kInf32, kOne32 | kNeg32, kNInf32, kRNE), R32(kNInf32));
  EXPECT_EQ(CALL(F32MulAdd, kOne32, kOne32, kInf32, kRNE), R32(kInf32));
  // The exact result is -inf: the huge finite product does not overflow.
  EXPECT_EQ(CALL(F32MulAdd, kMax32, kTwo32, kNInf32, kRNE), R32(kNInf32));
  // Signs of zero: (+0) + (-0) is +0 except in RDN; equal signs are kept.
  EXPECT_EQ(CALL(F32MulAdd, 0, kOne32, kNeg32, kRNE), R32(0));
  EXPECT_EQ(CALL(F32MulAdd, 0, kOne32, kNeg32, kRDN), R32(kNeg32));
  EXPECT_EQ(CALL(F32MulAdd, kNeg32, kOne32, kNeg32, kRNE), R32(kNeg32));
  EXPECT_EQ(CALL(F64MulAdd, kOne64, kOne64, kOne64 | kNeg64, kRNE), R64(0));
  EXPECT_EQ(CALL(F64MulAdd, kOne64, kOne64, kOne64 | kNeg64, kRDN), R64(kNeg64));
  EXPECT_EQ(CALL(F32MulAdd, 0, 0x40a00000, 0x40400000, kRNE), R32(0x40400000));  // 0*5 + 3
  EXPECT_EQ(CALL(F32MulAdd, 0xc0000000, 0x40400000, 0, kRNE), R32(0xc0c00000));  // -2*3 + 0
}

TEST(FpuMinMax, Vectors) {
  EXPECT_EQ(CALL(F32Min, kOne32, kTwo32), R32(kOne32));
  EXPECT_EQ(CALL(F32Max, kOne32, kTwo32), R32(kTwo32));
  EXPECT_EQ(CALL(F32Min, kOne32 | kNeg32, kTwo32 | kNeg32), R32(kTwo32 | kNeg32));
  EXPECT_EQ(CALL(F32Max, kNInf32, kMax32 | kNeg32), R32(kMax32 | kNeg32));
  // -0 is less than +0, in either operand order.
  EXPECT_EQ(CALL(F32Min, 0, kNeg32), R32(kNeg32));
  EXPECT_EQ(CALL(F32Min, kNeg32, 0), R32(kNeg32));
  EXPECT_EQ(CALL(F32Max, kNeg32, 0), R32(0));
  EXPECT_EQ(CALL(F32Max, 0, kNeg32), R32(0));
  EXPECT_EQ(CALL(F64Min, 0, kNeg64), R64(kNeg64));
  EXPECT_EQ(CALL(F64Max, kNeg64, 0), R64(0));
  // One NaN: the other operand; NV only for a signaling NaN. Two NaNs: canonical.
  EXPECT_EQ(CALL(F32Min, 0xffc00001, kOne32), R32(kOne32));
  EXPECT_EQ(CALL(F32Max, kOne32, kQNaN32), R32(kOne32));
  EXPECT_EQ(CALL(F32Min, kSNaN32, kOne32), R32(kOne32, NV));
  EXPECT_EQ(CALL(F32Max, kNInf32, kSNaN32), R32(kNInf32, NV));
  EXPECT_EQ(CALL(F32Min, 0x7fc00123, 0xffc00000), R32(kQNaN32));
  EXPECT_EQ(CALL(F32Max, kSNaN32, kQNaN32), R32(kQNaN32, NV));
  EXPECT_EQ(CALL(F64Min, kSNaN64, 0x4000000000000000), R64(0x4000000000000000, NV));
  EXPECT_EQ(CALL(F64Max, 0xfff8000000000001, 0x7ff8000000000002), R64(kQNaN64));
  EXPECT_EQ(CALL(F64Max, kMinSub64, kMinSub64 | kNeg64), R64(kMinSub64));
}

TEST(FpuCompare, Vectors) {
  EXPECT_EQ(CALL(F32Eq, kOne32, kOne32), RB(true));
  EXPECT_EQ(CALL(F32Eq, kOne32, kTwo32), RB(false));
  EXPECT_EQ(CALL(F32Eq, 0, kNeg32), RB(true));
  EXPECT_EQ(CALL(F32Lt, kNeg32, 0), RB(false));
  EXPECT_EQ(CALL(F32Le, kNeg32, 0), RB(true));
  EXPECT_EQ(CALL(F32Le, 0, kNeg32), RB(true));
  EXPECT_EQ(CALL(F32Lt, kOne32 | kNeg32, kNeg32 | 1), RB(true));
  EXPECT_EQ(CALL(F32Lt, kNInf32, kMax32 | kNeg32), RB(true));
  EXPECT_EQ(CALL(F32Le, kInf32, kMax32), RB(false));
  // feq is quiet: NV only for signaling NaNs; flt/fle signal on any NaN.
  EXPECT_EQ(CALL(F32Eq, kQNaN32, kQNaN32), RB(false));
  EXPECT_EQ(CALL(F32Eq, kSNaN32, kOne32), RB(false, NV));
  EXPECT_EQ(CALL(F32Lt, kQNaN32, kOne32), RB(false, NV));
  EXPECT_EQ(CALL(F32Le, kOne32, kQNaN32), RB(false, NV));
  EXPECT_EQ(CALL(F64Eq, kOne64, kQNaN64), RB(false));
  EXPECT_EQ(CALL(F64Eq, kOne64, kSNaN64), RB(false, NV));
  EXPECT_EQ(CALL(F64Lt, kOne64, 0x4000000000000000), RB(true));
  EXPECT_EQ(CALL(F64Lt, 0x4000000000000000, kOne64), RB(false));
  EXPECT_EQ(CALL(F64Le, kOne64, kOne64), RB(true));
  EXPECT_EQ(CALL(F64Le, kQNaN64, kQNaN64), RB(false, NV));
  EXPECT_EQ(CALL(F64Eq, kNeg64, 0), RB(true));
  EXPECT_EQ(CALL(F64Lt, kNeg64 | 2, kNeg64 | 1), RB(true));
}

TEST(FpuClassify, AllTenClasses) {
  EXPECT_EQ(F32Classify(kNInf32), 1u << 0);
  EXPECT_EQ(F32Classify(kOne32 | kNeg32), 1u << 1);
  EXPECT_EQ(F32Classify(kNeg32 | 0x007fffff), 1u << 2);
  EXPECT_EQ(F32Classify(kNeg32), 1u << 3);
  EXPECT_EQ(F32Classify(0), 1u << 4);
  EXPECT_EQ(F32Classify(kMinSub32), 1u << 5);
  EXPECT_EQ(F32Classify(kMinNorm32), 1u << 6);
  EXPECT_EQ(F32Classify(kInf32), 1u << 7);
  EXPECT_EQ(F32Classify(kSNaN32), 1u << 8);
  EXPECT_EQ(F32Classify(0xffbfffff), 1u << 8);
  EXPECT_EQ(F32Classify(kQNaN32), 1u << 9);
  EXPECT_EQ(F32Classify(0xffffffff), 1u << 9);
  EXPECT_EQ(F64Classify(kNInf64), 1u << 0);
  EXPECT_EQ(F64Classify(kMax64 | kNeg64), 1u << 1);
  EXPECT_EQ(F64Classify(kNeg64 | 1), 1u << 2);
  EXPECT_EQ(F64Classify(kNeg64), 1u << 3);
  EXPECT_EQ(F64Classify(0), 1u << 4);
  EXPECT_EQ(F64Classify(0x000fffffffffffff), 1u << 5);
  EXPECT_EQ(F64Classify(kOne64), 1u << 6);
  EXPECT_EQ(F64Classify(kInf64), 1u << 7);
  EXPECT_EQ(F64Classify(kSNaN64), 1u << 8);
  EXPECT_EQ(F64Classify(kQNaN64), 1u << 9);
}

TEST(FpuToInt, RoundingInEveryMode) {
  const uint64_t m1 = ~uint64_t(0), m2 = m1 - 1, m3 = m1 - 2;  // -1, -2, -3
  //                         RNE RTZ RDN RUP RMM
  const uint64_t p25[] = {2, 2, 2, 3, 3};       // 2.5
  const uint64_t n25[] = {m2, m2, m3, m2, m3};  // -2.5
  const uint64_t p35[] = {4, 3, 3, 4, 4};       // 3.5
  const uint64_t p05[] = {0, 0, 0, 1, 1};       // 0.5
  const uint64_t n05[] = {0, 0, m1, 0, m1};     // -0.5
  for (int rm : kModes) {
    SCOPED_TRACE(rm);
    EXPECT_EQ(CALL(F32ToI32, 0x40200000, rm), R64(p25[rm], NX));
    EXPECT_EQ(CALL(F32ToI64, 0xc0200000, rm), R64(n25[rm], NX));
    EXPECT_EQ(CALL(F64ToI32, 0x400c000000000000, rm), R64(p35[rm], NX));
    EXPECT_EQ(CALL(F64ToI64, 0x3fe0000000000000, rm), R64(p05[rm], NX));
    EXPECT_EQ(CALL(F32ToI32, 0xbf000000, rm), R64(n05[rm], NX));
    // Unsigned: -0.5 rounding to 0 is only inexact; rounding to -1 is invalid.
    EXPECT_EQ(CALL(F32ToU32, 0xbf000000, rm), R64(0, n05[rm] ? NV : NX));
    EXPECT_EQ(CALL(F64ToU64, 0xbfe0000000000000, rm), R64(0, n05[rm] ? NV : NX));
    EXPECT_EQ(CALL(F64ToU32, 0x4004000000000000, rm), R64(p25[rm], NX));
    // Tiny values: RUP/RDN move to +-1, everything else truncates to 0.
    EXPECT_EQ(CALL(F32ToI64, kMinSub32, rm), R64(rm == kRUP ? 1 : 0, NX));
    EXPECT_EQ(CALL(F64ToI32, kMinSub64 | kNeg64, rm), R64(rm == kRDN ? m1 : 0, NX));
  }
  EXPECT_EQ(CALL(F32ToI32, kNeg32, kRNE), R64(0));
  EXPECT_EQ(CALL(F64ToU64, kNeg64, kRNE), R64(0));  // -0 is not negative for fcvt.lu
  EXPECT_EQ(CALL(F32ToI32, 0x4effffff, kRNE), R64(0x7fffff80));
  EXPECT_EQ(CALL(F64ToI64, 0x4202a05f20000000, kRTZ), R64(10000000000));
}

TEST(FpuToInt, LimitsAndSaturation) {
  const uint64_t kI32Max = 0x7fffffff, kI32Min = 0xffffffff80000000, kAll = ~uint64_t(0);
  const uint64_t kI64Max = 0x7fffffffffffffff, kI64Min = 0x8000000000000000;
  // fcvt.w: +-2^31 and beyond.
  EXPECT_EQ(CALL(F32ToI32, 0x4f000000, kRNE), R64(kI32Max, NV));
  EXPECT_EQ(CALL(F32ToI32, 0xcf000000, kRNE), R64(kI32Min));
  EXPECT_EQ(CALL(F32ToI32, 0xcf000001, kRNE), R64(kI32Min, NV));
  EXPECT_EQ(CALL(F32ToI32, kInf32, kRNE), R64(kI32Max, NV));
  EXPECT_EQ(CALL(F32ToI32, kNInf32, kRNE), R64(kI32Min, NV));
  // NaN of either sign converts to the largest positive value.
  EXPECT_EQ(CALL(F32ToI32, 0xffc00000, kRNE), R64(kI32Max, NV));
  EXPECT_EQ(CALL(F32ToI32, kSNaN32, kRNE), R64(kI32Max, NV));
  // 2^31 - 0.5 rounds to 2^31 (out of range) in RNE but not in RTZ.
  EXPECT_EQ(CALL(F64ToI32, 0x41dfffffffe00000, kRNE), R64(kI32Max, NV));
  EXPECT_EQ(CALL(F64ToI32, 0x41dfffffffe00000, kRTZ), R64(kI32Max, NX));
  // -2^31 - 0.5: RNE rounds to even -2^31 (in range), RMM and RDN beyond.
  EXPECT_EQ(CALL(F64ToI32, 0xc1e0000000100000, kRNE), R64(kI32Min, NX));
  EXPECT_EQ(CALL(F64ToI32, 0xc1e0000000100000, kRUP), R64(kI32Min, NX));
  EXPECT_EQ(CALL(F64ToI32, 0xc1e0000000100000, kRMM), R64(kI32Min, NV));
  EXPECT_EQ(CALL(F64ToI32, 0xc1e0000000100000, kRDN), R64(kI32Min, NV));
  EXPECT_EQ(CALL(F64ToI32, 0xc1e0000000200000, kRTZ), R64(kI32Min, NV));  // -2^31 - 1
  // fcvt.wu: the 32-bit result is sign-extended.
  EXPECT_EQ(CALL(F32ToU32, 0x4f7fffff, kRNE), R64(0xffffffffffffff00));
  EXPECT_EQ(CALL(F32ToU32, 0x4f800000, kRNE), R64(kAll, NV));
  EXPECT_EQ(CALL(F32ToU32, kQNaN32, kRNE), R64(kAll, NV));
  EXPECT_EQ(CALL(F32ToU32, kNInf32, kRNE), R64(0, NV));
  EXPECT_EQ(CALL(F32ToU32, 0xbf800000, kRNE), R64(0, NV));
  EXPECT_EQ(CALL(F64ToU32, 0x41effffffff00000, kRTZ), R64(kAll, NX));
  EXPECT_EQ(CALL(F64ToU32, 0x41effffffff00000, kRNE), R64(kAll, NV));
  EXPECT_EQ(CALL(F64ToU32, 0x41dfffffffe00000, kRNE), R64(0xffffffff80000000, NX));
  // fcvt.l / fcvt.lu at +-2^63 and 2^64.
  EXPECT_EQ(CALL(F32ToI64, 0x5f000000, kRNE), R64(kI64Max, NV));
  EXPECT_EQ(CALL(F32ToI64, 0xdf000000, kRNE), R64(kI64Min));
  EXPECT_EQ(CALL(F64ToI64, 0x43e0000000000000, kRNE), R64(kI64Max, NV));
  EXPECT_EQ(CALL(F64ToI64, 0xc3e0000000000000, kRNE), R64(kI64Min));
  EXPECT_EQ(CALL(F64ToI64, 0xc3e0000000000001, kRNE), R64(kI64Min, NV));
  EXPECT_EQ(CALL(F64ToI64, 0x43dfffffffffffff, kRNE), R64(0x7ffffffffffffc00));
  EXPECT_EQ(CALL(F64ToI64, kQNaN64 | kNeg64, kRNE), R64(kI64Max, NV));
  EXPECT_EQ(CALL(F64ToI64, kMax64, kRNE), R64(kI64Max, NV));
  EXPECT_EQ(CALL(F32ToU64, 0x5f000000, kRNE), R64(kI64Min));  // 2^63 fits unsigned
  EXPECT_EQ(CALL(F32ToU64, 0x5f800000, kRNE), R64(kAll, NV));
  EXPECT_EQ(CALL(F32ToU64, 0x5f7fffff, kRNE), R64(0xffffff0000000000));
  EXPECT_EQ(CALL(F64ToU64, 0x43efffffffffffff, kRNE), R64(0xfffffffffffff800));
  EXPECT_EQ(CALL(F64ToU64, 0x43f0000000000000, kRNE), R64(kAll, NV));
  EXPECT_EQ(CALL(F64ToU64, kSNaN64, kRNE), R64(kAll, NV));
  EXPECT_EQ(CALL(F64ToU64, kNInf64, kRNE), R64(0, NV));
  EXPECT_EQ(CALL(F64ToU64, 0xbff0000000000000, kRNE), R64(0, NV));
}

TEST(FpuFromInt, Vectors) {
  // 2^24 + 1 is a tie between 2^24 (even) and 2^24 + 2.
  const uint32_t t24[] = {0x4b800000, 0x4b800000, 0x4b800000, 0x4b800001, 0x4b800001};
  const uint32_t t24n[] = {0xcb800000, 0xcb800000, 0xcb800001, 0xcb800000, 0xcb800001};
  // 2^53 + 1 likewise in double.
  const uint64_t t53[] = {0x4340000000000000, 0x4340000000000000, 0x4340000000000000,
                          0x4340000000000001, 0x4340000000000001};
  // 2^64 - 1 rounds to 2^64 unless rounding towards zero.
  const uint64_t u64max[] = {0x43f0000000000000, 0x43efffffffffffff, 0x43efffffffffffff,
                             0x43f0000000000000, 0x43f0000000000000};
  const uint32_t u64max32[] = {0x5f800000, 0x5f7fffff, 0x5f7fffff, 0x5f800000, 0x5f800000};
  for (int rm : kModes) {
    SCOPED_TRACE(rm);
    EXPECT_EQ(CALL(I32ToF32, 16777217, rm), R32(t24[rm], NX));
    EXPECT_EQ(CALL(I64ToF32, -16777217, rm), R32(t24n[rm], NX));
    EXPECT_EQ(CALL(U32ToF32, 16777217u, rm), R32(t24[rm], NX));
    EXPECT_EQ(CALL(I64ToF64, (int64_t(1) << 53) + 1, rm), R64(t53[rm], NX));
    EXPECT_EQ(CALL(U64ToF64, ~uint64_t(0), rm), R64(u64max[rm], NX));
    EXPECT_EQ(CALL(U64ToF32, ~uint64_t(0), rm), R32(u64max32[rm], NX));
  }
  EXPECT_EQ(CALL(I32ToF32, 0, kRDN), R32(0));  // +0, even in RDN
  EXPECT_EQ(CALL(I32ToF32, -1, kRNE), R32(0xbf800000));
  EXPECT_EQ(CALL(I32ToF32, INT32_MIN, kRNE), R32(0xcf000000));
  EXPECT_EQ(CALL(I32ToF32, INT32_MAX, kRNE), R32(0x4f000000, NX));
  EXPECT_EQ(CALL(I32ToF32, INT32_MAX, kRTZ), R32(0x4effffff, NX));
  EXPECT_EQ(CALL(U32ToF32, 0xffffffffu, kRNE), R32(0x4f800000, NX));
  EXPECT_EQ(CALL(I64ToF32, INT64_MIN, kRNE), R32(0xdf000000));
  EXPECT_EQ(CALL(I64ToF64, INT64_MIN, kRNE), R64(0xc3e0000000000000));
  EXPECT_EQ(CALL(I64ToF64, INT64_MAX, kRNE), R64(0x43e0000000000000, NX));
  EXPECT_EQ(CALL(I32ToF64, INT32_MIN, kRNE), R64(0xc1e0000000000000));
  EXPECT_EQ(CALL(I32ToF64, 3, kRNE), R64(0x4008000000000000));
  EXPECT_EQ(CALL(U32ToF64, 0xffffffffu, kRNE), R64(0x41efffffffe00000));
  EXPECT_EQ(CALL(U64ToF64, 0, kRNE), R64(0));
  EXPECT_EQ(CALL(U64ToF64, uint64_t(1) << 63, kRNE), R64(0x43e0000000000000));
}

TEST(FpuConvert, BetweenFormats) {
  EXPECT_EQ(CALL(F32ToF64, kOne32), R64(kOne64));
  EXPECT_EQ(CALL(F32ToF64, kNeg32), R64(kNeg64));
  EXPECT_EQ(CALL(F32ToF64, kNInf32), R64(kNInf64));
  EXPECT_EQ(CALL(F32ToF64, kMinSub32), R64(0x36a0000000000000));  // 2^-149 is normal
  EXPECT_EQ(CALL(F32ToF64, kMax32), R64(0x47efffffe0000000));
  EXPECT_EQ(CALL(F32ToF64, kSNaN32), R64(kQNaN64, NV));
  EXPECT_EQ(CALL(F32ToF64, 0xffc00001), R64(kQNaN64));
  const uint32_t third[] = {0x3eaaaaab, 0x3eaaaaaa, 0x3eaaaaaa, 0x3eaaaaab, 0x3eaaaaab};
  const uint32_t big[] = {kInf32, kMax32, kMax32, kInf32, kInf32};
  for (int rm : kModes) {
    EXPECT_EQ(CALL(F64ToF32, 0x3fd5555555555555, rm), R32(third[rm], NX));
    EXPECT_EQ(CALL(F64ToF32, kMax64, rm), R32(big[rm], OF | NX));
  }
  EXPECT_EQ(CALL(F64ToF32, 0x3690000000000000, kRNE), R32(0, UF | NX));  // 2^-150: tie
  EXPECT_EQ(CALL(F64ToF32, 0x3690000000000000, kRMM), R32(1, UF | NX));
  EXPECT_EQ(CALL(F64ToF32, kMinSub64, kRUP), R32(1, UF | NX));
  EXPECT_EQ(CALL(F64ToF32, kMinSub64 | kNeg64, kRNE), R32(kNeg32, UF | NX));
  EXPECT_EQ(CALL(F64ToF32, 0x36a0000000000000, kRNE), R32(1));  // exact subnormal
  // (1 - 2^-25) 2^-126 rounds to 2^-126 already at 24 bits with unbounded
  // exponent, so it is not tiny (tininess after rounding): NX only. RTZ
  // keeps it below 2^-126: tiny and inexact.
  EXPECT_EQ(CALL(F64ToF32, 0x380ffffff0000000, kRNE), R32(kMinNorm32, NX));
  EXPECT_EQ(CALL(F64ToF32, 0x380ffffff0000000, kRUP), R32(kMinNorm32, NX));
  EXPECT_EQ(CALL(F64ToF32, 0x380ffffff0000000, kRTZ), R32(0x007fffff, UF | NX));
  EXPECT_EQ(CALL(F64ToF32, kSNaN64, kRNE), R32(kQNaN32, NV));
  EXPECT_EQ(CALL(F64ToF32, 0xfff8000000000000, kRNE), R32(kQNaN32));
  EXPECT_EQ(CALL(F64ToF32, kNInf64, kRNE), R32(kNInf32));
  EXPECT_EQ(CALL(F64ToF32, kNeg64, kRNE), R32(kNeg32));
}

// ============ randomized cross-checks against the host (x86-64 SSE) ============
#if defined(__x86_64__)

template <class T> struct Traits;
template <> struct Traits<uint32_t> {
  using Host = float;
  static constexpr int kFrac = 23, kExp = 8;
  static constexpr uint32_t kNaN = kCanonicalNaN32;
};
template <> struct Traits<uint64_t> {
  using Host = double;
  static constexpr int kFrac = 52, kExp = 11;
  static constexpr uint64_t kNaN = kCanonicalNaN64;
};

template <class T> bool IsNaNBits(T v) {
  using Tr = Traits<T>;
  T mag = v & ~(T(1) << (Tr::kFrac + Tr::kExp));
  return mag > (((T(1) << Tr::kExp) - 1) << Tr::kFrac);
}
template <class T> bool IsSNaNBits(T v) {
  return IsNaNBits(v) && !(v & (T(1) << (Traits<T>::kFrac - 1)));
}

// MXCSR with every exception masked, no FTZ/DAZ, and the rounding control
// matching rm (RNE, RTZ, RDN, RUP; SSE has no RMM).
uint32_t Mxcsr(int rm) {
  static constexpr uint32_t kRc[] = {0, 3, 1, 2};
  return 0x1f80u | (kRc[rm] << 13);
}
// MXCSR status bits to fflags; the denormal-operand bit has no equivalent.
uint32_t FlagsOf(uint32_t mx) {
  return ((mx & 1) ? NV : 0) | ((mx & 4) ? DZ : 0) | ((mx & 8) ? OF : 0) | ((mx & 16) ? UF : 0) |
         ((mx & 32) ? NX : 0);
}

// Each host operation runs inside one asm statement that installs the
// rounding mode, clears the flags, executes the instruction and reads the
// flags back, so nothing can be scheduled in between.
#define HOST_ASM(insn, ...)                                          \
  uint32_t mx = Mxcsr(rm), out = 0, saved = 0;                       \
  asm volatile("stmxcsr %[saved]\n\tldmxcsr %[mx]\n\t" insn          \
               "\n\tstmxcsr %[out]\n\tldmxcsr %[saved]"              \
               : [out] "=m"(out), [saved] "+m"(saved), __VA_ARGS__); \
  *flags = FlagsOf(out)

#define HOST_BINOP(name, T, insn)                                         \
  T name(T a, T b, int rm, uint32_t* flags) {                             \
    HOST_ASM(insn " %[b], %[a]", [a] "+x"(a) : [b] "x"(b), [mx] "m"(mx)); \
    return a;                                                             \
  }
HOST_BINOP(HostAddS, float, "addss")
HOST_BINOP(HostSubS, float, "subss")
HOST_BINOP(HostMulS, float, "mulss")
HOST_BINOP(HostDivS, float, "divss")
HOST_BINOP(HostAddD, double, "addsd")
HOST_BINOP(HostSubD, double, "subsd")
HOST_BINOP(HostMulD, double, "mulsd")
HOST_BINOP(HostDivD, double, "divsd")

float HostSqrtS(float a, int rm, uint32_t* flags) {
  HOST_ASM("sqrtss %[a], %[a]", [a] "+x"(a) : [mx] "m"(mx));
  return a;
}
double HostSqrtD(double a, int rm, uint32_t* flags) {
  HOST_ASM("sqrtsd %[a], %[a]", [a] "+x"(a) : [mx] "m"(mx));
  return a;
}
float HostFmaS(float a, float b, float c, int rm, uint32_t* flags) {
  HOST_ASM("vfmadd231ss %[b], %[a], %[c]", [c] "+x"(c) : [a] "x"(a), [b] "x"(b), [mx] "m"(mx));
  return c;
}
double HostFmaD(double a, double b, double c, int rm, uint32_t* flags) {
  HOST_ASM("vfmadd231sd %[b], %[a], %[c]", [c] "+x"(c) : [a] "x"(a), [b] "x"(b), [mx] "m"(mx));
  return c;
}
float HostD2S(double a, int rm, uint32_t* flags) {
  float r;
  HOST_ASM("cvtsd2ss %[a], %[r]", [r] "=x"(r) : [a] "x"(a), [mx] "m"(mx));
  return r;
}
double HostS2D(float a, uint32_t* flags) {
  int rm = kRNE;
  double r;
  HOST_ASM("cvtss2sd %[a], %[r]", [r] "=x"(r) : [a] "x"(a), [mx] "m"(mx));
  return r;
}
double HostRoundToIntegral(double a, int rm) {
  uint32_t ignored, *flags = &ignored;
  double r;
  HOST_ASM("roundsd $4, %[a], %[r]", [r] "=x"(r) : [a] "x"(a), [mx] "m"(mx));
  return r;
}
float HostI64ToS(int64_t v, int rm, uint32_t* flags) {
  float r;
  HOST_ASM("cvtsi2ssq %[v], %[r]", [r] "=x"(r) : [v] "r"(v), [mx] "m"(mx));
  return r;
}
double HostI64ToD(int64_t v, int rm, uint32_t* flags) {
  double r;
  HOST_ASM("cvtsi2sdq %[v], %[r]", [r] "=x"(r) : [v] "r"(v), [mx] "m"(mx));
  return r;
}
// Unsigned 64-bit conversions: halve with the lost bit kept as a sticky bit
// (the rounding point is far above bit 1, so rounding is unchanged), then
// double exactly.
template <class H> H HostU64To(uint64_t v, int rm, uint32_t* flags) {
  auto cvt = [&](int64_t x) -> H {
    if constexpr (sizeof(H) == 4)
      return HostI64ToS(x, rm, flags);
    else
      return HostI64ToD(x, rm, flags);
  };
  if (int64_t(v) >= 0) return cvt(int64_t(v));
  H h = cvt(int64_t((v >> 1) | (v & 1)));
  return h + h;
}

// Random operands biased towards the interesting places: subnormals, the
// overflow threshold, values near 1, zeros, infinities and NaNs, and
// fractions with few bits (ties and exact results).
template <class T> T RandomBits(std::mt19937_64& rng) {
  using Tr = Traits<T>;
  constexpr int kMaxE = (1 << Tr::kExp) - 1, kBias = kMaxE / 2;
  constexpr T kFracMask = (T(1) << Tr::kFrac) - 1;
  uint64_t r = rng();
  T frac = T(rng()) & kFracMask;
  switch ((r >> 8) % 6) {
    case 0: break;
    case 1: frac &= kFracMask << (rng() % (Tr::kFrac + 1)); break;  // trailing zeros
    case 2: frac = kFracMask ^ (T(rng()) & (kFracMask >> (rng() % (Tr::kFrac + 1)))); break;
    case 3: frac &= T(rng()) & T(rng()); break;
    case 4: frac = (T(1) << (rng() % Tr::kFrac)) | (T(rng()) & 1); break;
    default: frac = T(rng() % 4) << (rng() % (Tr::kFrac - 1)); break;
  }
  int e;
  switch ((r >> 1) % 10) {
    case 0:
    case 1:
    case 2: e = int(rng() % (kMaxE + 1)); break;
    case 3:
    case 4: e = kBias - 40 + int(rng() % 80); break;
    case 5: e = int(rng() % 4); break;                          // subnormal / tiny normal
    case 6: e = kMaxE - 1 - int(rng() % 4); break;              // near overflow
    case 7: e = kBias / 2 + int(rng() % 8) - 4; break;          // products near underflow
    case 8: e = kBias + kBias / 2 + int(rng() % 8) - 4; break;  // products near overflow
    default: {                                                  // exact specials
      static constexpr int kSpecial[] = {0, kMaxE};
      e = kSpecial[rng() % 2];
      frac = (rng() % 3 == 0) ? 0 : frac;  // zero/inf or subnormal/NaN
      break;
    }
  }
  T bits = (T(e) << Tr::kFrac) | frac;
  return (r & 1) ? bits | (T(1) << (Tr::kFrac + Tr::kExp)) : bits;
}

// An operand near `a` (same or adjacent exponents): cancellation, alignment
// by a few bits, results at the edges of the exponent range.
template <class T> T NearbyBits(T a, std::mt19937_64& rng) {
  using Tr = Traits<T>;
  constexpr T kFracMask = (T(1) << Tr::kFrac) - 1;
  constexpr int kMaxE = (1 << Tr::kExp) - 1;
  int e = int((a >> Tr::kFrac) & kMaxE) + int(rng() % (Tr::kFrac + 6)) - 3;
  e = e < 0 ? 0 : e > kMaxE - 1 ? kMaxE - 1 : e;
  T frac = (rng() % 2) ? (a & kFracMask) ^ (T(rng()) & (kFracMask >> (rng() % Tr::kFrac)))
                       : T(rng()) & kFracMask;
  T sign = T(rng() & 1) << (Tr::kFrac + Tr::kExp);
  return sign | (T(e) << Tr::kFrac) | frac;
}

template <class T> auto H(T v) { return std::bit_cast<typename Traits<T>::Host>(v); }
template <class T> T Bits(typename Traits<T>::Host v) { return std::bit_cast<T>(v); }

// Whether a correctly rounded result differs from an exact value by exactly
// half the gap to the neighbour in the direction of the exact value, given
// the signed error `err` = exact - r (exact in the host format).
template <class HostT> bool IsHalfway(HostT r, HostT err) {
  if (!std::isfinite(r) || err == 0) return false;
  HostT n = std::nextafter(r, err > 0 ? HostT(INFINITY) : HostT(-INFINITY));
  if (std::isinf(n)) return false;  // a tie at max would have overflowed in RNE
  return 2 * err == n - r;
}
// Ties for binary32 results whose exact value is the double-double s + e.
bool TieF32(float r, double s, double e) {
  if (!std::isfinite(r) || e != 0) return false;  // a binary32 midpoint fits in a double
  double d = s - double(r);                       // exact (Sterbenz)
  if (d == 0) return false;
  float n = std::nextafter(r, d > 0 ? INFINITY : -INFINITY);
  if (std::isinf(n)) return false;
  return 2 * d == double(n) - double(r);
}
void TwoSum(double a, double b, double* s, double* e) {
  *s = a + b;
  double bb = *s - a;
  *e = (a - (*s - bb)) + (b - bb);
}

constexpr int kMaxReported = 15;

// Checks mine against the host in RNE/RTZ/RDN/RUP, and RMM against the
// host's RNE result or, when `tie` (-1 unknown, 0 no, 1 yes) says the exact
// value is a midpoint, the host's rounding away from zero.
std::string Hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

struct RmmCoverage {
  int checked;  // RMM results compared with a reference
  int ties;     // of which exact midpoints
};

template <class T, class Mine, class Host, class Tie, class Gen>
RmmCoverage CrossCheck(const char* name, int iterations, Gen gen, Mine mine, Host host, Tie tie) {
  std::mt19937_64 rng(0x5eed ^ std::hash<std::string>()(name));
  int reported = 0, rmm_checked = 0, rmm_ties = 0;
  for (int i = 0; i < iterations && reported < kMaxReported; ++i) {
    auto ops = gen(rng);
    T host_rne = 0;
    uint32_t host_rne_flags = 0;
    for (int rm : {kRNE, kRTZ, kRDN, kRUP, kRMM}) {
      uint32_t mf = 0, hf = 0;
      T m = std::apply([&](auto... x) { return mine(x..., rm, &mf); }, ops);
      T h;
      if (rm != kRMM) {
        h = std::apply([&](auto... x) { return host(x..., rm, &hf); }, ops);
        if (rm == kRNE) host_rne = h, host_rne_flags = hf;
      } else {
        int t = std::apply([&](auto... x) { return tie(host_rne, x...); }, ops);
        if (t < 0) continue;
        ++rmm_checked;
        if (t > 0) {
          ++rmm_ties;
          bool neg = host_rne >> (sizeof(T) * 8 - 1);
          h = std::apply([&](auto... x) { return host(x..., neg ? kRDN : kRUP, &hf); }, ops);
        } else {
          h = host_rne, hf = host_rne_flags;
        }
      }
      bool same = IsNaNBits(h) ? m == Traits<T>::kNaN : m == h;
      if (!same || mf != hf) {
        std::string operands = std::apply([](auto... x) { return ((" " + Hex(x)) + ...); }, ops);
        ADD_FAILURE() << name << " rm=" << rm << " operands" << operands << ": mine " << R(m, mf)
                      << ", reference " << R(h, hf);
        ++reported;
      }
    }
  }
  return {rmm_checked, rmm_ties};
}

template <class T> auto GenPair() {
  return [](std::mt19937_64& rng) {
    T a = RandomBits<T>(rng);
    T b = rng() % 3 == 0 ? NearbyBits<T>(a, rng) : RandomBits<T>(rng);
    return std::tuple<T, T>(a, b);
  };
}
template <class T> auto GenOne() {
  return [](std::mt19937_64& rng) { return std::tuple<T>(RandomBits<T>(rng)); };
}
// c close to a*b in magnitude half the time, for cancellation.
template <class T> auto GenTriple() {
  return [](std::mt19937_64& rng) {
    using Tr = Traits<T>;
    constexpr int kMaxE = (1 << Tr::kExp) - 1, kBias = kMaxE / 2;
    T a = RandomBits<T>(rng), b = RandomBits<T>(rng), c = RandomBits<T>(rng);
    if (rng() % 2) {
      int ea = int((a >> Tr::kFrac) & kMaxE), eb = int((b >> Tr::kFrac) & kMaxE);
      int e = ea + eb - kBias + int(rng() % 8) - 4;
      if (e > 0 && e < kMaxE) {
        const T sign = T(1) << (Tr::kFrac + Tr::kExp);
        T product_sign = (a ^ b) & sign;
        c = (T(e) << Tr::kFrac) | (c & ((T(1) << Tr::kFrac) - 1)) |
            (rng() % 2 ? product_sign ^ sign : T(rng() & 1) * sign);
      }
    }
    return std::tuple<T, T, T>(a, b, c);
  };
}

constexpr int kIterations = 200000;

// Most RMM results must have been checked, and (where the tie detector can
// find them) some of them must be ties.
void ExpectCoverage(RmmCoverage c, bool expect_ties = true) {
  EXPECT_GT(c.checked, kIterations / 2);
  if (expect_ties) {
    EXPECT_GT(c.ties, 0);
  }
}

TEST(FpuCrossCheck, Binary32Arithmetic) {
  auto add_tie = [](uint32_t r, uint32_t a, uint32_t b) {
    double s, e;
    TwoSum(F(a), F(b), &s, &e);
    return int(TieF32(F(r), s, e));
  };
  auto sub_tie = [&](uint32_t r, uint32_t a, uint32_t b) { return add_tie(r, a, b ^ kNeg32); };
  auto mul_tie = [](uint32_t r, uint32_t a, uint32_t b) {
    return int(TieF32(F(r), double(F(a)) * double(F(b)), 0));
  };
  auto div_tie = [](uint32_t r, uint32_t a, uint32_t b) {
    float rf = F(r), af = F(a), bf = F(b);
    if (!std::isfinite(rf) || !std::isfinite(af) || !std::isfinite(bf) || bf == 0) return 0;
    for (float dir : {INFINITY, -INFINITY}) {
      float n = std::nextafter(rf, dir);
      if (!std::isinf(n) && (double(rf) + double(n)) / 2 * double(bf) == double(af)) return 1;
    }
    return 0;
  };
  auto host = [](auto op) {
    return [op](uint32_t a, uint32_t b, int rm, uint32_t* f) { return B(op(F(a), F(b), rm, f)); };
  };
  auto check = [&](const char* name, auto mine, auto op, auto tie) {
    return CrossCheck<uint32_t>(name, kIterations, GenPair<uint32_t>(), mine, host(op), tie);
  };

  ExpectCoverage(check("add.s", F32Add, HostAddS, add_tie));
  ExpectCoverage(check("sub.s", F32Sub, HostSubS, sub_tie));
  ExpectCoverage(check("mul.s", F32Mul, HostMulS, mul_tie));
  ExpectCoverage(check("div.s", F32Div, HostDivS, div_tie));
  CrossCheck<uint32_t>(
      "sqrt.s", kIterations, GenOne<uint32_t>(), F32Sqrt,
      [](uint32_t a, int rm, uint32_t* f) { return B(HostSqrtS(F(a), rm, f)); },
      [](uint32_t, uint32_t) { return 0; });  // square roots are never ties
}

TEST(FpuCrossCheck, Binary64Arithmetic) {
  auto add_tie = [](uint64_t r, uint64_t a, uint64_t b) {
    double s, e;
    TwoSum(D(a), D(b), &s, &e);
    return int(IsHalfway(D(r), e));
  };
  auto sub_tie = [&](uint64_t r, uint64_t a, uint64_t b) { return add_tie(r, a, b ^ kNeg64); };
  // The product's rounding error is exact (fma) unless the result is tiny.
  auto mul_tie = [](uint64_t r, uint64_t a, uint64_t b) {
    double rd = D(r);
    if (!std::isfinite(rd)) return 0;
    if (std::fabs(rd) < 0x1p-960) return -1;
    return int(IsHalfway(rd, std::fma(D(a), D(b), -rd)));
  };
  // Quotients with a normal result are never ties.
  auto div_tie = [](uint64_t r, uint64_t, uint64_t) {
    double rd = D(r);
    return !std::isfinite(rd) ? 0 : std::fabs(rd) < 0x1p-1021 ? -1 : 0;
  };
  auto host = [](auto op) {
    return [op](uint64_t a, uint64_t b, int rm, uint32_t* f) { return B(op(D(a), D(b), rm, f)); };
  };
  auto check = [&](const char* name, auto mine, auto op, auto tie) {
    return CrossCheck<uint64_t>(name, kIterations, GenPair<uint64_t>(), mine, host(op), tie);
  };

  ExpectCoverage(check("add.d", F64Add, HostAddD, add_tie));
  ExpectCoverage(check("sub.d", F64Sub, HostSubD, sub_tie));
  ExpectCoverage(check("mul.d", F64Mul, HostMulD, mul_tie));
  ExpectCoverage(check("div.d", F64Div, HostDivD, div_tie), false);
  CrossCheck<uint64_t>(
      "sqrt.d", kIterations, GenOne<uint64_t>(), F64Sqrt,
      [](uint64_t a, int rm, uint32_t* f) { return B(HostSqrtD(D(a), rm, f)); },
      [](uint64_t, uint64_t) { return 0; });
}

TEST(FpuCrossCheck, FusedMultiplyAdd) {
  if (!__builtin_cpu_supports("fma")) GTEST_SKIP() << "host has no FMA";
  // x86 does not raise invalid for inf * 0 + qNaN; RISC-V does. Those
  // operands are covered by the hand-checked vectors instead.
  auto gen = [](auto g) {
    return [g](std::mt19937_64& rng) {
      for (;;) {
        auto t = g(rng);
        auto [a, b, c] = t;
        bool inf_zero = (std::isinf(H(a)) && H(b) == 0) || (H(a) == 0 && std::isinf(H(b)));
        if (!(inf_zero && IsNaNBits(c))) return t;
      }
    };
  };
  auto gen32 = gen(GenTriple<uint32_t>());
  auto gen64 = gen(GenTriple<uint64_t>());
  // binary32: a*b is exact in double and TwoSum gives the exact sum.
  auto tie32 = [](uint32_t r, uint32_t a, uint32_t b, uint32_t c) {
    double s, e;
    TwoSum(double(F(a)) * double(F(b)), F(c), &s, &e);
    return int(TieF32(F(r), s, e));
  };
  CrossCheck<uint32_t>(
      "fma.s", kIterations, gen32, F32MulAdd,
      [](uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t* f) {
        return B(HostFmaS(F(a), F(b), F(c), rm, f));
      },
      tie32);
  // binary64 ties are not detected here (RMM is covered by the vectors).
  auto tie64 = [](uint64_t r, uint64_t, uint64_t, uint64_t) {
    return std::isfinite(D(r)) ? -1 : 0;
  };
  CrossCheck<uint64_t>(
      "fma.d", kIterations, gen64, F64MulAdd,
      [](uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t* f) {
        return B(HostFmaD(D(a), D(b), D(c), rm, f));
      },
      tie64);
}

// fcvt to integers against an independent reference: round to an integral
// double (host roundsd in the SSE modes, std::round, which is ties-away and
// exact, for RMM), then range-check and saturate by the RISC-V rules.
template <class T, class Mine> void CheckToInt(const char* name, T a, int rm, bool is_signed,
                                               int width, Mine mine, int* reported) {
  double x = double(H(a));
  uint64_t expect;
  uint32_t expect_flags = 0;
  const double lo = is_signed ? -std::ldexp(1.0, width - 1) : 0.0;
  const double hi = is_signed ? std::ldexp(1.0, width - 1) : std::ldexp(1.0, width);  // exclusive
  const uint64_t max_pos = is_signed     ? (uint64_t(1) << (width - 1)) - 1
                           : width == 64 ? ~uint64_t(0)
                                         : (uint64_t(1) << width) - 1;
  const uint64_t min_neg = is_signed ? uint64_t(0) - (uint64_t(1) << (width - 1)) : 0;
  auto sext = [width](uint64_t v) { return width == 32 ? uint64_t(int64_t(int32_t(v))) : v; };
  if (std::isnan(x)) {
    expect = sext(max_pos), expect_flags = NV;
  } else {
    double r = rm == kRMM ? std::round(x) : HostRoundToIntegral(x, rm);
    if (r < lo || r >= hi) {
      expect = sext(r < 0 ? min_neg : max_pos), expect_flags = NV;
    } else {
      expect = sext(is_signed ? uint64_t(int64_t(r)) : uint64_t(r));
      expect_flags = r != x ? NX : 0;
    }
  }
  uint32_t mf = 0;
  uint64_t m = mine(a, rm, &mf);
  if ((m != expect || mf != expect_flags) && ++*reported <= kMaxReported) {
    ADD_FAILURE() << name << " rm=" << rm << " of " << Hex(a) << ": mine " << R(m, mf)
                  << ", reference " << R(expect, expect_flags);
  }
}

TEST(FpuCrossCheck, FloatToInteger) {
  std::mt19937_64 rng(42);
  int reported = 0;
  for (int i = 0; i < kIterations; ++i) {
    uint32_t s = RandomBits<uint32_t>(rng);
    uint64_t d = RandomBits<uint64_t>(rng);
    // Values near the integer limits: exponents 29..65 with random fractions.
    if (i % 2) s = (s & 0x807fffff) | uint32_t(127 + 29 + rng() % 37) << 23;
    if (i % 2) d = (d & 0x800fffffffffffff) | uint64_t(1023 + 29 + rng() % 37) << 52;
    for (int rm : kModes) {
      CheckToInt("fcvt.w.s", s, rm, true, 32, F32ToI32, &reported);
      CheckToInt("fcvt.wu.s", s, rm, false, 32, F32ToU32, &reported);
      CheckToInt("fcvt.l.s", s, rm, true, 64, F32ToI64, &reported);
      CheckToInt("fcvt.lu.s", s, rm, false, 64, F32ToU64, &reported);
      CheckToInt("fcvt.w.d", d, rm, true, 32, F64ToI32, &reported);
      CheckToInt("fcvt.wu.d", d, rm, false, 32, F64ToU32, &reported);
      CheckToInt("fcvt.l.d", d, rm, true, 64, F64ToI64, &reported);
      CheckToInt("fcvt.lu.d", d, rm, false, 64, F64ToU64, &reported);
    }
  }
}

// Integers to floating point against the host's cvtsi2ss/sd; for RMM the
// tie is detected exactly in 128-bit integers from the RTZ and away results.
template <class T, class Mine>
void CheckFromInt(const char* name, __int128 v, int rm, Mine mine, int* reported) {
  using HostT = typename Traits<T>::Host;
  auto host = [v](int mode, uint32_t* f) -> HostT {
    if (v > INT64_MAX) return HostU64To<HostT>(uint64_t(v), mode, f);
    if constexpr (sizeof(T) == 4)
      return HostI64ToS(int64_t(v), mode, f);
    else
      return HostI64ToD(int64_t(v), mode, f);
  };
  uint32_t hf = 0;
  HostT h;
  if (rm != kRMM) {
    h = host(rm, &hf);
  } else {
    uint32_t ignored;
    HostT toward = host(kRTZ, &ignored), away = host(v < 0 ? kRDN : kRUP, &ignored);
    __int128 t = __int128(toward), w = __int128(away);  // exact: integers below 2^64
    bool tie = t != w && v - t == w - v;
    h = host(tie ? (v < 0 ? kRDN : kRUP) : kRNE, &hf);
  }
  uint32_t mf = 0;
  T m = mine(rm, &mf);
  if ((m != Bits<T>(h) || mf != hf) && ++*reported <= kMaxReported) {
    ADD_FAILURE() << name << " rm=" << rm << " of " << Hex(uint64_t(v)) << ": mine " << R(m, mf)
                  << ", reference " << R(Bits<T>(h), hf);
  }
}

TEST(FpuCrossCheck, IntegerToFloat) {
  std::mt19937_64 rng(7);
  int reported = 0;
  for (int i = 0; i < kIterations; ++i) {
    // Random bit lengths, with runs of ones/zeros that make ties.
    uint64_t u = rng() >> (rng() % 64);
    if (i % 3 == 0) u = (u | (uint64_t(1) << (rng() % 64))) & ~((uint64_t(1) << (rng() % 40)) - 1);
    if (i % 5 == 0) u |= uint64_t(1) << (rng() % 64);
    int64_t s = int64_t(u);
    int32_t s32 = int32_t(u), ss32 = int32_t(u >> (rng() % 32));
    uint32_t u32 = uint32_t(u >> (rng() % 32));
    for (int rm : kModes) {
      auto check = [&](const char* name, __int128 v, auto fn) {
        using T = decltype(fn(0, nullptr));
        CheckFromInt<T>(name, v, rm, fn, &reported);
      };
      check("fcvt.s.l", s, [&](int m, uint32_t* f) { return I64ToF32(s, m, f); });
      check("fcvt.s.lu", u, [&](int m, uint32_t* f) { return U64ToF32(u, m, f); });
      check("fcvt.s.w", s32, [&](int m, uint32_t* f) { return I32ToF32(s32, m, f); });
      check("fcvt.s.w", ss32, [&](int m, uint32_t* f) { return I32ToF32(ss32, m, f); });
      check("fcvt.s.wu", u32, [&](int m, uint32_t* f) { return U32ToF32(u32, m, f); });
      check("fcvt.d.l", s, [&](int m, uint32_t* f) { return I64ToF64(s, m, f); });
      check("fcvt.d.lu", u, [&](int m, uint32_t* f) { return U64ToF64(u, m, f); });
      check("fcvt.d.w", s32, [&](int m, uint32_t* f) { return I32ToF64(s32, m, f); });
      check("fcvt.d.wu", u32, [&](int m, uint32_t* f) { return U32ToF64(u32, m, f); });
    }
  }
}

TEST(FpuCrossCheck, BetweenFormats) {
  // F64ToF32's RMM reference: the exact value is the double itself.
  ExpectCoverage(CrossCheck<uint32_t>(
      "fcvt.s.d", kIterations,
      [](std::mt19937_64& rng) {
        uint64_t d = RandomBits<uint64_t>(rng);
        // Half the time inside or near binary32's exponent range.
        if (rng() % 2) d = (d & 0x800fffffffffffff) | uint64_t(1023 - 160 + rng() % 300) << 52;
        return std::tuple<uint64_t>(d);
      },
      [](uint64_t a, int rm, uint32_t* f) { return F64ToF32(a, rm, f); },
      [](uint64_t a, int rm, uint32_t* f) { return B(HostD2S(D(a), rm, f)); },
      [](uint32_t r, uint64_t a) { return int(TieF32(F(r), D(a), 0)); }));
  std::mt19937_64 rng(99);
  for (int i = 0; i < kIterations; ++i) {
    uint32_t a = RandomBits<uint32_t>(rng), mf = 0, hf = 0;
    uint64_t m = F32ToF64(a, &mf), h = B(HostS2D(F(a), &hf));
    if (IsNaNBits(h)) h = kCanonicalNaN64;
    ASSERT_EQ(R64(m, mf), R64(h, hf)) << Hex(a);
  }
}

TEST(FpuCrossCheck, CompareMinMaxClassify) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < kIterations; ++i) {
    uint32_t a = RandomBits<uint32_t>(rng);
    uint32_t b = rng() % 4 == 0 ? a ^ uint32_t(rng() % 2) << 31 : RandomBits<uint32_t>(rng);
    uint64_t c = RandomBits<uint64_t>(rng);
    uint64_t d = rng() % 4 == 0 ? c ^ uint64_t(rng() % 2) << 63 : RandomBits<uint64_t>(rng);
    bool any_nan32 = IsNaNBits(a) || IsNaNBits(b), any_snan32 = IsSNaNBits(a) || IsSNaNBits(b);
    bool any_nan64 = IsNaNBits(c) || IsNaNBits(d), any_snan64 = IsSNaNBits(c) || IsSNaNBits(d);
    ASSERT_EQ(CALL(F32Eq, a, b), RB(F(a) == F(b), any_snan32 ? NV : 0)) << Hex(a) << Hex(b);
    ASSERT_EQ(CALL(F32Lt, a, b), RB(F(a) < F(b), any_nan32 ? NV : 0)) << Hex(a) << Hex(b);
    ASSERT_EQ(CALL(F32Le, a, b), RB(F(a) <= F(b), any_nan32 ? NV : 0)) << Hex(a) << Hex(b);
    ASSERT_EQ(CALL(F64Eq, c, d), RB(D(c) == D(d), any_snan64 ? NV : 0)) << Hex(c) << Hex(d);
    ASSERT_EQ(CALL(F64Lt, c, d), RB(D(c) < D(d), any_nan64 ? NV : 0)) << Hex(c) << Hex(d);
    ASSERT_EQ(CALL(F64Le, c, d), RB(D(c) <= D(d), any_nan64 ? NV : 0)) << Hex(c) << Hex(d);
    // min/max: the numerically smaller/larger, -0 below +0, NaNs ignored.
    auto ref_min = [](auto x, auto y, auto nan, auto f) {
      if (IsNaNBits(x)) return IsNaNBits(y) ? nan : y;
      if (IsNaNBits(y)) return x;
      if (f(x) != f(y)) return f(x) < f(y) ? x : y;
      return std::signbit(f(x)) ? x : y;
    };
    auto ref_max = [](auto x, auto y, auto nan, auto f) {
      if (IsNaNBits(x)) return IsNaNBits(y) ? nan : y;
      if (IsNaNBits(y)) return x;
      if (f(x) != f(y)) return f(x) > f(y) ? x : y;
      return std::signbit(f(x)) ? y : x;
    };
    ASSERT_EQ(CALL(F32Min, a, b), R32(ref_min(a, b, kCanonicalNaN32, F), any_snan32 ? NV : 0));
    ASSERT_EQ(CALL(F32Max, a, b), R32(ref_max(a, b, kCanonicalNaN32, F), any_snan32 ? NV : 0));
    ASSERT_EQ(CALL(F64Min, c, d), R64(ref_min(c, d, kCanonicalNaN64, D), any_snan64 ? NV : 0));
    ASSERT_EQ(CALL(F64Max, c, d), R64(ref_max(c, d, kCanonicalNaN64, D), any_snan64 ? NV : 0));
    // fclass: exactly one class bit, consistent with the host's view.
    uint32_t k = F32Classify(a);
    ASSERT_EQ(std::popcount(k), 1);
    float fa = F(a);
    int expect_class = std::isnan(fa)                        ? (IsSNaNBits(a) ? 8 : 9)
                       : std::isinf(fa)                      ? (fa < 0 ? 0 : 7)
                       : fa == 0                             ? (std::signbit(fa) ? 3 : 4)
                       : std::fpclassify(fa) == FP_SUBNORMAL ? (fa < 0 ? 2 : 5)
                                                             : (fa < 0 ? 1 : 6);
    ASSERT_EQ(k, 1u << expect_class) << Hex(a);
  }
}

#endif  // __x86_64__

}  // namespace
}  // namespace tapvm::fpu
