// ForwardingTap passes every EventTap call to the tap it wraps, so a
// decorator that overrides one call still forwards all the others.
#include "emulator/tap/forwarding_tap.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tapvm {
namespace {

// Notes the name of every call it gets.
class NotingTap : public EventTap {
 public:
  std::vector<std::string> calls;
  void AttachDevice(TapDeviceId, TapInputSink*) override { calls.push_back("AttachDevice"); }
  void SubmitBlock(BlockRequest) override { calls.push_back("SubmitBlock"); }
  void PlugBlock(TapDeviceId) override { calls.push_back("PlugBlock"); }
  void UnplugBlock(TapDeviceId) override { calls.push_back("UnplugBlock"); }
  void TransmitFrame(TapDeviceId, std::span<const uint8_t>) override { calls.push_back("TransmitFrame"); }
  void RequestEntropy(TapDeviceId, uint32_t) override { calls.push_back("RequestEntropy"); }
  void ConsoleOutput(TapDeviceId, std::span<const uint8_t>) override { calls.push_back("ConsoleOutput"); }
  void ObserveIo(IoSpace, bool, uint64_t, unsigned, uint64_t) override { calls.push_back("ObserveIo"); }
  void ObserveIrq(unsigned, bool) override { calls.push_back("ObserveIrq"); }
  void ObserveDigest(const MachineDigest&) override { calls.push_back("ObserveDigest"); }
  unsigned DeliverDue(uint64_t) override { return calls.push_back("DeliverDue"), 7; }
  bool InputPending() const override { return true; }
  uint64_t NextInputIcount() const override { return 11; }
  uint64_t StopIcount() const override { return 13; }
  bool WaitForInput(uint64_t) override { return calls.push_back("WaitForInput"), true; }
  void Wake() override { calls.push_back("Wake"); }
  bool InputPossible() const override { return true; }
  bool IdleAnswerReady() const override { return true; }
  uint64_t Idle(uint64_t, uint64_t) override { return calls.push_back("Idle"), 17; }
};

// A decorator that changes one call only.
class Quiet : public ForwardingTap {
 public:
  using ForwardingTap::ForwardingTap;
  void ConsoleOutput(TapDeviceId, std::span<const uint8_t>) override {}
};

TEST(ForwardingTap, EveryCallButTheOverriddenOneReachesTheInnerTap) {
  NotingTap inner;
  Quiet tap(&inner);
  const uint8_t b[1] = {0};
  const uint64_t icount = 42;
  tap.set_icount_source(&icount);
  tap.AttachDevice(1, nullptr);
  tap.SubmitBlock(BlockRequest{});
  tap.PlugBlock(1);
  tap.UnplugBlock(1);
  tap.TransmitFrame(1, b);
  tap.RequestEntropy(1, 8);
  tap.ConsoleOutput(1, b);
  tap.ObserveIo(EventTap::IoSpace::kMmio, true, 0x1000, 4, 1);
  tap.ObserveIrq(3, true);
  tap.ObserveDigest(MachineDigest{});
  EXPECT_EQ(tap.DeliverDue(5), 7u);
  EXPECT_TRUE(tap.WaitForInput(1));
  tap.Wake();
  EXPECT_EQ(tap.Idle(1, 2), 17u);
  EXPECT_TRUE(tap.InputPending());
  EXPECT_EQ(tap.NextInputIcount(), 11u);
  EXPECT_EQ(tap.StopIcount(), 13u);
  EXPECT_TRUE(tap.InputPossible());
  EXPECT_TRUE(tap.IdleAnswerReady());
  EXPECT_EQ(inner.icount(), 42u);
  const std::vector<std::string> want = {"AttachDevice", "SubmitBlock",   "PlugBlock",  "UnplugBlock",
                                         "TransmitFrame", "RequestEntropy", "ObserveIo",  "ObserveIrq",
                                         "ObserveDigest", "DeliverDue",     "WaitForInput", "Wake", "Idle"};
  EXPECT_EQ(inner.calls, want);
}

}  // namespace
}  // namespace tapvm
