// `tapvm run`: boots a program on the board with host backends attached.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <vector>

#include "emulator/machine/board.h"
#include "emulator/tap/minimal_tap.h"
#include "tools/tapvm/commands.h"

namespace tapvm::cli {

namespace {

constexpr const char* kDefaultFirmware = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";

// Console output to the host's standard output.
void WriteStdout(std::span<const uint8_t> bytes) {
  std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  if (std::find(bytes.begin(), bytes.end(), '\n') != bytes.end()) std::fflush(stdout);
}

struct RunOptions {
  std::string bios;
  std::string kernel, initrd, append;
  std::string memory = "128M";
  uint64_t max_insns = 0;
  bool stats = false;
  std::string break_insn;
  unsigned time_shift = 4;
};

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

bool ReadFile(const std::string& path, std::vector<uint8_t>* out, std::string* err) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    *err = "cannot open '" + path + "'";
    return false;
  }
  out->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  if (f.bad()) {
    *err = "cannot read '" + path + "'";
    return false;
  }
  return true;
}

int RunProgram(const RunOptions& opt) {
  BoardConfig config;
  if (!ParseSize(opt.memory, &config.ram_size) || (config.ram_size & 0xfff) || config.ram_size > (64ull << 30)) {
    spdlog::error("bad memory size '{}' (use e.g. 256M or 1G, at most 64G)", opt.memory);
    return kExitUsage;
  }
  config.hart.break_insn = opt.break_insn;
  config.hart.time_shift = opt.time_shift;
  if (!opt.break_insn.empty()) spdlog::warn("instruction '{}' is deliberately broken (--break-insn)", opt.break_insn);
  std::vector<uint8_t> bios, kernel, initrd;
  std::string err;
  if (!ReadFile(opt.bios, &bios, &err) || (!opt.kernel.empty() && !ReadFile(opt.kernel, &kernel, &err)) ||
      (!opt.initrd.empty() && !ReadFile(opt.initrd, &initrd, &err))) {
    spdlog::error("{}", err);
    return kExitUsage;
  }
  MinimalTap tap(WriteStdout);
  std::unique_ptr<Board> board;
  Status st = Board::Create(config, &tap, &board);
  if (st.ok()) {
    if (opt.kernel.empty()) {
      st = board->LoadProgram(bios);
    } else {
      st = board->SetupLinuxBoot(LinuxBootImages{bios, kernel, initrd, opt.append});
    }
  }
  if (!st.ok()) {
    spdlog::error("{}", st.ToString());
    return kExitUsage;
  }
  spdlog::info("loaded {} (entry {:#x}){}", opt.bios, board->image().entry,
               board->image().tohost ? ", HTIF tohost found" : "");
  uint64_t limit = opt.max_insns ? opt.max_insns : UINT64_MAX;
  auto t0 = std::chrono::steady_clock::now();
  RunResult r = board->Run(limit);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fflush(stdout);
  const HartState& s = board->hart().state();
  if (opt.stats)
    std::fprintf(stderr, "tapvm: stats: icount=%" PRIu64 " seconds=%.3f mips=%.1f\n", s.icount, seconds,
                 seconds > 0 ? static_cast<double>(s.icount) / seconds / 1e6 : 0.0);
  switch (r.kind) {
    case RunResult::Kind::kPass:
      spdlog::info("guest passed after {} instructions", s.icount);
      return 0;
    case RunResult::Kind::kExit:
      std::fprintf(stderr, "tapvm: guest wrote the debug-exit port: exit status %u\n", r.code);
      return static_cast<int>(r.code & 0xff);
    case RunResult::Kind::kQuit:
      std::fprintf(stderr, "tapvm: stopped (Ctrl-A x) after %" PRIu64 " instructions\n", s.icount);
      return 0;
    case RunResult::Kind::kReset:
      spdlog::info("guest requested a reset after {} instructions", s.icount);
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

void AddRunCommand(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand("run", "Run a program or guest on the virtual machine");
  run->add_option("--bios", opt->bios,
                  "Firmware or program run in M-mode from reset: an ELF, or a raw binary loaded at the RAM base "
                  "(with --kernel: default Debian's OpenSBI fw_dynamic)")
      ->check(CLI::ExistingFile);
  run->add_option("--kernel", opt->kernel, "Linux kernel Image, loaded at RAM + 2 MiB and started by the firmware")
      ->check(CLI::ExistingFile);
  run->add_option("--initrd", opt->initrd, "Initial ramdisk")->check(CLI::ExistingFile);
  run->add_option("--append", opt->append, "Kernel command line");
  run->add_option("-m,--memory", opt->memory, "Guest RAM size (e.g. 128M, 1G)")->capture_default_str();
  run->add_option("--max-insns", opt->max_insns, "Stop with an error after this many instructions (0: no limit)");
  run->add_flag("--stats", opt->stats, "Print instruction count, time and MIPS when the guest stops");
  run->add_option("--time-shift", opt->time_shift, "mtime advances once every 2^N instructions")
      ->capture_default_str()
      ->check(CLI::Range(0, 16));
  run->add_option("--break-insn", opt->break_insn,
                  "Testing aid: execute this instruction (mnemonic, e.g. add, c.addi, fadd.d) wrongly, to show a test "
                  "program can fail")
      ->group("Testing");
  run->callback([opt, exit_code, run] {
    if (opt->kernel.empty() && (!opt->initrd.empty() || !opt->append.empty()))
      throw CLI::ValidationError("--initrd and --append need --kernel");
    if (opt->bios.empty()) {
      if (opt->kernel.empty()) throw CLI::RequiredError("--bios or --kernel");
      opt->bios = kDefaultFirmware;
    }
    *exit_code = RunProgram(*opt);
  });
}

}  // namespace tapvm::cli
