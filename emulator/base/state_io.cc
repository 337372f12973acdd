#include "emulator/base/state_io.h"

#include <algorithm>

namespace tapvm {

StateWriter& StateWriter::Bytes(std::span<const uint8_t> bytes) {
  Put<uint64_t>(bytes.size());
  out_.insert(out_.end(), bytes.begin(), bytes.end());
  return *this;
}

StateWriter& StateWriter::Raw(const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  out_.insert(out_.end(), p, p + size);
  return *this;
}

void StateWriter::Begin(std::string_view name) {
  String(name);
  open_.push_back(out_.size());
  Put<uint64_t>(0);  // patched by End
}

void StateWriter::End() {
  const size_t at = open_.back();
  open_.pop_back();
  const uint64_t len = out_.size() - at - 8;
  for (size_t i = 0; i < 8; ++i) out_[at + i] = static_cast<uint8_t>(len >> (8 * i));
}

StateReader::StateReader(std::span<const uint8_t> data, std::string what) : data_(data), what_(std::move(what)) {}

std::string StateReader::Path() const {
  std::string p;
  for (const std::string& n : names_) p += (p.empty() ? "" : "/") + n;
  return p.empty() ? "(top level)" : p;
}

void StateReader::Fail(std::string_view why) {
  if (!status_.ok()) return;
  status_ = Status::Corruption(what_ + ", section " + Path() + ", byte " + std::to_string(pos_) + ": " +
                               std::string(why));
}

bool StateReader::Take(void* out, size_t n) {
  if (!status_.ok() || n > remaining()) {
    if (status_.ok())
      Fail("truncated (" + std::to_string(n) + " bytes needed, " + std::to_string(remaining()) + " left)");
    std::memset(out, 0, n);
    return false;
  }
  std::memcpy(out, data_.data() + pos_, n);
  pos_ += n;
  return true;
}

bool StateReader::Bool() {
  const uint8_t b = Get<uint8_t>();
  if (b > 1) Fail("a bool is " + std::to_string(b));
  return b == 1;
}

std::vector<uint8_t> StateReader::Bytes(uint64_t max) {
  const uint64_t n = Get<uint64_t>();
  if (!ok()) return {};
  if (n > max || n > remaining()) {
    Fail("a byte string of " + std::to_string(n) + " bytes (at most " +
         std::to_string(std::min<uint64_t>(max, remaining())) + " possible)");
    return {};
  }
  std::vector<uint8_t> out(data_.begin() + static_cast<ptrdiff_t>(pos_),
                           data_.begin() + static_cast<ptrdiff_t>(pos_ + n));
  pos_ += n;
  return out;
}

std::string StateReader::String(uint64_t max) {
  std::vector<uint8_t> b = Bytes(max);
  return std::string(b.begin(), b.end());
}

void StateReader::Raw(void* out, size_t size) { Take(out, size); }

uint64_t StateReader::Count(uint64_t max, uint64_t min_bytes_each) {
  const uint64_t n = Get<uint64_t>();
  if (!ok()) return 0;
  const uint64_t fit = min_bytes_each ? remaining() / min_bytes_each : UINT64_MAX;
  if (n > max || n > fit) {
    Fail("a count of " + std::to_string(n) + " (at most " + std::to_string(std::min(max, fit)) + " possible)");
    return 0;
  }
  return n;
}

std::string StateReader::PeekSection() {
  if (!ok()) return "";
  const size_t saved = pos_;
  std::string name = String(256);
  pos_ = saved;
  if (!ok()) {
    status_ = Status();  // a peek never fails the reader
    return "";
  }
  return name;
}

void StateReader::Enter(std::string_view name) {
  if (!ok()) return;
  const std::string found = String(256);
  if (!ok()) return;
  if (found != name) {
    Fail("expected section '" + std::string(name) + "', found '" + found + "'");
    return;
  }
  const uint64_t len = Get<uint64_t>();
  if (!ok()) return;
  if (len > remaining()) {
    Fail("section '" + found + "' of " + std::to_string(len) + " bytes, " + std::to_string(remaining()) + " left");
    return;
  }
  ends_.push_back(pos_ + len);
  names_.push_back(found);
}

void StateReader::Leave() {
  if (!ok() || ends_.empty()) return;
  if (pos_ != ends_.back()) {
    Fail(std::to_string(ends_.back() - pos_) + " bytes left unread at the end of the section");
    return;
  }
  ends_.pop_back();
  names_.pop_back();
}

}  // namespace tapvm
