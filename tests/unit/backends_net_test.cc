// Network backends: dgram spec parsing, two dgram backends exchanging
// frames on loopback, a hostile UDP peer, the shared receive thread with
// oversized frames, and a TAP device when the host lets us make one.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <vector>

#include "emulator/net/backends/dgram_backend.h"
#include "emulator/net/backends/tap_backend.h"

namespace tapvm {
namespace {

constexpr auto kWait = std::chrono::seconds(2);
using Frame = std::vector<uint8_t>;

// Collects frames from a receive thread.
class FrameSink {
 public:
  NetBackend::FrameCallback Callback() {
    return [this](Frame f) {
      std::lock_guard<std::mutex> lock(mu_);
      frames_.push_back(std::move(f));
      cv_.notify_all();
    };
  }
  // Waits (bounded) until `n` frames have arrived; returns them all.
  std::vector<Frame> WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, kWait, [&] { return frames_.size() >= n; });
    return frames_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Frame> frames_;
};

Frame MakeFrame(size_t size, uint8_t seed) {
  Frame f(size);
  for (size_t i = 0; i < size; ++i) f[i] = static_cast<uint8_t>(seed * 31 + i);
  return f;
}

// A UDP socket bound to 127.0.0.1 on an ephemeral port.
struct UdpSocket {
  UdpSocket() {
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~UdpSocket() { close(fd); }
  void SendTo(uint16_t to, const void* data, size_t size) const {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(to);
    EXPECT_EQ(sendto(fd, data, size, 0, reinterpret_cast<sockaddr*>(&a), sizeof a),
              static_cast<ssize_t>(size));
  }
  int fd;
  uint16_t port;
};

std::string Spec(uint16_t local, uint16_t remote) {
  return "local=127.0.0.1:" + std::to_string(local) + ",remote=127.0.0.1:" + std::to_string(remote);
}

// Two backends wired to each other. Ports are found by binding ephemeral
// ones and releasing them, so another process may grab one in between:
// retried a few times.
void MakePair(std::unique_ptr<DgramBackend>* a, std::unique_ptr<DgramBackend>* b) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    uint16_t pa, pb;
    {
      UdpSocket sa, sb;
      pa = sa.port;
      pb = sb.port;
    }
    if (DgramBackend::Create(Spec(pa, pb), a).ok() && DgramBackend::Create(Spec(pb, pa), b).ok()) {
      return;
    }
  }
  FAIL() << "could not bind two loopback ports";
}

TEST(DgramSpecTest, ParsesBothSpellings) {
  DgramSpec s;
  ASSERT_TRUE(DgramBackend::ParseSpec("local=127.0.0.1:5555,remote=127.0.0.2:5556", &s).ok());
  const auto& l = reinterpret_cast<const sockaddr_in&>(s.local);
  const auto& r = reinterpret_cast<const sockaddr_in&>(s.remote);
  EXPECT_EQ(l.sin_family, AF_INET);
  EXPECT_EQ(ntohs(l.sin_port), 5555);
  EXPECT_EQ(ntohl(l.sin_addr.s_addr), 0x7f000001u);
  EXPECT_EQ(ntohs(r.sin_port), 5556);
  EXPECT_EQ(ntohl(r.sin_addr.s_addr), 0x7f000002u);
  EXPECT_EQ(s.addr_len, sizeof(sockaddr_in));

  Status st = DgramBackend::ParseSpec(
      "local.type=inet,local.host=127.0.0.1,local.port=0,"
      "remote.type=inet,remote.host=127.0.0.1,remote.port=7",
      &s);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(ntohs(reinterpret_cast<const sockaddr_in&>(s.remote).sin_port), 7);

  ASSERT_TRUE(DgramBackend::ParseSpec("local=[::1]:1,remote.host=::1,remote.port=2", &s).ok());
  EXPECT_EQ(s.local.ss_family, AF_INET6);
  EXPECT_EQ(ntohs(reinterpret_cast<const sockaddr_in6&>(s.remote).sin6_port), 2);
  EXPECT_EQ(s.addr_len, sizeof(sockaddr_in6));
}

TEST(DgramSpecTest, RejectsMalformedSpecs) {
  DgramSpec s;
  for (const char* bad : {
           "", "local=127.0.0.1:5555", "remote=127.0.0.1:5555", "local=127.0.0.1,remote=127.0.0.1:1",
           "local=127.0.0.1:65536,remote=127.0.0.1:1", "local=127.0.0.1:-1,remote=127.0.0.1:1",
           "local=127.0.0.1:1,remote=127.0.0.1:0", "local=localhost:1,remote=127.0.0.1:2",
           "local=127.0.0.1:1,remote=[::1]:2", "local=::1:1,remote=::1:2",
           "local=127.0.0.1:1,remote=127.0.0.1:2,mcast=1", "local=127.0.0.1:1,local=127.0.0.1:2",
           "local=127.0.0.1:1,local.port=3,remote=127.0.0.1:2", "local=127.0.0.1:1,remote",
           "local.type=unix,local.host=127.0.0.1,local.port=1,remote=127.0.0.1:2",
           "local=:1,remote=127.0.0.1:2", "local=[::1]:,remote=[::1]:2"}) {
    EXPECT_FALSE(DgramBackend::ParseSpec(bad, &s).ok()) << bad;
  }
  std::unique_ptr<DgramBackend> b;
  EXPECT_FALSE(DgramBackend::Create("local=127.0.0.1:1", &b).ok());
  EXPECT_EQ(b, nullptr);
}

TEST(DgramBackendTest, TwoBackendsExchangeFrames) {
  std::unique_ptr<DgramBackend> a, b;
  MakePair(&a, &b);
  ASSERT_TRUE(a && b);
  FrameSink at_a, at_b;
  a->Start(at_a.Callback());
  b->Start(at_b.Callback());
  a->Start(at_a.Callback());  // already started: no second thread

  std::vector<Frame> to_b = {MakeFrame(14, 1), MakeFrame(60, 2), MakeFrame(1514, 3),
                             MakeFrame(65507, 4)};
  for (const Frame& f : to_b) a->Send(f);
  b->Send(MakeFrame(100, 9));
  EXPECT_EQ(at_b.WaitFor(to_b.size()), to_b);
  EXPECT_EQ(at_a.WaitFor(1), std::vector<Frame>{MakeFrame(100, 9)});

  a->Send(Frame{});            // empty: dropped
  a->Send(MakeFrame(65508, 5));  // larger than a UDP payload: dropped
  EXPECT_EQ(a->send_drops(), 2u);
  EXPECT_EQ(a->receive_drops(), 0u);
}

TEST(DgramBackendTest, HostilePeerCannotHurtTheReceiver) {
  UdpSocket peer, stranger;
  std::unique_ptr<DgramBackend> b;
  std::string spec = "local=127.0.0.1:0,remote=127.0.0.1:" + std::to_string(peer.port);
  ASSERT_TRUE(DgramBackend::Create(spec, &b).ok());
  uint16_t port = b->local_port();
  ASSERT_NE(port, 0);
  FrameSink sink;
  b->Start(sink.Callback());

  std::vector<uint8_t> garbage(65507);
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 2654435761u >> 13);
  std::vector<Frame> expected;
  int runts = 0;
  for (size_t size : {0, 1, 13, 14, 15, 64, 1500, 9000, 65506, 65507}) {
    peer.SendTo(port, garbage.data(), size);
    if (size < kMinFrameBytes) {
      ++runts;
    } else {
      expected.emplace_back(garbage.begin(), garbage.begin() + static_cast<ptrdiff_t>(size));
    }
  }
  stranger.SendTo(port, garbage.data(), 100);  // not the remote: dropped
  Frame marker = MakeFrame(20, 7);
  peer.SendTo(port, marker.data(), marker.size());
  expected.push_back(marker);

  EXPECT_EQ(sink.WaitFor(expected.size()), expected);
  EXPECT_EQ(b->receive_drops(), static_cast<uint64_t>(runts + 1));
  b->Stop();
  b->Stop();
}

TEST(DgramBackendTest, StopIsPromptWithoutTraffic) {
  std::unique_ptr<DgramBackend> b;
  ASSERT_TRUE(DgramBackend::Create("local=127.0.0.1:0,remote=127.0.0.1:9", &b).ok());
  FrameSink sink;
  auto start = std::chrono::steady_clock::now();
  b->Start(sink.Callback());
  b->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  b->Send(MakeFrame(60, 1));  // still fine after Stop; nobody listens on port 9
  b->Start(sink.Callback());  // may start again
  b.reset();                  // the destructor stops it
}

TEST(FrameReceiverTest, DropsOversizedAndRuntFrames) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  int flags = 1;
  ASSERT_EQ(ioctl(sv[0], FIONBIO, &flags), 0);
  FrameReceiver receiver("test");
  FrameSink sink;
  // A read-style source: truncates silently, as a TAP descriptor does.
  ASSERT_TRUE(receiver
                  .Start(sv[0], [fd = sv[0]](uint8_t* buf, size_t cap) { return read(fd, buf, cap); },
                         sink.Callback())
                  .ok());
  Frame big = MakeFrame(70000, 1), runt = MakeFrame(5, 2), max = MakeFrame(kMaxFrameBytes, 3),
        ok = MakeFrame(60, 4);
  for (const Frame* f : {&big, &runt, &max, &ok}) {
    ASSERT_EQ(write(sv[1], f->data(), f->size()), static_cast<ssize_t>(f->size()));
  }
  EXPECT_EQ(sink.WaitFor(2), (std::vector<Frame>{max, ok}));
  EXPECT_EQ(receiver.dropped(), 2u);
  receiver.Stop();
  close(sv[0]);
  close(sv[1]);
}

// A TAP interface, brought up, with a packet socket on it playing the
// host: frames cross in both directions. Needs /dev/net/tun and
// CAP_NET_ADMIN; skipped without them (optional host support).
TEST(TapBackendTest, FramesCrossATapInterface) {
  std::unique_ptr<TapBackend> tap;
  Status st = TapBackend::Create("tapvmt%d", &tap);
  if (st.code() == Status::Code::kNotSupported ||
      st.message().find("Operation not permitted") != std::string::npos) {
    GTEST_SKIP() << "no TAP support here: " << st.ToString();
  }
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(tap->ifname().rfind("tapvmt", 0), 0u) << tap->ifname();
  EXPECT_FALSE(TapBackend::Create(std::string(IFNAMSIZ, 'x'), nullptr).ok());

  // Bring the interface up (no address: nothing is routed through it).
  int ctl = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, tap->ifname().c_str(), IFNAMSIZ - 1);
  ASSERT_EQ(ioctl(ctl, SIOCGIFFLAGS, &ifr), 0);
  ifr.ifr_flags |= IFF_UP;
  ASSERT_EQ(ioctl(ctl, SIOCSIFFLAGS, &ifr), 0);
  ASSERT_EQ(ioctl(ctl, SIOCGIFINDEX, &ifr), 0);
  close(ctl);

  constexpr uint16_t kEtherType = 0x88b5;  // IEEE local experimental
  int pkt = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(kEtherType));
  ASSERT_GE(pkt, 0);
  sockaddr_ll ll{};
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons(kEtherType);
  ll.sll_ifindex = ifr.ifr_ifindex;
  ASSERT_EQ(bind(pkt, reinterpret_cast<sockaddr*>(&ll), sizeof ll), 0);

  Frame frame(60, 0xee);
  std::memset(frame.data(), 0xff, 6);                  // broadcast destination
  std::memcpy(frame.data() + 6, "\x02\0\0\0\0\x01", 6);  // locally administered source
  frame[12] = kEtherType >> 8;
  frame[13] = kEtherType & 0xff;

  // Host -> guest: only our experimental frames count (the kernel may send
  // its own, e.g. IPv6 router solicitations).
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Frame> got;
  tap->Start([&](Frame f) {
    if (f.size() < 14 || f[12] != (kEtherType >> 8) || f[13] != (kEtherType & 0xff)) return;
    std::lock_guard<std::mutex> lock(mu);
    got.push_back(std::move(f));
    cv.notify_all();
  });
  ASSERT_EQ(send(pkt, frame.data(), frame.size(), 0), static_cast<ssize_t>(frame.size()));
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, kWait, [&] { return !got.empty(); }));
    EXPECT_EQ(got[0], frame);
  }

  // Guest -> host.
  frame[20] = 0x42;
  tap->Send(frame);
  pollfd p{pkt, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 2000), 1);
  Frame back(2048);
  ssize_t n = recv(pkt, back.data(), back.size(), 0);
  back.resize(n > 0 ? static_cast<size_t>(n) : 0);
  EXPECT_EQ(back, frame);
  EXPECT_EQ(tap->send_drops(), 0u);
  close(pkt);
  tap->Stop();
}

}  // namespace
}  // namespace tapvm
