// `tapvm run`: boots a program on the board with host backends attached.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "emulator/machine/board.h"
#include "journal/writer.h"
#include "recorder/journal_pump.h"
#include "recorder/recording_tap.h"
#include "tools/tapvm/terminal.h"
#include "tools/tapvm/vm.h"
#include <unistd.h>
#include "tools/tapvm/commands.h"

namespace tapvm::cli {

namespace {

constexpr const char* kDefaultFirmware = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";

struct RunOptions {
  VmOptions vm;
  std::string memory;
  uint64_t max_insns = 0;
  bool stats = false;
  bool no_rng = false;
  std::string guest_dir;
  double timeout_s = 0;
  std::string record_path;  // tapvm record -o
  bool overwrite = false;
};

// The machine configuration a journal records (what replay rebuilds).
std::vector<std::pair<std::string, std::string>> JournalConfig(const RunOptions& opt) {
  const VmOptions& v = opt.vm;
  std::vector<std::pair<std::string, std::string>> c = {
      {"ram_bytes", std::to_string(v.ram_size)},
      {"time_shift", std::to_string(v.hart.time_shift)},
      {"timebase_hz", std::to_string(Board::kTimebaseHz)},
      {"digest_version", std::to_string(Board::kDigestVersion)},
      {"mode", v.kernel.empty() ? "bare" : "linux"},
      {"bootargs", v.append},
      {"rng", v.rng ? "1" : "0"},
  };
  for (const auto& d : v.drives) c.emplace_back("drive", d);
  for (const auto& n : v.netdevs) c.emplace_back("netdev", n);
  return c;
}

// Opens the journal and stores the images the run starts from, so a replay
// needs nothing but the journal. Disk images are stored before the guest
// can write them; firmware, kernel and initrd are read here once, booted
// from these very bytes (opt->vm.*_bytes), and stored by the pump's thread
// while the guest boots.
Status OpenJournal(RunOptions* opt, std::unique_ptr<JournalPump>* out) {
  journal::JournalHeader h;
  h.writer_version = "tapvm 0.1.0";
  h.config = JournalConfig(*opt);
  h.digest_interval = opt->vm.digest_interval;
  journal::WriterOptions wo;
  wo.overwrite = opt->overwrite;
  std::unique_ptr<journal::JournalWriter> writer;
  TAPVM_RETURN_IF_ERROR(journal::JournalWriter::Create(opt->record_path, h, wo, &writer));
  VmOptions& v = opt->vm;
  for (const auto& d : v.drives) {
    std::string file = d.substr(0, d.find(','));
    if (file.rfind("file=", 0) == 0) file = file.substr(5);
    TAPVM_RETURN_IF_ERROR(writer->PutImageFile(journal::ImageRole::kDisk, file, file));
  }
  TAPVM_RETURN_IF_ERROR(writer->Commit());
  TAPVM_RETURN_IF_ERROR(ReadWholeFile(v.bios, &v.bios_bytes));
  if (!v.kernel.empty()) TAPVM_RETURN_IF_ERROR(ReadWholeFile(v.kernel, &v.kernel_bytes));
  if (!v.initrd.empty()) TAPVM_RETURN_IF_ERROR(ReadWholeFile(v.initrd, &v.initrd_bytes));
  v.images_given = true;
  *out = std::make_unique<JournalPump>(std::move(writer));
  TAPVM_RETURN_IF_ERROR((*out)->PutImage(journal::ImageRole::kFirmware, v.bios, v.bios_bytes));
  if (!v.kernel.empty()) TAPVM_RETURN_IF_ERROR((*out)->PutImage(journal::ImageRole::kKernel, v.kernel, v.kernel_bytes));
  if (!v.initrd.empty()) TAPVM_RETURN_IF_ERROR((*out)->PutImage(journal::ImageRole::kInitrd, v.initrd, v.initrd_bytes));
  return Status::Ok();
}

// "128M", "1G", "65536K"; a bare number means MiB, as in QEMU's -m.
bool ParseSize(const std::string& s, uint64_t* out) {
  if (s.empty()) return false;
  size_t pos = 0;
  uint64_t v = 0;
  while (pos < s.size() && isdigit(static_cast<unsigned char>(s[pos]))) {
    if (v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + static_cast<uint64_t>(s[pos++] - '0');
  }
  if (pos == 0) return false;
  unsigned shift = 20;
  if (pos < s.size()) {
    switch (toupper(static_cast<unsigned char>(s[pos++]))) {
      case 'K': shift = 10; break;
      case 'M': shift = 20; break;
      case 'G': shift = 30; break;
      default: return false;
    }
    if (pos < s.size() && toupper(static_cast<unsigned char>(s[pos])) == 'B') ++pos;
  }
  if (pos != s.size() || v == 0 || v > (UINT64_MAX >> shift)) return false;
  *out = v << shift;
  return true;
}

bool Exists(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

// With neither --bios nor --kernel, boot the guest tools/guest/build.sh
// built: $TAPVM_GUEST_DIR, or build/guest next to this binary's build tree.
Status UseBuiltGuest(RunOptions* opt) {
  std::string dir = opt->guest_dir;
  if (dir.empty()) {
    const char* env = std::getenv("TAPVM_GUEST_DIR");
    if (env && *env) {
      dir = env;
    } else {
      char self[4096];
      ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
      std::string exe = n > 0 ? std::string(self, static_cast<size_t>(n)) : "";
      dir = exe.substr(0, exe.rfind('/')) + "/../../guest";  // build/tools/tapvm/ -> build/guest
    }
  }
  // A plain path for messages and the journal's image names.
  std::error_code ec;
  const std::filesystem::path canonical = std::filesystem::weakly_canonical(dir, ec);
  if (!ec) dir = canonical.string();
  if (!Exists(dir + "/Image"))
    return Status::NotFound("no --bios or --kernel given and no built guest in '" + dir +
                            "' (run tools/guest/build.sh, or pass --kernel)");
  VmOptions& vm = opt->vm;
  vm.kernel = dir + "/Image";
  if (vm.initrd.empty() && Exists(dir + "/rootfs.cpio.gz")) vm.initrd = dir + "/rootfs.cpio.gz";
  if (vm.drives.empty() && Exists(dir + "/disk.img")) vm.drives.push_back("file=" + dir + "/disk.img");
  if (Exists(dir + "/fw_dynamic.bin")) vm.bios = dir + "/fw_dynamic.bin";
  return Status::Ok();
}

int RunVm(RunOptions& opt) {
  VmOptions& vmo = opt.vm;
  if (vmo.bios.empty() && vmo.kernel.empty()) {
    Status st = UseBuiltGuest(&opt);
    if (!st.ok()) {
      spdlog::error("{}", st.message());
      return kExitUsage;
    }
  }
  if (vmo.bios.empty()) vmo.bios = kDefaultFirmware;
  if (!vmo.kernel.empty() && vmo.append.empty()) vmo.append = "console=ttyS0";
  std::string memory = opt.memory.empty() ? (vmo.kernel.empty() ? "128M" : "256M") : opt.memory;
  if (!ParseSize(memory, &vmo.ram_size) || (vmo.ram_size & 0xfff) || vmo.ram_size > (64ull << 30)) {
    spdlog::error("bad memory size '{}' (use e.g. 256M or 1G, at most 64G)", memory);
    return kExitUsage;
  }
  vmo.rng = !opt.no_rng;
  if (!vmo.hart.break_insn.empty())
    spdlog::warn("instruction '{}' is deliberately broken (--break-insn)", vmo.hart.break_insn);
  // Record mode: the journal and the recording tap outlive the machine.
  std::unique_ptr<JournalPump> journal;
  std::unique_ptr<RecordingTap> recording;
  Vm::TapWrapper wrap;
  if (!opt.record_path.empty()) {
    Status js = OpenJournal(&opt, &journal);
    if (!js.ok()) {
      spdlog::error("cannot record to '{}': {}", opt.record_path, js.ToString());
      return kExitUsage;
    }
    wrap = [&](PassthroughTap* inner) -> EventTap* {
      recording = std::make_unique<RecordingTap>(inner, journal.get());
      return recording.get();
    };
  }
  std::unique_ptr<Vm> vm;
  Status st = Vm::Create(vmo, &vm, wrap);
  if (!st.ok()) {
    spdlog::error("{}", st.ToString());
    return kExitUsage;
  }
  Board& board = vm->board();
  PassthroughTap& tap = vm->tap();
  TerminalConsole console(
      [&tap](std::vector<uint8_t> bytes) { tap.PostInput(ConsoleIn{Board::kConsoleTapId, std::move(bytes)}); },
      [&board, &tap] {
        board.RequestQuit();
        tap.Kick();
      });
  console.Start();
  // A Linux guest, or anything on an interactive terminal, may be woken by
  // console input at any time: idle time then passes in host time instead
  // of jumping to the next timer (which would end a run with no timer).
  tap.SetExternalInput(!vmo.kernel.empty() || isatty(STDIN_FILENO));
  // A kernel panic ends the run (the kernel would otherwise spin forever).
  vm->set_on_panic([&board] { board.RequestQuit(); });
  // A host time limit, for guests that hang.
  std::atomic<bool> timed_out{false}, done{false};
  std::mutex mu;
  std::condition_variable cv;
  std::thread timer;
  if (opt.timeout_s > 0) {
    timer = std::thread([&] {
      std::unique_lock<std::mutex> lock(mu);
      if (!cv.wait_for(lock, std::chrono::duration<double>(opt.timeout_s), [&] { return done.load(); })) {
        timed_out = true;
        board.RequestQuit();
        tap.Kick();
      }
    });
  }
  uint64_t limit = opt.max_insns ? opt.max_insns : UINT64_MAX;
  auto t0 = std::chrono::steady_clock::now();
  RunResult r = board.Run(limit);
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  if (timer.joinable()) timer.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fflush(stdout);
  const HartState& s = board.hart().state();
  if (journal) {
    Status js = recording->status();
    if (js.ok()) js = journal->Close(s.icount);
    if (!js.ok()) {
      std::fprintf(stderr, "tapvm: the journal '%s' is incomplete: %s\n", opt.record_path.c_str(),
                   js.ToString().c_str());
    } else {
      std::fprintf(stderr, "tapvm: recorded %" PRIu64 " events over %" PRIu64 " instructions to %s; state digest %016" PRIx64 "\n",
                   recording->events(), s.icount, opt.record_path.c_str(), board.ComputeDigest().value);
    }
  }
  if (opt.stats)
    std::fprintf(stderr, "tapvm: stats: icount=%" PRIu64 " seconds=%.3f mips=%.1f digest=%016" PRIx64 "\n",
                 s.icount, seconds, seconds > 0 ? static_cast<double>(s.icount) / seconds / 1e6 : 0.0,
                 board.ComputeDigest().value);
  switch (r.kind) {
    case RunResult::Kind::kPass:
      spdlog::info("guest passed (powered off) after {} instructions", s.icount);
      return 0;
    case RunResult::Kind::kExit:
      std::fprintf(stderr, "tapvm: guest wrote the debug-exit port: exit status %u\n", r.code);
      return static_cast<int>(r.code & 0xff);
    case RunResult::Kind::kQuit:
      if (vm->kernel_panicked()) {
        std::fprintf(stderr, "\r\ntapvm: the guest kernel panicked after %" PRIu64 " instructions\n", s.icount);
        return 1;
      }
      if (timed_out) {
        std::fprintf(stderr, "\r\ntapvm: time limit of %g s reached after %" PRIu64
                     " instructions; the guest did not finish\n", opt.timeout_s, s.icount);
        return kExitNoProgress;
      }
      std::fprintf(stderr, "\r\ntapvm: stopped (Ctrl-A x) after %" PRIu64 " instructions\n", s.icount);
      return 0;
    case RunResult::Kind::kReset:
      std::fprintf(stderr, "tapvm: the guest rebooted after %" PRIu64 " instructions; tapvm stops on reboot\n",
                   s.icount);
      return 0;
    case RunResult::Kind::kFail:
      std::fprintf(stderr, "tapvm: guest reported failure (code %u) after %" PRIu64 " instructions\n", r.code,
                   s.icount);
      return (r.code & 0xff) ? static_cast<int>(r.code & 0xff) : 1;
    case RunResult::Kind::kLimit:
      std::fprintf(stderr, "tapvm: instruction limit of %" PRIu64 " reached at pc 0x%" PRIx64
                   "; the guest did not finish\n", limit, s.pc);
      return kExitNoProgress;
    case RunResult::Kind::kIdle:
      std::fprintf(stderr, "tapvm: guest waits for an interrupt that nothing can raise (wfi at pc 0x%" PRIx64
                   ", after %" PRIu64 " instructions)\n", s.pc, s.icount);
      return kExitNoProgress;
    case RunResult::Kind::kStuck:
      std::fprintf(stderr, "tapvm: guest is stuck taking traps without executing (pc 0x%" PRIx64
                   ", mcause 0x%" PRIx64 ", mtval 0x%" PRIx64 ")\n", s.pc, s.mcause, s.mtval);
      return kExitNoProgress;
  }
  return 1;
}

}  // namespace

namespace {

// The options `run` and `record` share.
void AddVmOptions(CLI::App* run, RunOptions* opt) {
  VmOptions& vm = opt->vm;
  run->add_option("--bios", vm.bios,
                  "Firmware or program run in M-mode from reset: an ELF, or a raw binary loaded at the RAM base "
                  "(with --kernel: default Debian's OpenSBI fw_dynamic)")
      ->check(CLI::ExistingFile);
  run->add_option("--kernel", vm.kernel, "Linux kernel Image, loaded at RAM + 2 MiB and started by the firmware")
      ->check(CLI::ExistingFile);
  run->add_option("--initrd", vm.initrd, "Initial ramdisk")->check(CLI::ExistingFile);
  run->add_option("--append", vm.append, "Kernel command line (default: console=ttyS0)");
  run->add_option("--drive", vm.drives, "A virtio-blk disk: file=PATH[,readonly=on][,aio=threads|io_uring] (raw image); repeatable");
  run->add_option("--netdev", vm.netdevs,
                  "A virtio-net NIC: dgram,local=HOST:PORT,remote=HOST:PORT (frames in UDP datagrams) or "
                  "tap,ifname=NAME; repeatable");
  run->add_flag("--no-rng", opt->no_rng, "Leave out the virtio-rng device");
  run->add_option("--guest-dir", opt->guest_dir, "Where the built guest is (default: build/guest)");
  run->add_option("-m,--memory", opt->memory, "Guest RAM size (default 128M for --bios, 256M for Linux)");
  run->add_option("--max-insns", opt->max_insns, "Stop with an error after this many instructions (0: no limit)");
  run->add_option("--timeout", opt->timeout_s, "Stop with an error after this many host seconds (0: none)");
  run->add_flag("--stats", opt->stats, "Print instruction count, time, MIPS and the machine state digest at the end");
  run->add_option("--time-shift", vm.hart.time_shift, "mtime advances once every 2^N instructions")
      ->capture_default_str()
      ->check(CLI::Range(0, 16));
  run->add_option("--break-insn", vm.hart.break_insn,
                  "Testing aid: execute this instruction (mnemonic, e.g. add, c.addi, fadd.d) wrongly, to show a test "
                  "program can fail")
      ->group("Testing");
}

void Validate(const RunOptions& opt) {
  const VmOptions& v = opt.vm;
  if (v.kernel.empty() && !v.bios.empty() && (!v.initrd.empty() || !v.append.empty()))
    throw CLI::ValidationError("--initrd and --append need --kernel");
}

}  // namespace

void AddRunCommand(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand(
      "run", "Run a program or a Linux guest (with no arguments: the guest tools/guest/build.sh built)");
  AddVmOptions(run, opt.get());
  run->callback([opt, exit_code] {
    Validate(*opt);
    *exit_code = RunVm(*opt);
  });

  auto rec = std::make_shared<RunOptions>();
  CLI::App* record = app.add_subcommand(
      "record", "Run like `run` and record every input and observation into a journal (-o FILE)");
  record->add_option("-o,--output", rec->record_path, "The journal to write")->required();
  record->add_flag("--force", rec->overwrite, "Replace an existing journal");
  rec->vm.digest_interval = 100'000'000;
  record->add_option("--digest-interval", rec->vm.digest_interval,
                     "Journal a digest of the whole machine state (hart, RAM, devices) every N instructions (0: none)")
      ->capture_default_str();
  AddVmOptions(record, rec.get());
  record->callback([rec, exit_code] {
    Validate(*rec);
    *exit_code = RunVm(*rec);
  });
}

}  // namespace tapvm::cli
