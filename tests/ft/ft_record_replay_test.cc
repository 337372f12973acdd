// The channel between the two modes it serves: a RecordingTap journals into
// a LogSender, a ReplayTap replays from the LogReceiver. The same calls
// replay without divergence; a different one is found at its event.
#include <gtest/gtest.h>

#include "emulator/tap/minimal_tap.h"
#include "ft/log_receiver.h"
#include "ft/log_sender.h"
#include "recorder/recording_tap.h"
#include "replayer/replay_tap.h"
#include "tests/ft/ft_test_util.h"

namespace tapvm::ft {
namespace {

using namespace std::chrono_literals;
using testutil::Options;

// The machine's side of a short run: observations at rising icounts.
void DriveMachine(EventTap* tap, uint64_t* icount, uint64_t last_value) {
  const uint8_t hello[] = {'o', 'k', '\n'};
  for (uint64_t i = 0; i < 50; ++i) {
    *icount += 100;
    tap->ObserveIo(EventTap::IoSpace::kMmio, true, 0x10000000, 1, i == 49 ? last_value : i);
    tap->ObserveIrq(10, (i & 1) != 0);
    tap->ConsoleOutput(0, hello);
  }
}

TEST(FtRecordReplay, AStreamedRunReplaysAndADifferentOneDiverges) {
  for (const bool same : {true, false}) {
    std::unique_ptr<LogSender> sender;
    ASSERT_TRUE(LogSender::Start(Options<SenderOptions>(true), &sender).ok());
    std::unique_ptr<LogReceiver> receiver;
    ASSERT_TRUE(LogReceiver::Start(Options<ReceiverOptions>(false, sender->port()), &receiver).ok());

    MinimalTap inner;
    RecordingTap rec(&inner, sender.get());
    uint64_t icount = 0;
    rec.set_icount_source(&icount);
    DriveMachine(&rec, &icount, 49);
    ASSERT_TRUE(rec.status().ok()) << rec.status().ToString();
    EXPECT_EQ(rec.last_seq(), 150u);
    ASSERT_TRUE(sender->WaitAcked(rec.last_seq(), 5s));
    ASSERT_TRUE(sender->Close(icount).ok()) << sender->status().ToString();

    bool stopped = false;
    ReplayTap replay(receiver.get(), nullptr, [&] { stopped = true; });
    uint64_t replay_icount = 0;
    replay.set_icount_source(&replay_icount);
    DriveMachine(&replay, &replay_icount, same ? 49 : 1234);
    EXPECT_TRUE(replay.status().ok()) << replay.status().ToString();
    if (same) {
      EXPECT_FALSE(replay.divergence().has_value());
    } else {
      ASSERT_TRUE(replay.divergence().has_value());
      EXPECT_EQ(replay.divergence()->seq, 148u);  // the last MMIO write
      EXPECT_TRUE(stopped);
    }
  }
}

}  // namespace
}  // namespace tapvm::ft
