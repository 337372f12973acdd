// In-process round trips of the Linux guest (tools/guest/build.sh), with a
// state digest every million instructions: boot and the device script
// (disk, rng, network), a disk workload, and a shell driven over the
// console. Each records through RecordingTap and replays through ReplayTap
// in this process and must match bit for bit.
//
// usage: roundtrip_linux_tests GUEST_DIR
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "emulator/machine/backends/host_backends.h"
#include "tests/roundtrip/round_trip.h"

namespace tapvm::test {
namespace {

namespace fs = std::filesystem;

std::string g_guest_dir;

class LinuxRoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(g_guest_dir + "/Image")) GTEST_SKIP() << "no built guest in " << g_guest_dir;
    tmp_ = fs::temp_directory_path() / ("tapvm-rt-linux-" + std::to_string(getpid()));
    fs::create_directories(tmp_);
    disk_ = (tmp_ / "disk.img").string();
    fs::copy_file(g_guest_dir + "/disk.img", disk_, fs::copy_options::overwrite_existing);
    config_.firmware = g_guest_dir + "/fw_dynamic.bin";
    config_.kernel = g_guest_dir + "/Image";
    config_.initrd = g_guest_dir + "/rootfs.cpio.gz";
    config_.ram_size = 256ull << 20;
    config_.digest_interval = 1'000'000;
    config_.drives.push_back(DriveConfig{disk_});
    ASSERT_TRUE(ReadBootImages(config_, &images_).ok());
  }
  void TearDown() override {
    std::error_code ec;
    if (!tmp_.empty()) fs::remove_all(tmp_, ec);
  }
  void ExpectExact(const RoundTripResult& r, RunResult::Kind kind) {
    EXPECT_EQ(r.Mismatch(), "") << r.recorded_console;
    EXPECT_EQ(r.recorded.kind, kind) << r.recorded_console;
    EXPECT_GT(r.recorded_icount / config_.digest_interval, 50u) << "too short to mean much";
    std::printf("%llu events over %llu instructions, %llu digests; final digest %016llx\n",
                static_cast<unsigned long long>(r.events), static_cast<unsigned long long>(r.recorded_icount),
                static_cast<unsigned long long>(r.recorded_icount / config_.digest_interval),
                static_cast<unsigned long long>(r.recorded_digest));
  }

  // Records the guest running /tests/NAME.sh (tapvm.script) to power-off,
  // replays it, and expects an exact match and `shows` on the console.
  void RunGuestScript(const std::string& name, const std::string& shows) {
    config_.bootargs = "console=ttyS0 tapvm.script=" + name;
    RoundTripOptions o;
    o.max_icount = 3'000'000'000;
    RoundTripResult r = RecordAndReplay(config_, images_, o);
    ExpectExact(r, RunResult::Kind::kPass);
    EXPECT_NE(r.recorded_console.find(shows), std::string::npos) << r.recorded_console;
  }

  fs::path tmp_;
  std::string disk_;
  MachineConfig config_;
  BootImages images_;
};

TEST_F(LinuxRoundTrip, DeviceScript) {
  // A NIC whose frames go nowhere: the script only brings the link up.
  config_.netdevs.push_back(NetdevConfig{NetdevConfig::Kind::kDgram, "127.0.0.1:0", "127.0.0.1:9", ""});
  RunGuestScript("devices", "devices: ok");
}

TEST_F(LinuxRoundTrip, DiskWorkload) { RunGuestScript("diskwork", "diskwork: step 7"); }

TEST_F(LinuxRoundTrip, ShellOverTheConsole) {
  config_.bootargs = "console=ttyS0";
  RoundTripOptions o;
  o.max_icount = 3'000'000'000;
  o.script = {{"TAPVM-INIT-READY", ""},
              {"# ", "echo $((6 * 7)) && dd if=/dev/hwrng bs=16 count=1 2>/dev/null | od -An -tx1\n"},
              {"42", ""},
              {"# ", "poweroff -f\n"}};
  RoundTripResult r = RecordAndReplay(config_, images_, o);
  ExpectExact(r, RunResult::Kind::kPass);
  EXPECT_NE(r.recorded_console.find("42"), std::string::npos) << r.recorded_console;
}

}  // namespace
}  // namespace tapvm::test

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: roundtrip_linux_tests GUEST_DIR\n");
    return 2;
  }
  tapvm::test::g_guest_dir = argv[1];
  return RUN_ALL_TESTS();
}
