#include "tools/gdb/rsp_packet.h"

namespace tapvm::gdb {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr char kDigits[] = "0123456789abcdef";

}  // namespace

void RspDecoder::Feed(std::string_view data, std::vector<RspEvent>* out) {
  for (char c : data) {
    const auto byte = static_cast<uint8_t>(c);
    if (state_ == State::kCheck1 || state_ == State::kCheck2) {
      const int d = HexDigit(c);
      if (d < 0) {
        // Not a checksum digit: the packet is bad; a `$` starts the next.
        out->push_back({oversized_ ? RspEvent::Kind::kOversized : RspEvent::Kind::kBadChecksum, {}});
        state_ = State::kIdle;
        payload_.clear();
        if (c != '$') continue;
      } else if (state_ == State::kCheck1) {
        check_ = static_cast<uint8_t>(d << 4);
        state_ = State::kCheck2;
        continue;
      } else {
        state_ = State::kIdle;
        RspEvent e{RspEvent::Kind::kPacket, {}};
        if (oversized_) {
          e.kind = RspEvent::Kind::kOversized;
        } else if (static_cast<uint8_t>(check_ | d) != sum_) {
          e.kind = RspEvent::Kind::kBadChecksum;
        } else {
          e.payload = std::move(payload_);
        }
        payload_.clear();
        out->push_back(std::move(e));
        continue;
      }
    }
    if (c == '$') {
      state_ = State::kPayload;
      payload_.clear();
      oversized_ = false;
      sum_ = 0;
      continue;
    }
    if (state_ == State::kIdle) {
      if (c == '+') out->push_back({RspEvent::Kind::kAck, {}});
      if (c == '-') out->push_back({RspEvent::Kind::kNak, {}});
      if (byte == 0x03) out->push_back({RspEvent::Kind::kInterrupt, {}});
      continue;
    }
    // kPayload
    if (c == '#') {
      state_ = State::kCheck1;
      continue;
    }
    sum_ = static_cast<uint8_t>(sum_ + byte);
    if (!oversized_ && payload_.size() >= max_payload_) {
      oversized_ = true;
      std::string().swap(payload_);
    }
    if (!oversized_) payload_.push_back(c);
  }
}

std::string EncodePacket(std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 4);
  out.push_back('$');
  uint8_t sum = 0;
  auto put = [&](char c) {
    out.push_back(c);
    sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
  };
  for (char c : payload) {
    if (c == '#' || c == '$' || c == '}' || c == '*') {
      put('}');
      put(static_cast<char>(c ^ 0x20));
    } else {
      put(c);
    }
  }
  out.push_back('#');
  out.push_back(kDigits[sum >> 4]);
  out.push_back(kDigits[sum & 15]);
  return out;
}

std::string ToHex(const uint8_t* data, size_t n) {
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

bool FromHex(std::string_view hex, std::vector<uint8_t>* out) {
  if (hex.size() % 2) return false;
  out->clear();
  out->reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexDigit(hex[i]), lo = HexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return true;
}

bool ParseHex(std::string_view hex, uint64_t* out) {
  if (hex.empty() || hex.size() > 16) return false;
  uint64_t v = 0;
  for (char c : hex) {
    const int d = HexDigit(c);
    if (d < 0) return false;
    v = v << 4 | static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}

std::string LittleEndianHex(uint64_t value, unsigned bytes) {
  uint8_t b[8];
  for (unsigned i = 0; i < bytes && i < 8; ++i) b[i] = static_cast<uint8_t>(value >> (8 * i));
  return ToHex(b, bytes < 8 ? bytes : 8);
}

bool UnescapeBinary(std::string_view in, std::vector<uint8_t>* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '}') {
      out->push_back(static_cast<uint8_t>(in[i]));
      continue;
    }
    if (++i == in.size()) return false;
    out->push_back(static_cast<uint8_t>(in[i] ^ 0x20));
  }
  return true;
}

}  // namespace tapvm::gdb
