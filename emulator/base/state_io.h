// StateWriter / StateReader: the small binary encoding machine state is
// saved in (checkpoints, docs/checkpoint-format.md).
//
// Integers are little-endian at their own width (Put<uint16_t> writes two
// bytes); bools are one byte, 0 or 1; byte strings carry a u64 length
// before them. A *section* is a name (a byte string) and a u64 payload
// length before its payload; sections nest. Every component saves itself in
// a section of its own name, so a reader that finds something else says
// which component it expected ("expected section 'uart0', found 'plic'").
//
// The reader is for untrusted input: it never reads past the end of its
// buffer or of the section it is in, never allocates more than the bytes
// left could hold, and never throws. The first problem makes it fail: from
// then on every read returns zeros / empty values, and status() says what
// went wrong and where (the section path and byte offset). Callers read
// everything into temporaries, check ok(), validate, and only then change
// the component, so a bad input leaves it as it was.
//
// Plain values; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "emulator/base/status.h"

namespace tapvm {

namespace state_io_internal {
// The unsigned integer type an integer or enum is saved as.
template <typename T, bool = std::is_enum_v<T>>
struct Unsigned {
  using type = std::make_unsigned_t<T>;
};
template <typename T>
struct Unsigned<T, true> {
  using type = std::make_unsigned_t<std::underlying_type_t<T>>;
};
}  // namespace state_io_internal

class StateWriter {
 public:
  // Integers and enums at their own width, little-endian.
  template <typename T>
    requires(std::is_integral_v<T> || std::is_enum_v<T>) && (!std::is_same_v<T, bool>)
  StateWriter& Put(T v) {
    using U = typename state_io_internal::Unsigned<T>::type;
    U u = static_cast<U>(v);
    for (size_t i = 0; i < sizeof(U); ++i) out_.push_back(static_cast<uint8_t>(u >> (8 * i)));
    return *this;
  }
  StateWriter& Bool(bool b) { return Put<uint8_t>(b ? 1 : 0); }
  // A u64 length, then the bytes.
  StateWriter& Bytes(std::span<const uint8_t> bytes);
  StateWriter& String(std::string_view s) {
    return Bytes({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  }
  // Bytes of a length both sides know, with no prefix.
  StateWriter& Raw(const void* data, size_t size);

  // Opens a section; every Begin needs its End.
  void Begin(std::string_view name);
  void End();

  const std::vector<uint8_t>& bytes() const { return out_; }
  std::vector<uint8_t> Take() { return std::move(out_); }

 private:
  std::vector<uint8_t> out_;
  std::vector<size_t> open_;  // offsets of the length fields of open sections
};

class StateReader {
 public:
  // `data` must outlive the reader. `what` names the input in messages
  // ("checkpoint").
  explicit StateReader(std::span<const uint8_t> data, std::string what = "state");

  template <typename T>
    requires(std::is_integral_v<T> || std::is_enum_v<T>) && (!std::is_same_v<T, bool>)
  T Get() {
    using U = typename state_io_internal::Unsigned<T>::type;
    uint8_t b[sizeof(U)] = {};
    if (!Take(b, sizeof b)) return T{};
    U u = 0;
    for (size_t i = 0; i < sizeof(U); ++i) u |= static_cast<U>(static_cast<U>(b[i]) << (8 * i));
    return static_cast<T>(u);
  }
  template <typename T>
  void Get(T* out) {
    *out = Get<T>();
  }
  // 0 or 1; anything else fails the reader.
  bool Bool();
  // A length-prefixed byte string of at most `max` bytes.
  std::vector<uint8_t> Bytes(uint64_t max = UINT64_MAX);
  std::string String(uint64_t max = UINT64_MAX);
  // Exactly `size` bytes (zeros after a failure).
  void Raw(void* out, size_t size);
  // An element count (u64) for a list whose elements take at least
  // `min_bytes_each` bytes: fails when it exceeds `max` or could not fit in
  // what is left, so a hostile count never sizes an allocation.
  uint64_t Count(uint64_t max, uint64_t min_bytes_each = 1);

  // Enters the section that must come next and must be called `name`.
  void Enter(std::string_view name);
  // The name of the next section without entering it ("" at the end or
  // after a failure).
  std::string PeekSection();
  // Leaves the current section, which must have been read to its end.
  void Leave();

  // Fails the reader with a message about the value just read (a
  // component's own validation: "rx_count 40 > 16").
  void Fail(std::string_view why);

  bool ok() const { return status_.ok(); }
  // Corruption naming the input, the section path and the byte offset.
  const Status& status() const { return status_; }
  // Bytes left in the current section (or the whole input).
  size_t remaining() const { return limit() - pos_; }
  bool at_end() const { return remaining() == 0; }

 private:
  bool Take(void* out, size_t n);
  size_t limit() const { return ends_.empty() ? data_.size() : ends_.back(); }
  std::string Path() const;

  std::span<const uint8_t> data_;
  std::string what_;
  size_t pos_ = 0;
  std::vector<size_t> ends_;          // end offsets of the sections entered
  std::vector<std::string> names_;    // their names
  Status status_;
};

}  // namespace tapvm
