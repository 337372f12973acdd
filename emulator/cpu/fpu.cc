// Integer soft-float for the hart's F and D extensions (contract: fpu.h).
//
// Every finite nonzero operand is unpacked into (sign, exp, sig) with
//
//     value = (-1)^sign * sig * 2^(exp - 62),    2^62 <= sig < 2^63,
//
// for both formats, so one set of templates serves binary32 and binary64.
// The bits of `sig` below the format's precision are rounding bits; bit 0
// is a sticky ("jam") bit: shifting right ORs every lost bit into it, so it
// records "something nonzero below here" and keeps exact halves
// distinguishable from values slightly above them. binary64 keeps 10 such
// bits, binary32 39; every algorithm below keeps at least two rounding bits
// plus the sticky bit, which is all correct rounding needs.
//
// RoundPack is the only place that rounds: it handles the five rounding
// modes, gradual underflow (tininess detected after rounding, as RISC-V
// requires), overflow and packing, and raises NX/UF/OF. The operations only
// compute an exact or correctly jammed significand and deal with special
// operands (NaN, infinity, zero) first.
//
// Nothing here reads the host floating-point environment. The one use of
// host floating point, the first estimate of an integer square root, is
// corrected by exact integer arithmetic (see IntSqrt).
#include "emulator/cpu/fpu.h"

#include <cstring>

namespace tapvm::fpu {
namespace {

using u128 = unsigned __int128;

template <typename T, int kExpBitsV, int kFracBitsV> struct Format {
  using Bits = T;
  static constexpr int kWidth = sizeof(T) * 8;
  static constexpr int kExpBits = kExpBitsV;
  static constexpr int kFracBits = kFracBitsV;  // stored fraction bits (p - 1)
  static constexpr int kBias = (1 << (kExpBits - 1)) - 1;
  static constexpr int kExpMax = (1 << kExpBits) - 1;  // field of inf/NaN
  static constexpr int kRoundBits = 62 - kFracBits;    // sig bits below p
  static constexpr T kSign = T(1) << (kWidth - 1);
  static constexpr T kFracMask = (T(1) << kFracBits) - 1;
  static constexpr T kInf = T(kExpMax) << kFracBits;
  static constexpr T kMaxFinite = kInf - 1;
  static constexpr T kQuiet = T(1) << (kFracBits - 1);
  static constexpr T kNaN = kInf | kQuiet;
};
using F32 = Format<uint32_t, 8, 23>;
using F64 = Format<uint64_t, 11, 52>;
static_assert(F32::kNaN == kCanonicalNaN32 && F64::kNaN == kCanonicalNaN64);

struct Unpacked {
  bool sign;
  int exp;
  uint64_t sig;
};

template <class F> inline bool Sign(typename F::Bits a) { return (a & F::kSign) != 0; }
template <class F> inline typename F::Bits Mag(typename F::Bits a) { return a & ~F::kSign; }
template <class F> inline bool IsNaN(typename F::Bits a) { return Mag<F>(a) > F::kInf; }
template <class F> inline bool IsSNaN(typename F::Bits a) {
  return IsNaN<F>(a) && (a & F::kQuiet) == 0;
}
template <class F> inline bool IsInf(typename F::Bits a) { return Mag<F>(a) == F::kInf; }
template <class F> inline bool IsZero(typename F::Bits a) { return Mag<F>(a) == 0; }
// Zero, subnormal, infinity or NaN: everything the fast checks send aside.
template <class F> inline bool IsSpecial(typename F::Bits a) {
  unsigned field = unsigned(a >> F::kFracBits) & F::kExpMax;
  return field - 1 >= unsigned(F::kExpMax - 1);
}

template <class F> inline typename F::Bits Zero(bool sign) { return sign ? F::kSign : 0; }
template <class F> inline typename F::Bits Inf(bool sign) { return Zero<F>(sign) | F::kInf; }
// The sign of an exact zero sum of operands of opposite signs.
template <class F> inline typename F::Bits CancelZero(int rm) { return Zero<F>(rm == kRDN); }

template <class F> inline typename F::Bits Invalid(uint32_t* flags) {
  *flags |= kFlagNV;
  return F::kNaN;
}
// Result of an operation with a NaN operand: always the canonical NaN;
// signaling NaNs raise NV.
template <class F>
inline typename F::Bits NaNResult(typename F::Bits a, typename F::Bits b, uint32_t* flags) {
  if (IsSNaN<F>(a) || IsSNaN<F>(b)) *flags |= kFlagNV;
  return F::kNaN;
}

inline int Clz64(uint64_t x) { return __builtin_clzll(x); }  // x != 0
inline int Clz128(u128 x) {
  uint64_t hi = uint64_t(x >> 64);
  return hi ? Clz64(hi) : 64 + Clz64(uint64_t(x));
}

// x >> n, with any bit shifted out ORed into bit 0.
inline uint64_t ShiftRightJam64(uint64_t x, int n) {
  if (n >= 64) [[unlikely]] {
    return x != 0;
  }
  return (x >> n) | ((x & ((uint64_t(1) << n) - 1)) != 0);
}
inline u128 ShiftRightJam128(u128 x, int n) {
  if (n == 0) return x;
  if (n >= 128) return x != 0;
  return (x >> n) | ((x << (128 - n)) != 0);
}

// (hi:lo) / d for hi < d (so the quotient fits in 64 bits).
inline uint64_t Div128By64(uint64_t hi, uint64_t lo, uint64_t d, uint64_t* rem) {
#if defined(__x86_64__)
  uint64_t q, r;
  asm("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d) : "cc");
  *rem = r;
  return q;
#else
  u128 n = (u128(hi) << 64) | lo;
  uint64_t q = uint64_t(n / d);
  *rem = uint64_t(n - u128(q) * d);
  return q;
#endif
}

// Unpacks a finite nonzero value (subnormals are normalized).
template <class F> inline Unpacked Unpack(typename F::Bits a) {
  Unpacked u;
  u.sign = Sign<F>(a);
  int field = int(a >> F::kFracBits) & F::kExpMax;
  uint64_t frac = a & F::kFracMask;
  if (field != 0) {
    u.exp = field - F::kBias;
    u.sig = (frac | (uint64_t(1) << F::kFracBits)) << F::kRoundBits;
  } else {
    int shift = Clz64(frac) - 1;
    u.sig = frac << shift;
    u.exp = 1 - F::kBias + F::kRoundBits - shift;
  }
  return u;
}

// Rounds (-1)^sign * sig * 2^(exp - 62) (sig normalized, bit 0 sticky) to
// the format in mode rm, raising NX, UF (tiny after rounding and inexact)
// and OF as IEEE 754 requires, and packs it.
template <class F>
typename F::Bits RoundPack(bool sign, int exp, uint64_t sig, int rm, uint32_t* flags) {
  using Bits = typename F::Bits;
  constexpr uint64_t kMask = (uint64_t(1) << F::kRoundBits) - 1;
  constexpr uint64_t kHalf = uint64_t(1) << (F::kRoundBits - 1);
  uint64_t inc;
  switch (rm) {
    case kRNE:
    case kRMM: inc = kHalf; break;
    case kRTZ: inc = 0; break;
    case kRDN: inc = sign ? kMask : 0; break;
    default: inc = sign ? 0 : kMask; break;  // kRUP
  }
  int biased = exp + F::kBias;
  bool tiny = false;
  if (biased <= 0) {
    // Below the normal range. Tininess is judged after rounding: the value
    // is tiny unless rounding it to full precision with an unbounded
    // exponent would already carry it up to the smallest normal.
    tiny = biased < 0 || sig + inc < (uint64_t(1) << 63);
    sig = ShiftRightJam64(sig, 1 - biased);
    biased = 1;  // the subnormal significand has no hidden bit: field 0
  }
  uint64_t rem = sig & kMask;
  // m carries the hidden bit at kFracBits; rounding may carry it one bit up
  // (packing then bumps the exponent) or, for a subnormal, into kFracBits.
  uint64_t m = (sig + inc) >> F::kRoundBits;
  if (rm == kRNE && rem == kHalf) m &= ~uint64_t(1);  // tie: to even
  int field = biased - 1 + int(m >> F::kFracBits);
  if (field >= F::kExpMax) {
    *flags |= kFlagOF | kFlagNX;
    bool to_inf = rm == kRNE || rm == kRMM || (rm == kRDN && sign) || (rm == kRUP && !sign);
    return Zero<F>(sign) | (to_inf ? F::kInf : F::kMaxFinite);
  }
  if (rem != 0) *flags |= tiny ? (kFlagNX | kFlagUF) : kFlagNX;
  return Zero<F>(sign) + (Bits(biased - 1) << F::kFracBits) + Bits(m);
}

template <class F>
typename F::Bits Add(typename F::Bits a, typename F::Bits b, int rm, uint32_t* flags) {
  if (IsSpecial<F>(a) || IsSpecial<F>(b)) [[unlikely]] {
    if (IsNaN<F>(a) || IsNaN<F>(b)) return NaNResult<F>(a, b, flags);
    if (IsInf<F>(a) || IsInf<F>(b)) {
      if (IsInf<F>(a) && IsInf<F>(b) && Sign<F>(a) != Sign<F>(b)) return Invalid<F>(flags);
      return IsInf<F>(a) ? a : b;
    }
    if (IsZero<F>(b)) {
      if (!IsZero<F>(a) || Sign<F>(a) == Sign<F>(b)) return a;
      return CancelZero<F>(rm);
    }
    if (IsZero<F>(a)) return b;
    // Both finite nonzero, at least one subnormal: the general path.
  }
  // Order by magnitude on the raw bits (a select, not a branch): |x| >= |y|.
  bool swap = Mag<F>(a) < Mag<F>(b);
  Unpacked x = Unpack<F>(swap ? b : a), y = Unpack<F>(swap ? a : b);
  uint64_t ys = ShiftRightJam64(y.sig, x.exp - y.exp);
  if (x.sign == y.sign) {
    uint64_t s = x.sig + ys;
    int carry = int(s >> 63);
    s = (s >> carry) | (s & carry);
    return RoundPack<F>(x.sign, x.exp + carry, s, rm, flags);
  }
  // x.sig has at least 10 clear low bits, so when ys was jammed (exponents
  // 2+ apart) the difference keeps its sticky bit and needs at most one bit
  // of renormalization; when exponents are within 1 the difference is exact.
  uint64_t s = x.sig - ys;
  if (s == 0) return CancelZero<F>(rm);
  int shift = Clz64(s) - 1;
  return RoundPack<F>(x.sign, x.exp - shift, s << shift, rm, flags);
}

// Rounds the product of two unpacked finite nonzero values.
template <class F> typename F::Bits MulFinite(bool sign, const Unpacked& x, const Unpacked& y,
                                              int rm, uint32_t* flags) {
  u128 p = u128(x.sig) * y.sig;  // in [2^124, 2^126)
  // Normalize to bit 62 without a branch (its direction is a coin toss).
  int carry = int(p >> 125);
  int shift = 62 + carry;
  uint64_t sig = uint64_t(p >> shift) | ((uint64_t(p) << (64 - shift)) != 0);
  return RoundPack<F>(sign, x.exp + y.exp + carry, sig, rm, flags);
}

template <class F>
typename F::Bits Mul(typename F::Bits a, typename F::Bits b, int rm, uint32_t* flags) {
  bool sign = Sign<F>(a) != Sign<F>(b);
  if (IsSpecial<F>(a) || IsSpecial<F>(b)) [[unlikely]] {
    if (IsNaN<F>(a) || IsNaN<F>(b)) return NaNResult<F>(a, b, flags);
    if (IsInf<F>(a) || IsInf<F>(b)) {
      if (IsZero<F>(a) || IsZero<F>(b)) return Invalid<F>(flags);
      return Inf<F>(sign);
    }
    if (IsZero<F>(a) || IsZero<F>(b)) return Zero<F>(sign);
  }
  return MulFinite<F>(sign, Unpack<F>(a), Unpack<F>(b), rm, flags);
}

template <class F>
typename F::Bits Div(typename F::Bits a, typename F::Bits b, int rm, uint32_t* flags) {
  bool sign = Sign<F>(a) != Sign<F>(b);
  if (IsSpecial<F>(a) || IsSpecial<F>(b)) [[unlikely]] {
    if (IsNaN<F>(a) || IsNaN<F>(b)) return NaNResult<F>(a, b, flags);
    if (IsInf<F>(a)) return IsInf<F>(b) ? Invalid<F>(flags) : Inf<F>(sign);
    if (IsInf<F>(b)) return Zero<F>(sign);
    if (IsZero<F>(b)) {
      if (IsZero<F>(a)) return Invalid<F>(flags);
      *flags |= kFlagDZ;
      return Inf<F>(sign);
    }
    if (IsZero<F>(a)) return Zero<F>(sign);
  }
  Unpacked x = Unpack<F>(a), y = Unpack<F>(b);
  // q = floor(x.sig * 2^63 / y.sig) lies in (2^62, 2^64): 62+ exact bits,
  // and the remainder becomes the sticky bit.
  uint64_t rem;
  uint64_t q = Div128By64(x.sig >> 1, x.sig << 63, y.sig, &rem);
  int carry = int(q >> 63);
  uint64_t sig = (q >> carry) | (q & carry) | (rem != 0);
  return RoundPack<F>(sign, x.exp - y.exp - 1 + carry, sig, rm, flags);
}

// floor(sqrt(m)) for m in [2^124, 2^126), the root being in [2^62, 2^63).
// The first estimate uses the host's double sqrt of the top 64 bits: with
// a relative error below 2^-50 in any host rounding mode (the operand is a
// normal double, so flush-to-zero cannot matter either) it is within 2^13
// of the root. One integer Newton step then lands on floor(sqrt(m)) or one
// above, and the exact integer checks below settle it, so the result never
// depends on the host's floating-point environment.
inline uint64_t IntSqrt(u128 m) {
  uint64_t hi = uint64_t(m >> 64);
  uint64_t r = uint64_t(__builtin_sqrt(double(hi)) * 4294967296.0);
  uint64_t rem;
  // hi <= sqrt(m) * sqrt(m) / 2^64 < sqrt(m) / 2 < r, as Div128By64 needs.
  uint64_t q = Div128By64(hi, uint64_t(m), r, &rem);
  r = uint64_t((u128(r) + q) >> 1);
  while (u128(r) * r > m) --r;
  while (u128(r + 1) * (r + 1) <= m) ++r;
  return r;
}

template <class F> typename F::Bits Sqrt(typename F::Bits a, int rm, uint32_t* flags) {
  if (IsSpecial<F>(a) || Sign<F>(a)) [[unlikely]] {
    if (IsNaN<F>(a)) return NaNResult<F>(a, a, flags);
    if (IsZero<F>(a)) return a;  // sqrt(-0) = -0
    if (Sign<F>(a)) return Invalid<F>(flags);
    if (IsInf<F>(a)) return a;
  }
  Unpacked x = Unpack<F>(a);
  // value = sig * 2^(exp-62) = m * 2^(2k) with m in [2^124, 2^126), so
  // sqrt(value) = sqrt(m) * 2^k and sqrt(m) is in [2^62, 2^63).
  u128 m = u128(x.sig) << ((x.exp & 1) ? 63 : 62);
  uint64_t r = IntSqrt(m);
  uint64_t sig = r | (u128(r) * r != m);
  return RoundPack<F>(false, x.exp >> 1, sig, rm, flags);
}

template <class F> typename F::Bits MulAdd(typename F::Bits a, typename F::Bits b,
                                           typename F::Bits c, int rm, uint32_t* flags) {
  bool ps = Sign<F>(a) != Sign<F>(b);  // sign of the product
  if (IsSpecial<F>(a) || IsSpecial<F>(b) || IsSpecial<F>(c)) [[unlikely]] {
    bool inf_times_zero = (IsInf<F>(a) && IsZero<F>(b)) || (IsZero<F>(a) && IsInf<F>(b));
    if (IsNaN<F>(a) || IsNaN<F>(b) || IsNaN<F>(c)) {
      // RISC-V: inf * 0 is invalid even when the addend is a quiet NaN.
      if (inf_times_zero || IsSNaN<F>(a) || IsSNaN<F>(b) || IsSNaN<F>(c)) *flags |= kFlagNV;
      return F::kNaN;
    }
    if (inf_times_zero) return Invalid<F>(flags);
    if (IsInf<F>(a) || IsInf<F>(b)) {
      if (IsInf<F>(c) && Sign<F>(c) != ps) return Invalid<F>(flags);
      return Inf<F>(ps);
    }
    if (IsInf<F>(c)) return c;
    if (IsZero<F>(a) || IsZero<F>(b)) {
      if (!IsZero<F>(c)) return c;  // exact
      return ps == Sign<F>(c) ? c : CancelZero<F>(rm);
    }
    // x * y + 0 == x * y exactly (nonzero), rounded once.
    if (IsZero<F>(c)) return MulFinite<F>(ps, Unpack<F>(a), Unpack<F>(b), rm, flags);
  }
  Unpacked x = Unpack<F>(a), y = Unpack<F>(b), z = Unpack<F>(c);
  // Both terms as 128-bit integers scaled by 2^(e - 124): the product is
  // exact in [2^124, 2^126), the addend in [2^124, 2^125).
  u128 p = u128(x.sig) * y.sig;
  u128 q = u128(z.sig) << 62;
  int pe = x.exp + y.exp, e;
  if (pe >= z.exp) {
    q = ShiftRightJam128(q, pe - z.exp);
    e = pe;
  } else {
    p = ShiftRightJam128(p, z.exp - pe);
    e = z.exp;
  }
  // A shift that loses bits (2+ positions) leaves the shifted term strictly
  // below the other, so the subtraction below never starts from a jammed
  // minuend; shifts by 0 or 1 are exact (both terms have 20+ clear low bits).
  bool sign;
  u128 s;
  if (ps == z.sign) {
    s = p + q;
    sign = ps;
  } else if (p >= q) {
    s = p - q;
    sign = ps;
  } else {
    s = q - p;
    sign = z.sign;
  }
  if (s == 0) return CancelZero<F>(rm);
  int top = 127 - Clz128(s);
  uint64_t sig = top > 62 ? uint64_t(ShiftRightJam128(s, top - 62)) : uint64_t(s) << (62 - top);
  return RoundPack<F>(sign, e - 124 + top, sig, rm, flags);
}

// A key whose unsigned order is the numeric order of non-NaN values, with
// -0 below +0.
template <class F> inline typename F::Bits OrderKey(typename F::Bits a) {
  return Sign<F>(a) ? ~a : (a | F::kSign);
}

template <class F>
typename F::Bits MinMax(typename F::Bits a, typename F::Bits b, bool max, uint32_t* flags) {
  if (IsSNaN<F>(a) || IsSNaN<F>(b)) *flags |= kFlagNV;
  if (IsNaN<F>(a)) return IsNaN<F>(b) ? F::kNaN : b;
  if (IsNaN<F>(b)) return a;
  bool a_below = OrderKey<F>(a) < OrderKey<F>(b);
  return (a_below != max) ? a : b;
}

template <class F> bool Eq(typename F::Bits a, typename F::Bits b, uint32_t* flags) {
  if (IsNaN<F>(a) || IsNaN<F>(b)) {
    if (IsSNaN<F>(a) || IsSNaN<F>(b)) *flags |= kFlagNV;
    return false;
  }
  return a == b || (IsZero<F>(a) && IsZero<F>(b));
}

template <class F> bool Lt(typename F::Bits a, typename F::Bits b, uint32_t* flags) {
  if (IsNaN<F>(a) || IsNaN<F>(b)) {
    *flags |= kFlagNV;
    return false;
  }
  if (IsZero<F>(a) && IsZero<F>(b)) return false;
  return OrderKey<F>(a) < OrderKey<F>(b);
}

template <class F> bool Le(typename F::Bits a, typename F::Bits b, uint32_t* flags) {
  if (IsNaN<F>(a) || IsNaN<F>(b)) {
    *flags |= kFlagNV;
    return false;
  }
  if (IsZero<F>(a) && IsZero<F>(b)) return true;
  return OrderKey<F>(a) <= OrderKey<F>(b);
}

template <class F> uint32_t Classify(typename F::Bits a) {
  bool s = Sign<F>(a);
  if (IsNaN<F>(a)) return IsSNaN<F>(a) ? 1u << 8 : 1u << 9;
  if (IsInf<F>(a)) return s ? 1u << 0 : 1u << 7;
  if (IsZero<F>(a)) return s ? 1u << 3 : 1u << 4;
  if ((a & F::kInf) == 0) return s ? 1u << 2 : 1u << 5;  // subnormal
  return s ? 1u << 1 : 1u << 6;
}

// Whether discarding a nonzero remainder rounds a magnitude up. `cmp` is
// the remainder compared with half a unit (-1, 0, 1); `odd` is the kept
// lowest bit.
inline bool RoundsUp(int rm, bool neg, bool odd, bool inexact, int cmp) {
  switch (rm) {
    case kRNE: return cmp > 0 || (cmp == 0 && odd);
    case kRMM: return cmp >= 0;
    case kRTZ: return false;
    case kRDN: return inexact && neg;
    default: return inexact && !neg;  // kRUP
  }
}

// fcvt to a `width`-bit integer; the result is sign-extended to 64 bits.
// Out-of-range values, infinities and NaNs saturate and raise NV only.
template <class F>
uint64_t ToInt(typename F::Bits a, int rm, bool is_signed, int width, uint32_t* flags) {
  const uint64_t max_pos = is_signed ? (uint64_t(1) << (width - 1)) - 1
                                     : (width == 64 ? ~uint64_t(0) : (uint64_t(1) << width) - 1);
  const uint64_t max_neg = is_signed ? uint64_t(1) << (width - 1) : 0;  // magnitude
  auto pack = [width](bool neg, uint64_t mag) {
    uint64_t v = neg ? 0 - mag : mag;
    return width == 32 ? uint64_t(int64_t(int32_t(uint32_t(v)))) : v;
  };
  if (IsNaN<F>(a)) {
    *flags |= kFlagNV;
    return pack(false, max_pos);
  }
  bool neg = Sign<F>(a);
  uint64_t limit = neg ? max_neg : max_pos;
  if (IsInf<F>(a)) {
    *flags |= kFlagNV;
    return pack(neg, limit);
  }
  if (IsZero<F>(a)) return 0;
  Unpacked u = Unpack<F>(a);
  if (u.exp >= 64) {
    *flags |= kFlagNV;
    return pack(neg, limit);
  }
  uint64_t mag;
  bool inexact = false;
  if (u.exp == 63) {
    mag = u.sig << 1;  // exact: sig has far fewer than 62 significant bits
  } else {
    int s = 62 - u.exp;  // fraction bits in sig
    uint64_t ip, rem;
    int cmp;
    if (s == 0) {
      ip = u.sig, rem = 0, cmp = -1;
    } else if (s < 64) {
      ip = u.sig >> s;
      rem = u.sig & ((uint64_t(1) << s) - 1);
      uint64_t half = uint64_t(1) << (s - 1);
      cmp = rem < half ? -1 : rem == half ? 0 : 1;
    } else {
      ip = 0, rem = u.sig, cmp = -1;  // value < 1/2
    }
    inexact = rem != 0;
    mag = ip + RoundsUp(rm, neg, ip & 1, inexact, cmp);
  }
  if (mag > limit) {
    *flags |= kFlagNV;
    return pack(neg, limit);
  }
  if (inexact) *flags |= kFlagNX;
  return pack(neg, mag);
}

template <class F> typename F::Bits FromInt(bool neg, uint64_t mag, int rm, uint32_t* flags) {
  if (mag == 0) return 0;
  int top = 63 - Clz64(mag);
  if (top == 63) return RoundPack<F>(neg, 63, (mag >> 1) | (mag & 1), rm, flags);
  return RoundPack<F>(neg, top, mag << (62 - top), rm, flags);
}

}  // namespace

// ---- fast paths ----
// For the default rounding mode and ordinary operands, host IEEE arithmetic
// gives the same bits, and error-free transformations give the flags
// without touching the host's floating-point environment (which is never
// changed from its round-to-nearest default). Anything unusual (NaN,
// infinity, results near the subnormal range, other rounding modes) takes
// the exact soft-float path above.
namespace {

template <class T, class Bits>
inline T AsFloat(Bits b) {
  T f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}
template <class Bits, class T>
inline Bits AsBits(T f) {
  Bits b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

// a + b for finite a, b. The sum of two finite values that lands in the
// subnormal range is exact, so there is never an underflow to report;
// inexactness is the TwoSum error term.
template <class T, class Bits>
inline bool FastAdd(Bits a, Bits b, Bits exp_mask, Bits* out, uint32_t* flags) {
  if ((a & exp_mask) == exp_mask || (b & exp_mask) == exp_mask) return false;
  T x = AsFloat<T>(a), y = AsFloat<T>(b);
  T sum = x + y;
  Bits r = AsBits<Bits>(sum);
  if ((r & exp_mask) == exp_mask) return false;  // overflow: soft path
  T yy = sum - x;
  T err = (x - (sum - yy)) + (y - yy);
  if (err != 0) *flags |= kFlagNX;
  *out = r;
  return true;
}

#if defined(__x86_64__)
// The exact error of a double product needs a fused multiply-add; the host
// has one when the CPU supports FMA3 (checked once at start-up).
__attribute__((target("fma"))) inline double HostFmaD(double a, double b, double c) { return __builtin_fma(a, b, c); }
const bool kHostHasFma = __builtin_cpu_supports("fma");
#else
inline double HostFmaD(double a, double b, double c) { return a * b + c; }  // unused
const bool kHostHasFma = false;
#endif

}  // namespace

// ---- binary32 ----
uint32_t F32Add(uint32_t a, uint32_t b, int rm, uint32_t* flags) {
  uint32_t r;
  if (rm == kRNE && FastAdd<float, uint32_t>(a, b, 0x7f800000u, &r, flags)) return r;
  return Add<F32>(a, b, rm, flags);
}
uint32_t F32Sub(uint32_t a, uint32_t b, int rm, uint32_t* flags) {
  return F32Add(a, b ^ F32::kSign, rm, flags);
}
uint32_t F32Mul(uint32_t a, uint32_t b, int rm, uint32_t* flags) {
  // The product of two singles is exact in a double; one rounding to
  // single then gives the correctly rounded result.
  constexpr uint32_t kExp = 0x7f800000u;
  if (rm == kRNE && (a & kExp) != kExp && (b & kExp) != kExp) {
    double p = static_cast<double>(AsFloat<float>(a)) * static_cast<double>(AsFloat<float>(b));
    double mag = p < 0 ? -p : p;
    // Normal single range with margin: no overflow, no tininess question.
    if (mag == 0 || (mag >= 0x1p-124 && mag < 0x1p127)) {
      float f = static_cast<float>(p);
      if (static_cast<double>(f) != p) *flags |= kFlagNX;
      return AsBits<uint32_t>(f);
    }
  }
  return Mul<F32>(a, b, rm, flags);
}
uint32_t F32Div(uint32_t a, uint32_t b, int rm, uint32_t* flags) {
  return Div<F32>(a, b, rm, flags);
}
uint32_t F32Sqrt(uint32_t a, int rm, uint32_t* flags) { return Sqrt<F32>(a, rm, flags); }
uint32_t F32MulAdd(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t* flags) {
  constexpr uint32_t kExp = 0x7f800000u;
  if (rm == kRNE && (a & kExp) != kExp && (b & kExp) != kExp && (c & kExp) != kExp) {
    // a*b is exact in a double; s + e is exactly a*b + c (TwoSum). Rounding
    // s to single is then the single rounding of the exact value, unless s
    // sits exactly halfway between two singles and e would tip it: that
    // rare case, and anything near the edges of the range, goes the slow way.
    double p = static_cast<double>(AsFloat<float>(a)) * static_cast<double>(AsFloat<float>(b));
    double z = static_cast<double>(AsFloat<float>(c));
    double s2 = p + z;
    double pp = s2 - p;
    double e = (p - (s2 - pp)) + (z - pp);
    double mag = s2 < 0 ? -s2 : s2;
    uint64_t sb = AsBits<uint64_t>(s2);
    bool halfway = (sb & 0x1fffffffull) == 0x10000000ull;
    if ((mag >= 0x1p-124 && mag < 0x1p127 && !(halfway && e != 0)) || (s2 == 0 && e == 0 && p != 0)) {
      float f = static_cast<float>(s2);
      if (static_cast<double>(f) != s2 || e != 0) *flags |= kFlagNX;
      return AsBits<uint32_t>(f);
    }
  }
  return MulAdd<F32>(a, b, c, rm, flags);
}
uint32_t F32Min(uint32_t a, uint32_t b, uint32_t* flags) { return MinMax<F32>(a, b, false, flags); }
uint32_t F32Max(uint32_t a, uint32_t b, uint32_t* flags) { return MinMax<F32>(a, b, true, flags); }
bool F32Eq(uint32_t a, uint32_t b, uint32_t* flags) { return Eq<F32>(a, b, flags); }
bool F32Lt(uint32_t a, uint32_t b, uint32_t* flags) { return Lt<F32>(a, b, flags); }
bool F32Le(uint32_t a, uint32_t b, uint32_t* flags) { return Le<F32>(a, b, flags); }
uint32_t F32Classify(uint32_t a) { return Classify<F32>(a); }
uint64_t F32ToI32(uint32_t a, int rm, uint32_t* flags) {
  return ToInt<F32>(a, rm, true, 32, flags);
}
uint64_t F32ToU32(uint32_t a, int rm, uint32_t* flags) {
  return ToInt<F32>(a, rm, false, 32, flags);
}
uint64_t F32ToI64(uint32_t a, int rm, uint32_t* flags) {
  return ToInt<F32>(a, rm, true, 64, flags);
}
uint64_t F32ToU64(uint32_t a, int rm, uint32_t* flags) {
  return ToInt<F32>(a, rm, false, 64, flags);
}
uint32_t I32ToF32(int32_t v, int rm, uint32_t* flags) {
  return FromInt<F32>(v < 0, v < 0 ? 0 - uint64_t(int64_t(v)) : uint64_t(v), rm, flags);
}
uint32_t U32ToF32(uint32_t v, int rm, uint32_t* flags) { return FromInt<F32>(false, v, rm, flags); }
uint32_t I64ToF32(int64_t v, int rm, uint32_t* flags) {
  return FromInt<F32>(v < 0, v < 0 ? 0 - uint64_t(v) : uint64_t(v), rm, flags);
}
uint32_t U64ToF32(uint64_t v, int rm, uint32_t* flags) { return FromInt<F32>(false, v, rm, flags); }

// ---- binary64 ----
uint64_t F64Add(uint64_t a, uint64_t b, int rm, uint32_t* flags) {
  uint64_t r;
  if (rm == kRNE && FastAdd<double, uint64_t>(a, b, 0x7ff0000000000000ull, &r, flags)) return r;
  return Add<F64>(a, b, rm, flags);
}
uint64_t F64Sub(uint64_t a, uint64_t b, int rm, uint32_t* flags) {
  return F64Add(a, b ^ F64::kSign, rm, flags);
}
uint64_t F64Mul(uint64_t a, uint64_t b, int rm, uint32_t* flags) {
  constexpr uint64_t kExp = 0x7ff0000000000000ull;
  if (rm == kRNE && kHostHasFma && (a & kExp) != kExp && (b & kExp) != kExp) {
    double x = AsFloat<double>(a), y = AsFloat<double>(b);
    double p = x * y;
    double mag = p < 0 ? -p : p;
    // Well inside the normal range, the product's error is a double and
    // fma computes it exactly.
    if (mag == 0 ? (x == 0 || y == 0) : (mag >= 0x1p-960 && mag < 0x1p1023)) {
      if (mag != 0 && HostFmaD(x, y, -p) != 0) *flags |= kFlagNX;
      return AsBits<uint64_t>(p);
    }
  }
  return Mul<F64>(a, b, rm, flags);
}
uint64_t F64Div(uint64_t a, uint64_t b, int rm, uint32_t* flags) {
  return Div<F64>(a, b, rm, flags);
}
uint64_t F64Sqrt(uint64_t a, int rm, uint32_t* flags) { return Sqrt<F64>(a, rm, flags); }
uint64_t F64MulAdd(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t* flags) {
  return MulAdd<F64>(a, b, c, rm, flags);
}
uint64_t F64Min(uint64_t a, uint64_t b, uint32_t* flags) { return MinMax<F64>(a, b, false, flags); }
uint64_t F64Max(uint64_t a, uint64_t b, uint32_t* flags) { return MinMax<F64>(a, b, true, flags); }
bool F64Eq(uint64_t a, uint64_t b, uint32_t* flags) { return Eq<F64>(a, b, flags); }
bool F64Lt(uint64_t a, uint64_t b, uint32_t* flags) { return Lt<F64>(a, b, flags); }
bool F64Le(uint64_t a, uint64_t b, uint32_t* flags) { return Le<F64>(a, b, flags); }
uint32_t F64Classify(uint64_t a) { return Classify<F64>(a); }
uint64_t F64ToI32(uint64_t a, int rm, uint32_t* flags) {
  return ToInt<F64>(a, rm, true, 32, flags);
}
uint64_t F64ToU32(uint64_t a, int rm, uint32_t* flags) {
  return ToInt<F64>(a, rm, false, 32, flags);
}
uint64_t F64ToI64(uint64_t a, int rm, uint32_t* flags) {
  return ToInt<F64>(a, rm, true, 64, flags);
}
uint64_t F64ToU64(uint64_t a, int rm, uint32_t* flags) {
  return ToInt<F64>(a, rm, false, 64, flags);
}
uint64_t I32ToF64(int32_t v, int rm, uint32_t* flags) {
  return FromInt<F64>(v < 0, v < 0 ? 0 - uint64_t(int64_t(v)) : uint64_t(v), rm, flags);
}
uint64_t U32ToF64(uint32_t v, int rm, uint32_t* flags) { return FromInt<F64>(false, v, rm, flags); }
uint64_t I64ToF64(int64_t v, int rm, uint32_t* flags) {
  return FromInt<F64>(v < 0, v < 0 ? 0 - uint64_t(v) : uint64_t(v), rm, flags);
}
uint64_t U64ToF64(uint64_t v, int rm, uint32_t* flags) { return FromInt<F64>(false, v, rm, flags); }

// ---- conversions between formats ----
uint64_t F32ToF64(uint32_t a, uint32_t* flags) {
  if (IsNaN<F32>(a)) {
    NaNResult<F32>(a, a, flags);
    return F64::kNaN;
  }
  bool sign = Sign<F32>(a);
  if (IsInf<F32>(a)) return Inf<F64>(sign);
  if (IsZero<F32>(a)) return Zero<F64>(sign);
  Unpacked u = Unpack<F32>(a);
  return RoundPack<F64>(u.sign, u.exp, u.sig, kRNE, flags);  // exact
}

uint32_t F64ToF32(uint64_t a, int rm, uint32_t* flags) {
  if (IsNaN<F64>(a)) {
    NaNResult<F64>(a, a, flags);
    return F32::kNaN;
  }
  bool sign = Sign<F64>(a);
  if (IsInf<F64>(a)) return Inf<F32>(sign);
  if (IsZero<F64>(a)) return Zero<F32>(sign);
  Unpacked u = Unpack<F64>(a);
  return RoundPack<F32>(u.sign, u.exp, u.sig, rm, flags);
}

}  // namespace tapvm::fpu
