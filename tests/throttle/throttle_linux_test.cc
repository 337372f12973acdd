// Throttling measured from inside the Linux guest (tools/guest/build.sh):
// busybox dd with O_DIRECT against throttled virtio disks, timed by dd
// with the guest's own clock (virtual time), compared with the limits.
//
//   Accuracy: one machine with eight throttled drives (one per limit type,
//     a group of two, a burst) runs every measurement; over ~10 s of guest
//     time each, throughput must be within 1% of its limit, the burst
//     exactly as configured, the group's sum within 1% with a fair split,
//     and a 1 MiB request against 64 KiB/s must pass at that rate. It runs
//     on a deterministic tap (a disk of zeros answered at once), twice: the
//     two runs must end at the same icount with the same state digest.
//   Live change, record and replay: `tapvm record`'s Vm changes a drive's
//     limits mid-run through Vm::SetBlockThrottle (the control socket's
//     API); the new rate is measured, the journal holds the change, and a
//     replay of it matches bit for bit and refuses live changes itself.
//   Diff: `tapvm journal diff` between a throttled and an unthrottled
//     recording of one workload (on the deterministic tap, so they differ
//     only by the throttle) names the first block request whose timing
//     changed and both icounts.
//
// usage: throttle_linux_tests GUEST_DIR TAPVM
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "emulator/machine/backends/host_backends.h"
#include "emulator/machine/machine_builder.h"
#include "journal/diff.h"
#include "journal/reader.h"
#include "recorder/recording.h"
#include "recorder/recording_tap.h"
#include "replayer/event_source.h"
#include "replayer/recorded_machine.h"
#include "tests/throttle/zero_disk_tap.h"
#include "tools/tapvm/vm.h"

namespace tapvm::test {
namespace {

namespace fs = std::filesystem;
using L = ThrottleLimits;

std::string g_guest_dir, g_tapvm;

// What the guest printed for one measurement: "TT label BYTES bytes (...)
// copied, SECONDS seconds, ...".
struct Measured {
  uint64_t bytes = 0;
  double seconds = 0;
  double rate() const { return seconds > 0 ? static_cast<double>(bytes) / seconds : 0; }
};

std::map<std::string, Measured> ParseMeasurements(const std::string& console) {
  static const std::regex re(R"(TT (\S+) (\d+) bytes \([^)]*\) copied, ([0-9.]+) seconds)");
  std::map<std::string, Measured> out;
  for (auto it = std::sregex_iterator(console.begin(), console.end(), re); it != std::sregex_iterator(); ++it)
    out[(*it)[1].str()] = Measured{std::stoull((*it)[2].str()), std::stod((*it)[3].str())};
  return out;
}

// Shell helpers: $D0..$D7 are the device nodes of tapvm's drives 0..7 (by
// their virtio serial, looked up once); `m LABEL DD-ARGS` runs dd and prints
// its summary line; `r N DD-ARGS` reads drive N quietly (a warm-up). dd runs
// straight from the shell, so little guest time passes between a warm-up
// and the measurement after it (that gap is credit the bucket gives back).
constexpr const char* kPrelude =
    "for d in /sys/block/vd*; do eval D$(sed 's/tapvm-drive//' $d/serial)=/dev/${d##*/}; done\n"
    "m() { l=$1; shift; dd \"$@\" 2>/tmp/$l.out; echo \"TT $l $(tail -1 /tmp/$l.out)\"; }\n"
    "r() { n=$1; shift; eval \"x=\\$D$n\"; dd if=$x of=/dev/null iflag=direct \"$@\" 2>/dev/null; }\n";

MachineConfig LinuxConfig() {
  MachineConfig c;
  c.firmware = g_guest_dir + "/fw_dynamic.bin";
  c.kernel = g_guest_dir + "/Image";
  c.initrd = g_guest_dir + "/rootfs.cpio.gz";
  c.ram_size = 256ull << 20;
  c.bootargs = "console=ttyS0 quiet";
  c.rng = false;
  return c;
}

DriveConfig Throttled(const std::string& file, std::initializer_list<std::pair<std::string, std::string>> options) {
  DriveConfig d;
  d.file = file;
  for (const auto& [k, v] : options) EXPECT_TRUE(ParseThrottleOption("throttling." + k, v, &d.throttle).ok()) << k;
  return d;
}

void ExpectRate(const std::map<std::string, Measured>& m, const std::string& label, double want, double tolerance,
                const std::string& console) {
  auto it = m.find(label);
  ASSERT_NE(it, m.end()) << "no measurement " << label << "\n" << console;
  const double got = it->second.rate();
  std::printf("  %-16s %10llu bytes in %9.6f s = %12.1f /s, limit %10.1f (%+.3f%%)\n", label.c_str(),
              static_cast<unsigned long long>(it->second.bytes), it->second.seconds, got, want,
              100.0 * (got - want) / want);
  EXPECT_NEAR(got, want, want * tolerance) << label;
}

class ThrottleLinux : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(g_guest_dir + "/Image")) GTEST_SKIP() << "no built guest in " << g_guest_dir;
    tmp_ = fs::temp_directory_path() / ("tapvm-throttle-" + std::to_string(getpid()));
    fs::create_directories(tmp_);
    ASSERT_TRUE(ReadBootImages(LinuxConfig(), &images_).ok());
  }
  void TearDown() override {
    std::error_code ec;
    if (!tmp_.empty()) fs::remove_all(tmp_, ec);
  }
  std::string Disk(const std::string& name, uint64_t bytes = 64ull << 20) {
    const std::string path = (tmp_ / name).string();
    std::ofstream(path).close();
    fs::resize_file(path, bytes);
    return path;
  }

  fs::path tmp_;
  BootImages images_;
};

// ------------------------------------------------------------ accuracy

struct DeterministicRun {
  std::string console;
  uint64_t icount = 0, digest = 0, requests = 0;
  RunResult result{RunResult::Kind::kLimit};
};

DeterministicRun RunOnZeroDisks(const MachineConfig& config, const BootImages& images, const std::string& script) {
  DeterministicRun out;
  ZeroDiskTap tap([&out](std::span<const uint8_t> b) { out.console.append(b.begin(), b.end()); });
  tap.TypeOnConsole(script);
  std::vector<uint64_t> sizes(config.drives.size(), 64ull << 20);
  std::unique_ptr<Board> board;
  MachineLayout layout;
  Status st = BuildMachine(config, images, sizes, &tap, &board, &layout);
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (!st.ok()) return out;
  out.result = board->Run(40'000'000'000ull);
  out.icount = board->hart().state().icount;
  out.digest = board->ComputeDigest().value;
  out.requests = tap.requests();
  return out;
}

TEST_F(ThrottleLinux, AccuracyBurstGroupLargeRequestAndDeterminism) {
  MachineConfig c = LinuxConfig();
  c.drives = {
      Throttled("d0", {{"bps-read", "1048576"}}),
      Throttled("d1", {{"bps-write", "1048576"}}),
      Throttled("d2", {{"bps-total", "65536"}}),
      Throttled("d3", {{"iops-read", "100"}}),
      Throttled("d4", {{"iops-write", "100"}}),
      Throttled("d5", {{"iops-total", "100"}, {"group", "g"}}),
      Throttled("d6", {{"iops-total", "100"}, {"group", "g"}}),
      Throttled("d7", {{"bps-read", "262144"}, {"bps-read-max", "1048576"}, {"bps-read-max-length", "4"}}),
  };
  // Each measurement follows a warm-up on the same drive that uses up the
  // bucket's allowance, so it sees the steady rate (see ThrottleState).
  const std::string w = "of=/dev/null iflag=direct";
  std::string script = std::string(kPrelude) +
      // bps-read 1 MiB/s: 160 x 64 KiB = 10 s.
      "r 0 bs=64k count=4; m bps-read if=$D0 " + w + " bs=64k count=160\n"
      // bps-write 1 MiB/s.
      "dd if=/dev/zero of=$D1 bs=64k count=4 oflag=direct conv=notrunc 2>/dev/null; "
      "m bps-write if=/dev/zero of=$D1 bs=64k count=160 oflag=direct conv=notrunc\n"
      // bps-total 64 KiB/s: reads and writes both count. 40 x 16 KiB = 10 s.
      "r 2 bs=16k count=4; m bps-total-read if=$D2 " + w + " bs=16k count=40\n"
      "m bps-total-write if=/dev/zero of=$D2 bs=16k count=40 oflag=direct conv=notrunc\n"
      // A 1 MiB request against 64 KiB/s passes, at 64 KiB/s (~16 s each).
      "r 2 bs=1M count=1; m large if=$D2 " + w + " bs=1M count=2\n"
      // iops 100/s, 4 KiB requests: 1000 = 10 s.
      "r 3 bs=4k count=20; m iops-read if=$D3 " + w + " bs=4k count=1000\n"
      "dd if=/dev/zero of=$D4 bs=4k count=20 oflag=direct conv=notrunc 2>/dev/null; "
      "m iops-write if=/dev/zero of=$D4 bs=4k count=1000 oflag=direct conv=notrunc\n"
      "r 5 bs=4k count=20; m iops-total if=$D5 " + w + " bs=4k count=1000\n"
      // The group: drives 5 and 6 share 100/s, both busy at once.
      "r 5 bs=4k count=20; (m group-a if=$D5 " + w + " bs=4k count=500 &"
      " m group-b if=$D6 " + w + " bs=4k count=500; wait)\n"
      // The burst: avg 256 KiB/s, 1 MiB/s for 4 s. From empty buckets the
      // first 4 MiB (max * max-length) go at 1 MiB/s (less the tenth of a
      // second the burst bucket holds: 64 requests in 63 * 1/16 - 0.1 s);
      // once the bucket is full, 256 KiB/s.
      "m burst if=$D7 " + w + " bs=64k count=64\n"
      "r 7 bs=64k count=32; m after-burst if=$D7 " + w + " bs=64k count=40\n"
      "poweroff -f\n";
  const DeterministicRun a = RunOnZeroDisks(c, images_, script);
  ASSERT_EQ(a.result.kind, RunResult::Kind::kPass) << a.console;
  const auto m = ParseMeasurements(a.console);
  std::printf("guest-measured throughput (dd, O_DIRECT, guest clock), %llu instructions:\n",
              static_cast<unsigned long long>(a.icount));
  ExpectRate(m, "bps-read", 1048576, 0.01, a.console);
  ExpectRate(m, "bps-write", 1048576, 0.01, a.console);
  ExpectRate(m, "bps-total-read", 65536, 0.01, a.console);
  ExpectRate(m, "bps-total-write", 65536, 0.01, a.console);
  ExpectRate(m, "large", 65536, 0.01, a.console);
  ExpectRate(m, "iops-read", 100 * 4096, 0.01, a.console);
  ExpectRate(m, "iops-write", 100 * 4096, 0.01, a.console);
  ExpectRate(m, "iops-total", 100 * 4096, 0.01, a.console);
  ExpectRate(m, "burst", 4194304 / (63.0 / 16 - 0.1), 0.01, a.console);
  ExpectRate(m, "after-burst", 262144, 0.01, a.console);
  // The group: the two drives share 100/s, served in turn.
  if (m.count("group-a") && m.count("group-b")) {
    const Measured& ga = m.at("group-a");
    const Measured& gb = m.at("group-b");
    const double sum = static_cast<double>(ga.bytes + gb.bytes) / std::max(ga.seconds, gb.seconds);
    std::printf("  group sum        %12.1f /s, limit %10.1f (%+.3f%%); a %.1f /s, b %.1f /s\n", sum, 409600.0,
                100.0 * (sum - 409600) / 409600, ga.rate(), gb.rate());
    EXPECT_NEAR(sum, 409600, 4096);
    EXPECT_NEAR(ga.rate(), gb.rate(), 0.01 * 204800) << "round robin: each drive gets half";
  } else {
    ADD_FAILURE() << "no group measurement\n" << a.console;
  }

  // Determinism: the same throttled machine again, instruction for instruction.
  const DeterministicRun b = RunOnZeroDisks(c, images_, script);
  EXPECT_EQ(b.icount, a.icount);
  EXPECT_EQ(b.digest, a.digest);
  EXPECT_EQ(b.requests, a.requests);
  EXPECT_EQ(b.console, a.console);
  std::printf("two runs: icount %llu, digest %016llx, %llu block requests, both\n",
              static_cast<unsigned long long>(a.icount), static_cast<unsigned long long>(a.digest),
              static_cast<unsigned long long>(a.requests));
}

// ------------------------------------------- live change, record, replay

// Records the guest reading drive 0 twice, 2 MiB each; between the two it
// waits for a console line, and (when `tune`) the test changes drive 0's
// limits through Vm::SetBlockThrottle before typing it.
struct Recorded {
  std::string console;
  uint64_t icount = 0, digest = 0;
  Status status;
};

Recorded RecordLiveTuned(const MachineConfig& config, const BootImages& images, const std::string& journal,
                         bool tune) {
  Recorded out;
  std::unique_ptr<JournalPump> pump;
  RecordingOptions ro;
  ro.overwrite = true;
  out.status = OpenRecording(journal, config, images, ro, &pump);
  if (!out.status.ok()) return out;
  std::unique_ptr<cli::Vm> vm;
  out.status = cli::Vm::CreateLive(config, images, pump.get(), &vm);
  if (!out.status.ok()) return out;
  cli::Vm* v = vm.get();
  size_t scanned = 0;
  int step = 0;
  // Typed in two parts: what follows `read` is typed once the limits changed.
  const std::string script = std::string(kPrelude) +
                             "r 0 bs=64k count=4; m before if=$D0 of=/dev/null iflag=direct bs=64k count=32\n"
                             "echo ==\"\"TUNE; read go\n";
  const std::string rest = "go\n"
                           "r 0 bs=64k count=16; m after if=$D0 of=/dev/null iflag=direct bs=64k count=64\n"
                           "poweroff -f\n";
  v->set_on_console([&, v](std::span<const uint8_t> b) {
    out.console.append(b.begin(), b.end());
    auto type = [v](const std::string& s) {
      v->passthrough()->PostInput(ConsoleIn{Board::kConsoleTapId, std::vector<uint8_t>(s.begin(), s.end())});
    };
    if (step == 0 && out.console.find("TAPVM-INIT-READY", scanned) != std::string::npos) {
      ++step;
      type(script);
    } else if (step == 1 && out.console.find("==TUNE", scanned) != std::string::npos) {
      ++step;
      if (tune) {
        // As the control socket would: from another thread, while the guest runs.
        L limits;
        limits.bucket[L::kBpsRead] = {1048576, 0, 1};
        Status st;
        std::thread qmp([&] { st = v->SetBlockThrottle("drive0", limits); });
        qmp.join();
        EXPECT_TRUE(st.ok()) << st.ToString();
        L bad;
        bad.bucket[L::kBpsTotal].avg = 1;
        bad.bucket[L::kBpsRead].avg = 1;
        EXPECT_EQ(v->SetBlockThrottle("drive0", bad).code(), Status::Code::kInvalidArgument);
        EXPECT_EQ(v->SetBlockThrottle("drive7", limits).code(), Status::Code::kNotFound);
      }
      type(rest);
    }
    scanned = out.console.size() > 16 ? out.console.size() - 16 : 0;
  });
  const RunResult r = vm->board().Run(20'000'000'000ull);
  Board& board = vm->board();
  out.icount = board.hart().state().icount;
  out.digest = board.ComputeDigest().value;
  board.ReportFinalDigest();
  if (r.kind != RunResult::Kind::kPass) out.status = Status::IOError(std::string("run ended: ") + RunEndName(r.kind));
  if (out.status.ok()) out.status = vm->recording()->status();
  if (out.status.ok()) out.status = pump->Close(out.icount, RunEndName(r.kind));
  return out;
}

TEST_F(ThrottleLinux, LiveChangeIsJournaledAndReplays) {
  MachineConfig c = LinuxConfig();
  c.digest_interval = 10'000'000;
  c.drives = {Throttled(Disk("d0.img"), {{"bps-read", "262144"}})};
  const std::string journal = (tmp_ / "tuned.tapj").string();
  const Recorded rec = RecordLiveTuned(c, images_, journal, true);
  ASSERT_TRUE(rec.status.ok()) << rec.status.ToString() << "\n" << rec.console;
  const auto m = ParseMeasurements(rec.console);
  std::printf("live change 256 KiB/s -> 1 MiB/s, measured in the recording:\n");
  ExpectRate(m, "before", 262144, 0.01, rec.console);
  ExpectRate(m, "after", 1048576, 0.01, rec.console);

  // The journal holds the change as an input.
  std::unique_ptr<journal::JournalReader> reader;
  ASSERT_TRUE(journal::JournalReader::Open(journal, &reader).ok());
  int sets = 0;
  for (;;) {
    journal::Event e;
    bool end = false;
    ASSERT_TRUE(reader->Next(&e, &end).ok());
    if (end) break;
    if (const auto* t = std::get_if<ThrottleSet>(&e.body)) {
      ++sets;
      EXPECT_EQ(t->limits.bucket[L::kBpsRead].avg, 1048576u);
    }
  }
  EXPECT_EQ(sets, 1);

  // Replay: from the journal alone, bit for bit; it takes no live change.
  ASSERT_TRUE(journal::JournalReader::Open(journal, &reader).ok());
  RecordedMachine rm;
  ASSERT_TRUE(LoadRecordedMachine(reader.get(), &rm).ok());
  EXPECT_EQ(rm.config.drives[0].throttle, c.drives[0].throttle);
  JournalEventSource source(reader.get());
  std::unique_ptr<cli::Vm> replay;
  ASSERT_TRUE(cli::Vm::CreateReplay(rm.config, rm.images, rm.drive_sizes, &source, false, false, &replay).ok());
  EXPECT_EQ(replay->SetBlockThrottle("drive0", L{}).code(), Status::Code::kNotSupported);
  const RecordedEnd end = RecordedEndOf(reader->header());
  replay->board().Run(end.run_limit);
  if (end.final_digest && !replay->replay()->divergence()) replay->board().ReportFinalDigest();
  ASSERT_FALSE(replay->replay()->divergence()) << replay->replay()->divergence()->ToString();
  EXPECT_TRUE(replay->replay()->status().ok());
  EXPECT_TRUE(replay->replay()->at_end());
  EXPECT_EQ(replay->board().hart().state().icount, rec.icount);
  EXPECT_EQ(replay->board().ComputeDigest().value, rec.digest);
  std::printf("replayed %llu events to icount %llu, digest %016llx: identical\n",
              static_cast<unsigned long long>(replay->replay()->consumed()),
              static_cast<unsigned long long>(rec.icount), static_cast<unsigned long long>(rec.digest));

}

// Records the machine on the deterministic tap: two recordings of one
// workload differ only where the machine itself differs.
Status RecordOnZeroDisks(const MachineConfig& config, const BootImages& images, const std::string& script,
                         const std::string& path) {
  std::unique_ptr<JournalPump> pump;
  RecordingOptions ro;
  ro.overwrite = true;
  TAPVM_RETURN_IF_ERROR(OpenRecording(path, config, images, ro, &pump));
  ZeroDiskTap tap([](std::span<const uint8_t>) {});
  tap.TypeOnConsole(script);
  RecordingTap recording(&tap, pump.get());
  std::vector<uint64_t> sizes(config.drives.size(), 64ull << 20);
  std::unique_ptr<Board> board;
  MachineLayout layout;
  TAPVM_RETURN_IF_ERROR(BuildMachine(config, images, sizes, &recording, &board, &layout));
  const RunResult r = board->Run(10'000'000'000ull);
  board->ReportFinalDigest();
  TAPVM_RETURN_IF_ERROR(recording.status());
  return pump->Close(board->hart().state().icount, RunEndName(r.kind));
}

TEST_F(ThrottleLinux, JournalDiffNamesTheFirstHeldRequest) {
  MachineConfig c = LinuxConfig();
  c.drives = {Throttled(Disk("d0.img"), {{"iops-read", "20"}})};
  const std::string script = std::string(kPrelude) + "r 0 bs=4k count=40\npoweroff -f\n";
  const std::string journal = (tmp_ / "throttled.tapj").string();
  ASSERT_TRUE(RecordOnZeroDisks(c, images_, script, journal).ok());
  MachineConfig plain = c;
  plain.drives[0].throttle = ThrottleConfig{};
  const std::string plain_journal = (tmp_ / "plain.tapj").string();
  ASSERT_TRUE(RecordOnZeroDisks(plain, images_, script, plain_journal).ok());
  std::unique_ptr<journal::JournalReader> ra, rb;
  ASSERT_TRUE(journal::JournalReader::Open(journal, &ra).ok());
  ASSERT_TRUE(journal::JournalReader::Open(plain_journal, &rb).ok());
  journal::JournalDiff d;
  ASSERT_TRUE(journal::DiffJournals(ra.get(), rb.get(), &d).ok());
  ASSERT_TRUE(d.request_shift.has_value()) << (d.first_a ? journal::DescribeEvent(*d.first_a) : "");
  EXPECT_GT(d.request_shift->icount_a, d.request_shift->icount_b) << "the throttled run submits it later";
  const std::string cmd = g_tapvm + " journal diff " + journal + " " + plain_journal;
  std::string out;
  if (FILE* f = popen(cmd.c_str(), "r")) {
    char buf[512];
    while (fgets(buf, sizeof buf, f)) out += buf;
    EXPECT_EQ(WEXITSTATUS(pclose(f)), 1);
  }
  std::printf("%s", out.c_str());
  EXPECT_NE(out.find("first block request whose timing changed: #" + std::to_string(d.request_shift->seq_a)),
            std::string::npos);
  EXPECT_NE(out.find("id=" + std::to_string(d.request_shift->request.id) + " type=read"), std::string::npos);
  EXPECT_NE(out.find("at icount " + std::to_string(d.request_shift->icount_a)), std::string::npos);
  EXPECT_NE(out.find("at icount " + std::to_string(d.request_shift->icount_b)), std::string::npos);
}

}  // namespace
}  // namespace tapvm::test

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc != 3) {
    std::fprintf(stderr, "usage: throttle_linux_tests GUEST_DIR TAPVM\n");
    return 2;
  }
  tapvm::test::g_guest_dir = argv[1];
  tapvm::test::g_tapvm = argv[2];
  return RUN_ALL_TESTS();
}
