// Decimal parsing for option values: digits only (no sign, no spaces, no
// suffix), no overflow. A small, exact rule shared by every option parser
// so "12abc", "-1", " 3" and 2^64 are refused alike.
#pragma once

#include <cstdint>
#include <string>

namespace tapvm {

// True, with *out set, when `s` is a decimal number that fits in 64 bits.
inline bool ParseU64(const std::string& s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

}  // namespace tapvm
