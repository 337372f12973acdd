// StateHasher: an XXH3-64 digest of a component's state, fed field by
// field (the machine's periodic state digest, ARCHITECTURE.md).
//
// Components feed their guest-visible state and nothing host-specific (no
// pointers, no padding bytes, no host timestamps), in a fixed order, so the
// same guest state gives the same digest on every host and in every mode.
// Not thread-safe; used on the CPU thread.
#pragma once

#include <xxh_x86dispatch.h>
#include <xxhash.h>

#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "emulator/base/vector_state.h"

namespace tapvm {

class StateHasher {
 public:
  StateHasher() : state_(XXH3_createState()) { XXH3_64bits_reset(state_); }
  ~StateHasher() { XXH3_freeState(state_); }
  StateHasher(const StateHasher&) = delete;
  StateHasher& operator=(const StateHasher&) = delete;

  // Integers, enums and bools (fixed width: widened to 64 bits, so a field
  // changing type does not change the digest's framing).
  template <typename T>
    requires std::is_integral_v<T> || std::is_enum_v<T>
  StateHasher& Add(T v) {
    const uint64_t x = static_cast<uint64_t>(v);
    XXH3_64bits_update(state_, &x, sizeof x);
    return *this;
  }
  // A length-prefixed byte string.
  StateHasher& AddBytes(std::span<const uint8_t> bytes) {
    Add(bytes.size());
    XXH3_64bits_update_dispatch(state_, bytes.data(), bytes.size());
    ClearUpperVectorState();  // vector_state.h
    return *this;
  }
  StateHasher& AddString(std::string_view s) {
    return AddBytes({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  }
  template <typename T>
    requires std::is_integral_v<T>
  StateHasher& AddAll(std::span<const T> values) {
    Add(values.size());
    for (T v : values) Add(v);
    return *this;
  }
  // Raw bytes, no length prefix (RAM pages of a known size).
  //
  // Long inputs go through libxxhash's runtime-dispatched XXH3 (AVX2 or
  // AVX-512 where the host has them; the same function, so the same
  // digest): RAM pages are most of a digest's bytes, and hashing them was
  // half of what recording costs over running.
  StateHasher& AddRaw(const void* data, size_t size) {
    XXH3_64bits_update_dispatch(state_, data, size);
    ClearUpperVectorState();  // vector_state.h
    return *this;
  }

  // Ends with ClearUpperVectorState too: the small fields of Add feed the
  // same library, whose accumulation the digest may finish.
  uint64_t Digest() const {
    const uint64_t h = XXH3_64bits_digest(state_);
    ClearUpperVectorState();
    return h;
  }

  // XXH3-64 of `size` bytes on their own (a RAM page's hash), dispatched
  // as AddRaw is.
  static uint64_t HashOf(const void* data, size_t size) {
    const uint64_t h = XXH3_64bits_dispatch(data, size);
    ClearUpperVectorState();
    return h;
  }

 private:
  XXH3_state_t* state_;
};

}  // namespace tapvm
