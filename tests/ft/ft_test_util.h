// Helpers of the FT channel tests: a stream of events of every kind, a raw
// peer speaking the wire format by hand (to play a hostile or silent
// primary or secondary), and a forger of event records.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <vector>

#include "ft/channel_options.h"
#include "ft/wire.h"
#include "gtest/gtest.h"
#include "journal/codec.h"
#include "journal/format.h"
#include "tests/unit/journal_test_util.h"

namespace tapvm::ft::testutil {

inline constexpr RunId kRun{0x1111222233334444ull, 0x5555666677778888ull};
inline constexpr uint64_t kConfig = 0xc0ff1e;

template <typename O>
O Options(bool listen, uint16_t port = 0) {
  O o;
  o.listen = listen;
  o.port = port;
  o.run_id = kRun;
  o.config_hash = kConfig;
  o.heartbeat = std::chrono::milliseconds(50);
  o.peer_timeout = std::chrono::milliseconds(2000);
  o.connect_timeout = std::chrono::milliseconds(5000);
  return o;
}

// `n` events cycling through every kind, seqs 1..n, icounts rising.
inline std::vector<journal::Event> Stream(size_t n) {
  std::vector<journal::Event> out;
  uint64_t icount = 1000;
  while (out.size() < n) {
    for (journal::Event& e : journal::testutil::AllKinds(icount)) {
      if (out.size() == n) break;
      e.seq = out.size() + 1;
      out.push_back(std::move(e));
    }
    icount += 1000;
  }
  return out;
}

// A port nobody listens on (now).
inline uint16_t FreePort() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  socklen_t len = sizeof sa;
  getsockname(s, reinterpret_cast<sockaddr*>(&sa), &len);
  close(s);
  return ntohs(sa.sin_port);
}

// One blocking TCP connection with 5 s timeouts, speaking frames by hand.
class RawPeer {
 public:
  explicit RawPeer(uint16_t port) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
      fd_ = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in sa{};
      sa.sin_family = AF_INET;
      sa.sin_port = htons(port);
      sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) break;
      close(fd_);
      fd_ = -1;
      if (std::chrono::steady_clock::now() > deadline) break;
      usleep(20'000);
    }
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  ~RawPeer() {
    if (fd_ >= 0) close(fd_);
  }
  bool connected() const { return fd_ >= 0; }

  void SendBytes(const std::vector<uint8_t>& b) {
    size_t off = 0;
    while (off < b.size()) {
      const ssize_t n = send(fd_, b.data() + off, b.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;  // the other side may have hung up on us: fine
      off += static_cast<size_t>(n);
    }
  }
  void Send(const Message& m) { SendBytes(EncodeFrame(m)); }
  void Close() {
    close(fd_);
    fd_ = -1;
  }
  // Ends our side with a FIN after everything sent. (A close() with the
  // receiver's acks still unread here sends a reset, which may discard
  // what the receiver had not read yet: a different test.)
  void HalfClose() { shutdown(fd_, SHUT_WR); }

  // Reads one message; false on timeout, EOF or garbage.
  bool Read(Message* m) {
    uint8_t h[kFrameHeaderSize];
    if (!ReadAll(h, sizeof h)) return false;
    uint32_t len = 0;
    if (!ParseFrameHeader(h, kMaxFrameBytes, &len).ok()) return false;
    std::vector<uint8_t> body(len);
    if (!ReadAll(body.data(), len)) return false;
    return DecodeMessage(body, m).ok();
  }

  // Sends our Hello as the primary (or `hello` as given), reads theirs.
  bool HelloAsPrimary(Hello hello = MakeHello(Role::kPrimary)) {
    Send(hello);
    Message m;
    return Read(&m) && std::holds_alternative<Hello>(m);
  }

  static Hello MakeHello(Role role) {
    Hello h;
    h.run_id = kRun;
    h.config_hash = kConfig;
    h.role = role;
    return h;
  }

 private:
  bool ReadAll(uint8_t* p, size_t n) {
    while (n > 0) {
      const ssize_t got = recv(fd_, p, n, 0);
      if (got <= 0) return false;
      p += got;
      n -= static_cast<size_t>(got);
    }
    return true;
  }
  int fd_ = -1;
};

// Builds Event messages as a primary would, with control over the chain.
class Forger {
 public:
  Forger() : chain_(StreamChainSeed(kRun, kConfig)) {}
  uint64_t chain() const { return chain_; }

  // The message for `e` as event `seq`, linked to `prev_chain` (default:
  // the forger's chain, which it then advances).
  EventMsg Make(uint64_t seq, const journal::Event& e, const uint64_t* prev_chain = nullptr) {
    const auto payload = journal::PayloadOf(e.body);
    const bool blob = payload && payload->size() > 64;
    journal::BlobRef ref;
    if (blob) {
      ref.hash = journal::ContentHash(*payload);
      ref.size = payload->size();
    }
    std::span<const uint8_t> rec;
    uint64_t checksum = 0;
    const uint64_t prev = prev_chain != nullptr ? *prev_chain : chain_;
    EXPECT_TRUE(enc_.Encode(seq, e, prev, blob ? &ref : nullptr, &rec, &checksum).ok());
    if (prev_chain == nullptr) chain_ = journal::ChainNext(prev, checksum);
    EventMsg m;
    m.seq = seq;
    m.record.assign(rec.begin(), rec.end());
    if (blob) m.payload.assign(payload->begin(), payload->end());
    return m;
  }

 private:
  journal::EventEncoder enc_;
  uint64_t chain_;
};

}  // namespace tapvm::ft::testutil
