// Inline fast paths of Hart's memory access, shared by the MMU (mmu.cc) and
// the execution engines (through hart_engine_access.h). Private to
// emulator/cpu.
//
// A TLB hit is one compare and one add: the tag is the virtual page, and the
// low bits of the compared value are the access's misalignment bits, so a
// misaligned access never hits and takes the slow path.
#pragma once

#include <cstring>

#include "emulator/cpu/hart.h"

namespace tapvm {

struct Hart::DecodedPage {
  // One slot per halfword of the page, plus a PAGE_END sentinel that sends
  // the interpreter back to the fetch path when execution runs off the end.
  // Slots start as Op::DECODE and are decoded from `host` on first use.
  DecodedInsn insns[2049];
  const uint8_t* host;
  uint64_t pa;
};

#define TAPVM_LIKELY(x) __builtin_expect(!!(x), 1)
#define TAPVM_UNLIKELY(x) __builtin_expect(!!(x), 0)

template <typename T>
inline bool Hart::LoadHit(uint64_t va, T* out) {
  const TlbEntry& e = rtlb_[(va >> 12) & (kTlbSize - 1)];
  if (TAPVM_LIKELY(e.tag == (va & (~0xfffull | (sizeof(T) - 1))))) {
    std::memcpy(out, reinterpret_cast<const void*>(va + e.addend), sizeof(T));
    return true;
  }
  return false;
}

template <typename T>
inline bool Hart::StoreHit(uint64_t va, T value) {
  const TlbEntry& e = wtlb_[(va >> 12) & (kTlbSize - 1)];
  if (TAPVM_LIKELY(e.tag == (va & (~0xfffull | (sizeof(T) - 1))))) {
    std::memcpy(reinterpret_cast<void*>(va + e.addend), &value, sizeof(T));
    return true;
  }
  return false;
}

template <typename T>
inline int Hart::Load(uint64_t va, T* out) {
  const TlbEntry& e = rtlb_[(va >> 12) & (kTlbSize - 1)];
  if (TAPVM_LIKELY(e.tag == (va & (~0xfffull | (sizeof(T) - 1))))) {
    std::memcpy(out, reinterpret_cast<const void*>(va + e.addend), sizeof(T));
    return 1;
  }
  uint64_t v = 0;
  int r = LoadSlow(va, sizeof(T), &v);
  *out = static_cast<T>(v);
  return r;
}

template <typename T>
inline int Hart::Store(uint64_t va, T value) {
  const TlbEntry& e = wtlb_[(va >> 12) & (kTlbSize - 1)];
  if (TAPVM_LIKELY(e.tag == (va & (~0xfffull | (sizeof(T) - 1))))) {
    std::memcpy(reinterpret_cast<void*>(va + e.addend), &value, sizeof(T));
    return 1;
  }
  return StoreSlow(va, sizeof(T), static_cast<uint64_t>(value));
}

}  // namespace tapvm
