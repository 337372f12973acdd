// PassthroughTap with real backends: block completions, frames over two
// loopback dgram backends, entropy and console input reach a fake device
// only through DeliverDue, in arrival order; the observer sees each input
// first; WaitForInput wakes on input and times out without it.
#include "emulator/tap/backends/passthrough_tap.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "emulator/block/backends/thread_pool_backend.h"
#include "emulator/net/backends/dgram_backend.h"

namespace tapvm {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint64_t kTwoSecondsNs = 2'000'000'000;

// A device that logs every input; inputs of all fake devices go to one log
// so the order across devices is visible.
struct Log {
  std::vector<TapInput> inputs;
};
class FakeSink : public TapInputSink {
 public:
  explicit FakeSink(Log* log) : log_(log) {}
  void OnInput(const TapInput& input) override {
    log_->inputs.push_back(input);
    if (on_input) on_input(input);
  }
  std::function<void(const TapInput&)> on_input;

 private:
  Log* log_;
};

// Waits (bounded) for inputs and delivers them until the log holds `n`.
void DeliverUntil(PassthroughTap& tap, const Log& log, size_t n, uint64_t icount = 100) {
  auto deadline = Clock::now() + std::chrono::seconds(2);
  while (log.inputs.size() < n && Clock::now() < deadline) {
    tap.WaitForInput(50'000'000);
    tap.DeliverDue(icount);
  }
  ASSERT_EQ(log.inputs.size(), n);
}

// A temporary image of `size` zero bytes, removed however the test ends.
class TempImage {
 public:
  explicit TempImage(off_t size) {
    int fd = mkstemp(path_);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(ftruncate(fd, size), 0);
    close(fd);
  }
  ~TempImage() { unlink(path_); }
  const char* path() const { return path_; }

 private:
  char path_[40] = "/tmp/tapvm_passthrough_XXXXXX";
};

// A loopback UDP port that was free a moment ago.
uint16_t FreeUdpPort() {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    a.sin_port = 0;
  }
  close(fd);
  return ntohs(a.sin_port);
}

std::string Spec(uint16_t local, uint16_t remote) {
  return "local=127.0.0.1:" + std::to_string(local) + ",remote=127.0.0.1:" + std::to_string(remote);
}

// An EntropySource with predictable output.
class CountingEntropy : public EntropySource {
 public:
  Status Fill(std::span<uint8_t> out) override {
    for (uint8_t& b : out) b = next_++;
    return Status::Ok();
  }

 private:
  uint8_t next_ = 0;
};

TEST(PassthroughTapTest, BlockCompletionsArriveOnlyThroughDeliverDue) {
  TempImage image(1 << 16);
  std::unique_ptr<ThreadPoolBackend> disk;
  ASSERT_TRUE(ThreadPoolBackend::Open(image.path(), false, 2, &disk).ok());

  PassthroughTap tap;
  Log log;
  FakeSink dev(&log);
  tap.AttachDevice(1, &dev);
  tap.AttachBlockBackend(1, disk.get());

  BlockRequest w;
  w.dev = 1;
  w.id = 10;
  w.type = BlockRequest::Type::kWrite;
  w.offset = 512;
  w.data = {1, 2, 3, 4};
  w.length = 4;
  tap.SubmitBlock(w);
  disk->Drain();
  EXPECT_TRUE(log.inputs.empty());  // completed, but not yet delivered
  EXPECT_EQ(tap.pending_inputs(), 1u);
  EXPECT_EQ(tap.DeliverDue(5), 1u);
  ASSERT_EQ(log.inputs.size(), 1u);
  const auto& wc = std::get<BlockCompletion>(log.inputs[0]);
  EXPECT_EQ(wc.dev, 1);
  EXPECT_EQ(wc.id, 10u);
  EXPECT_EQ(wc.status, BlockCompletion::Status::kOk);

  BlockRequest r;
  r.dev = 1;
  r.id = 11;
  r.type = BlockRequest::Type::kRead;
  r.offset = 512;
  r.length = 4;
  tap.SubmitBlock(r);
  r.id = 12;
  r.offset = 1 << 16;  // past the end
  tap.SubmitBlock(r);
  BlockRequest orphan = r;
  orphan.dev = 7;  // no backend: fails, still through the queue
  orphan.id = 13;
  tap.SubmitBlock(orphan);
  DeliverUntil(tap, log, 3);  // the orphan has no sink: dropped
  tap.AttachDevice(7, &dev);
  tap.SubmitBlock(orphan);
  DeliverUntil(tap, log, 4);

  std::map<uint64_t, BlockCompletion> by_id;
  for (size_t i = 1; i < log.inputs.size(); ++i) {
    const auto& c = std::get<BlockCompletion>(log.inputs[i]);
    by_id[c.id] = c;
  }
  EXPECT_EQ(by_id[11].status, BlockCompletion::Status::kOk);
  EXPECT_EQ(by_id[11].data, (std::vector<uint8_t>{1, 2, 3, 4}));
  EXPECT_EQ(by_id[12].status, BlockCompletion::Status::kIoError);
  EXPECT_EQ(by_id[13].status, BlockCompletion::Status::kIoError);
  EXPECT_EQ(by_id[13].dev, 7);
}

TEST(PassthroughTapTest, FramesTravelThroughDgramBackends) {
  // The guest's backend and a peer backend, wired to each other.
  std::unique_ptr<DgramBackend> guest_side, peer;
  for (int attempt = 0; attempt < 5 && !peer; ++attempt) {
    uint16_t a = FreeUdpPort(), b = FreeUdpPort();
    if (a == b) continue;
    if (!DgramBackend::Create(Spec(a, b), &guest_side).ok() ||
        !DgramBackend::Create(Spec(b, a), &peer).ok()) {
      guest_side.reset();
      peer.reset();
    }
  }
  ASSERT_TRUE(peer && guest_side);

  PassthroughTap tap;
  Log log;
  FakeSink nic(&log);
  tap.AttachDevice(2, &nic);
  tap.AttachNetBackend(2, guest_side.get());
  std::mutex mu;
  std::vector<std::vector<uint8_t>> at_peer;
  peer->Start([&](std::vector<uint8_t> f) {
    std::lock_guard<std::mutex> lock(mu);
    at_peer.push_back(std::move(f));
  });

  std::vector<uint8_t> in1(60, 0xa1), in2(1514, 0xa2), out(42, 0xb0);
  peer->Send(in1);
  peer->Send(in2);
  DeliverUntil(tap, log, 2);
  EXPECT_EQ(std::get<NetFrameIn>(log.inputs[0]).frame, in1);
  EXPECT_EQ(std::get<NetFrameIn>(log.inputs[1]).frame, in2);
  EXPECT_EQ(std::get<NetFrameIn>(log.inputs[1]).dev, 2);

  tap.TransmitFrame(2, out);
  tap.TransmitFrame(3, out);  // no backend: dropped
  auto deadline = Clock::now() + std::chrono::seconds(2);
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!at_peer.empty() || Clock::now() > deadline) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  peer->Stop();
  guest_side->Stop();
  ASSERT_EQ(at_peer.size(), 1u);
  EXPECT_EQ(at_peer[0], out);
}

TEST(PassthroughTapTest, EntropyIsQueuedNotDeliveredSynchronously) {
  PassthroughTap tap;
  Log log;
  FakeSink rng(&log);
  tap.AttachDevice(3, &rng);
  tap.RequestEntropy(3, 8);  // no source yet: an empty answer
  CountingEntropy entropy;
  tap.AttachEntropy(&entropy);
  tap.RequestEntropy(3, 4);
  tap.RequestEntropy(3, 1u << 30);  // capped
  EXPECT_TRUE(log.inputs.empty());
  EXPECT_TRUE(tap.WaitForInput(0));
  EXPECT_EQ(tap.DeliverDue(1), 3u);
  ASSERT_EQ(log.inputs.size(), 3u);
  EXPECT_TRUE(std::get<EntropyIn>(log.inputs[0]).bytes.empty());
  EXPECT_EQ(std::get<EntropyIn>(log.inputs[1]).bytes, (std::vector<uint8_t>{0, 1, 2, 3}));
  EXPECT_EQ(std::get<EntropyIn>(log.inputs[2]).bytes.size(), PassthroughTap::kMaxEntropyBytes);
  EXPECT_EQ(std::get<EntropyIn>(log.inputs[2]).bytes[0], 4);

  // The host's own source answers in full, with something not all zero.
  EntropySource host;
  tap.AttachEntropy(&host);
  tap.RequestEntropy(3, 64);
  EXPECT_EQ(tap.DeliverDue(2), 1u);
  const auto& bytes = std::get<EntropyIn>(log.inputs[3]).bytes;
  ASSERT_EQ(bytes.size(), 64u);
  EXPECT_NE(bytes, std::vector<uint8_t>(64, 0));
}

TEST(PassthroughTapTest, ConsoleInputFromAnotherThreadInOrder) {
  PassthroughTap tap;
  Log log;
  FakeSink uart(&log), other(&log);
  tap.AttachDevice(0, &uart);
  tap.AttachDevice(4, &other);
  std::thread terminal([&tap] {
    for (char ch : std::string("hello")) {
      tap.PostInput(ConsoleIn{0, {static_cast<uint8_t>(ch)}});
      tap.PostInput(EntropyIn{4, {static_cast<uint8_t>(ch)}});
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  uint64_t icount = 1000;
  auto deadline = Clock::now() + std::chrono::seconds(2);
  while (log.inputs.size() < 10 && Clock::now() < deadline) {
    tap.WaitForInput(kTwoSecondsNs);
    tap.DeliverDue(++icount);
  }
  terminal.join();
  ASSERT_EQ(log.inputs.size(), 10u);
  std::string console, entropy;
  for (size_t i = 0; i < log.inputs.size(); ++i) {
    // Posted alternately, so delivered alternately.
    if (i % 2 == 0) {
      console += static_cast<char>(std::get<ConsoleIn>(log.inputs[i]).bytes.at(0));
    } else {
      entropy += static_cast<char>(std::get<EntropyIn>(log.inputs[i]).bytes.at(0));
    }
  }
  EXPECT_EQ(console, "hello");
  EXPECT_EQ(entropy, "hello");

  // Console output goes to the callback.
  std::string out;
  tap.SetConsoleOutput([&](TapDeviceId dev, std::span<const uint8_t> bytes) {
    EXPECT_EQ(dev, 0);
    out.append(bytes.begin(), bytes.end());
  });
  const uint8_t text[] = {'o', 'k'};
  tap.ConsoleOutput(0, text);
  EXPECT_EQ(out, "ok");
}

TEST(PassthroughTapTest, InputsPostedDuringDeliveryWaitForTheNextCall) {
  PassthroughTap tap;
  Log log;
  FakeSink rng(&log);
  CountingEntropy entropy;
  tap.AttachEntropy(&entropy);
  tap.AttachDevice(3, &rng);
  rng.on_input = [&tap](const TapInput&) { tap.RequestEntropy(3, 1); };  // asks again each time
  tap.RequestEntropy(3, 1);
  EXPECT_EQ(tap.DeliverDue(1), 1u);
  EXPECT_EQ(tap.DeliverDue(2), 1u);
  EXPECT_EQ(tap.DeliverDue(3), 1u);
  EXPECT_EQ(log.inputs.size(), 3u);
  EXPECT_EQ(tap.pending_inputs(), 1u);
}

TEST(PassthroughTapTest, WaitForInputWakesOnPostAndTimesOut) {
  PassthroughTap tap;
  auto start = Clock::now();
  EXPECT_FALSE(tap.WaitForInput(0));
  EXPECT_FALSE(tap.WaitForInput(30'000'000));  // 30 ms
  auto waited = Clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(29));
  EXPECT_LT(waited, std::chrono::seconds(1));

  std::thread poster([&tap] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    tap.PostInput(ConsoleIn{0, {'x'}});
  });
  start = Clock::now();
  EXPECT_TRUE(tap.WaitForInput(kTwoSecondsNs));
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(1500));
  poster.join();
  EXPECT_TRUE(tap.WaitForInput(UINT64_MAX));  // pending: returns at once
  EXPECT_EQ(tap.DeliverDue(1), 0u);           // no sink for device 0: dropped
  EXPECT_EQ(tap.pending_inputs(), 0u);

  std::thread kicker([&tap] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    tap.Kick();
  });
  start = Clock::now();
  EXPECT_FALSE(tap.WaitForInput(kTwoSecondsNs));  // woken, but nothing pending
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(1500));
  kicker.join();
}

// A block backend that completes requests only when the test says so.
class HeldBlockBackend : public BlockBackend {
 public:
  void Submit(BlockRequest request, DoneCallback done) override {
    std::lock_guard<std::mutex> lock(mu_);
    held_.emplace_back(std::move(request), std::move(done));
  }
  void CompleteAll() {
    std::vector<std::pair<BlockRequest, DoneCallback>> held;
    {
      std::lock_guard<std::mutex> lock(mu_);
      held.swap(held_);
    }
    for (auto& [request, done] : held) {
      BlockCompletion c;
      c.dev = request.dev;
      c.id = request.id;
      done(std::move(c));
    }
  }
  uint64_t size_bytes() const override { return 1 << 20; }
  bool read_only() const override { return false; }
  void Drain() override {}
  void Stop() override {}

 private:
  std::mutex mu_;
  std::vector<std::pair<BlockRequest, DoneCallback>> held_;
};

TEST(PassthroughTapTest, IdleWarpsWhenNothingCanArrive) {
  PassthroughTap tap;
  auto start = Clock::now();
  EXPECT_EQ(tap.Idle(100, 1'000'000'000), 1'000'000'000u);  // 100 s of guest time, at once
  EXPECT_EQ(tap.Idle(100, UINT64_MAX), UINT64_MAX);        // nothing can wake the guest
  EXPECT_EQ(tap.Idle(100, 50), 50u);
  tap.PostInput(ConsoleIn{0, {'x'}});
  EXPECT_EQ(tap.Idle(100, 1'000'000'000), 100u);  // an input is due first
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(500));
}

TEST(PassthroughTapTest, IdleWaitsInHostTimeWhileInputCanArrive) {
  PassthroughTap tap;
  tap.SetTimebaseHz(1000);  // one tick per millisecond
  tap.SetExternalInput(true);

  auto start = Clock::now();
  EXPECT_EQ(tap.Idle(1000, 1030), 1030u);  // 30 ms, nothing arrives
  auto waited = Clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(29));
  EXPECT_LT(waited, std::chrono::seconds(1));

  std::thread poster([&tap] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    tap.PostInput(ConsoleIn{0, {'x'}});
  });
  uint64_t to = tap.Idle(1000, 1000 + 10'000);  // 10 s deadline; the input comes first
  poster.join();
  EXPECT_GE(to, 1029u);
  EXPECT_LT(to, 1000u + 1500);
  EXPECT_EQ(tap.DeliverDue(1), 0u);

  std::thread kicker([&tap] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    tap.Kick();
  });
  to = tap.Idle(5000, UINT64_MAX);  // no timer: waits for input, or a Kick
  kicker.join();
  EXPECT_GE(to, 5029u);
  EXPECT_LT(to, 5000u + 1500);
}

TEST(PassthroughTapTest, IdleWaitsForBlockRequestsInFlight) {
  PassthroughTap tap;
  tap.SetTimebaseHz(1000);
  HeldBlockBackend disk;
  Log log;
  FakeSink dev(&log);
  tap.AttachDevice(1, &dev);
  tap.AttachBlockBackend(1, &disk);
  BlockRequest r;
  r.dev = 1;
  r.id = 5;
  tap.SubmitBlock(r);
  std::thread completer([&disk] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    disk.CompleteAll();
  });
  uint64_t to = tap.Idle(0, UINT64_MAX);  // the completion will wake the guest
  completer.join();
  EXPECT_GE(to, 29u);
  EXPECT_LT(to, 1500u);
  EXPECT_EQ(tap.DeliverDue(1), 1u);
  EXPECT_EQ(std::get<BlockCompletion>(log.inputs.at(0)).id, 5u);
  EXPECT_EQ(tap.Idle(0, UINT64_MAX), UINT64_MAX);  // nothing in flight any more
}

TEST(PassthroughTapTest, FrameFloodIsBounded) {
  PassthroughTap tap;
  Log log;
  FakeSink nic(&log);
  tap.AttachDevice(2, &nic);
  for (size_t i = 0; i < PassthroughTap::kMaxQueuedFrames + 10; ++i) {
    tap.PostInput(NetFrameIn{2, std::vector<uint8_t>(60, static_cast<uint8_t>(i))});
  }
  tap.PostInput(ConsoleIn{2, {'c'}});  // other inputs are never dropped
  EXPECT_EQ(tap.dropped_frames(), 10u);
  EXPECT_EQ(tap.DeliverDue(1), PassthroughTap::kMaxQueuedFrames + 1);
  tap.PostInput(NetFrameIn{2, std::vector<uint8_t>(60)});  // room again
  EXPECT_EQ(tap.DeliverDue(2), 1u);
}

TEST(PassthroughTapTest, BackendMayOutliveTheTap) {
  TempImage image(4096);
  std::unique_ptr<ThreadPoolBackend> disk;
  ASSERT_TRUE(ThreadPoolBackend::Open(image.path(), false, 1, &disk).ok());
  {
    PassthroughTap tap;
    for (uint64_t id = 0; id < 100; ++id) {
      BlockRequest r;
      r.dev = 1;
      r.id = id;
      r.length = 4096;
      tap.AttachBlockBackend(1, disk.get());
      tap.SubmitBlock(r);
    }
  }  // the tap goes while requests are in flight
  disk->Drain();
}

}  // namespace
}  // namespace tapvm
