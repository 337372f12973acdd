#include "tools/tapvm/vm_options.h"

#include <unistd.h>

#include <filesystem>
#include <vector>

#include "tools/tapvm/commands.h"

namespace tapvm::cli {

namespace {

constexpr const char* kDefaultFirmware = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";

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
  MachineConfig& m = opt->machine;
  m.kernel = dir + "/Image";
  if (m.initrd.empty() && Exists(dir + "/rootfs.cpio.gz")) m.initrd = dir + "/rootfs.cpio.gz";
  if (opt->drives.empty() && Exists(dir + "/disk.img")) opt->drives.push_back("file=" + dir + "/disk.img");
  if (Exists(dir + "/fw_dynamic.bin")) m.firmware = dir + "/fw_dynamic.bin";
  return Status::Ok();
}

}  // namespace

Status Resolve(RunOptions* opt) {
  MachineConfig& m = opt->machine;
  if (m.firmware.empty() && m.kernel.empty()) TAPVM_RETURN_IF_ERROR(UseBuiltGuest(opt));
  if (m.firmware.empty()) m.firmware = kDefaultFirmware;
  if (m.is_linux() && m.bootargs.empty()) m.bootargs = "console=ttyS0";
  std::string memory = opt->memory.empty() ? (m.is_linux() ? "256M" : "128M") : opt->memory;
  if (!ParseSize(memory, &m.ram_size) || (m.ram_size & 0xfff) || m.ram_size > (64ull << 30))
    return Status::InvalidArgument("bad memory size '" + memory + "' (use e.g. 256M or 1G, at most 64G)");
  opt->cosim = opt->engine == "cosim";
  const std::string& engine = opt->cosim ? opt->cosim_engine : opt->engine;
  if (!ParseEngineKind(engine, &m.engine))
    return Status::InvalidArgument("unknown engine '" + engine + "' (use interp or jit)");
  m.rng = !opt->no_rng;
  m.console_waits = !opt->console_immediate;
  for (const std::string& d : opt->drives) {
    DriveConfig dc;
    TAPVM_RETURN_IF_ERROR(MachineConfig::ParseDrive(d, &dc));
    m.drives.push_back(dc);
  }
  TAPVM_RETURN_IF_ERROR(MachineConfig::CheckDriveNames(m.drives));
  for (const std::string& n : opt->netdevs) {
    NetdevConfig nc;
    TAPVM_RETURN_IF_ERROR(MachineConfig::ParseNetdev(n, &nc));
    m.netdevs.push_back(nc);
  }
  return Status::Ok();
}

void AddVmOptions(CLI::App* run, RunOptions* opt, bool cosim) {
  MachineConfig& m = opt->machine;
  run->add_option("--bios", m.firmware,
                  "Firmware or program run in M-mode from reset: an ELF, or a raw binary loaded at the RAM base "
                  "(with --kernel: default Debian's OpenSBI fw_dynamic)")
      ->check(CLI::ExistingFile);
  run->add_option("--kernel", m.kernel, "Linux kernel Image, loaded at RAM + 2 MiB and started by the firmware")
      ->check(CLI::ExistingFile);
  run->add_option("--initrd", m.initrd, "Initial ramdisk")->check(CLI::ExistingFile);
  run->add_option("--append", m.bootargs, "Kernel command line (default: console=ttyS0)");
  run->add_option("--drive", opt->drives, "A virtio-blk disk: file=PATH[,readonly=on][,aio=threads|io_uring][,id=NAME] (raw image; NAME is what the "
                  "control socket calls it, default drive0, drive1...); repeatable");
  run->add_option("--netdev", opt->netdevs,
                  "A virtio-net NIC: dgram,local=HOST:PORT,remote=HOST:PORT (frames in UDP datagrams) or "
                  "tap,ifname=NAME; repeatable");
  run->add_flag("--no-rng", opt->no_rng, "Leave out the virtio-rng device");
  run->add_option("--guest-dir", opt->guest_dir, "Where the built guest is (default: build/guest)");
  run->add_option("-m,--memory", opt->memory, "Guest RAM size (default 128M for --bios, 256M for Linux)");
  run->add_option("--max-insns", opt->max_insns,
                  "Stop with an error after this many instructions, or as much virtual time in a guest that idles "
                  "(0: no limit)")
      ->check(CountValidator(false));
  run->add_option("--timeout", opt->timeout_s, "Stop with an error after this many host seconds (0: none)")
      ->check(SecondsValidator(1e9));
  run->add_flag("--console-immediate", opt->console_immediate,
                "Hand console input to the UART at once instead of when the guest's driver is ready (for guests "
                "that poll it with the receive interrupt off, e.g. an SBI console)");
  run->add_flag("--quit-at-eof", opt->quit_at_eof,
                "When standard input ends, stop (exit 0) once the guest has read all of it and next idles");
  run->add_flag("--stats", opt->stats, "Print instruction count, time, MIPS and the machine state digest at the end");
  AddEngineOptions(run, &opt->engine, &m.jit_cache_mb, &m.jit_hot_after, cosim);
  if (cosim) {
    run->add_option("--cosim-engine", opt->cosim_engine,
                    "With --engine cosim: the engine under test, checked against the interpreter")
        ->capture_default_str()
        ->check(CLI::IsMember({"interp", "interpreter", "jit"}));
    run->add_option("--cosim-interval", opt->cosim_interval,
                    "With --engine cosim: compare the architectural state every N instructions (1: after every "
                    "instruction)")
        ->capture_default_str()
        ->check(CountValidator(true));
    run->add_option("--cosim-digest-interval", opt->cosim_digest_interval,
                    "With --engine cosim: compare the whole machine's digest (RAM, devices) every N instructions "
                    "(0: at the end only)")
        ->capture_default_str()
        ->check(CountValidator(false));
  }
  run->add_option("--time-shift", m.time_shift, "mtime advances once every 2^N instructions")
      ->capture_default_str()
      ->check(CLI::Range(0, 16));
  run->add_option("--break-insn", m.break_insn,
                  "Testing aid: execute this instruction (mnemonic, e.g. add, c.addi, fadd.d) wrongly, to show a test "
                  "program can fail")
      ->group("Testing");
}

void AddEngineOptions(CLI::App* cmd, std::string* engine, unsigned* jit_cache_mb, unsigned* jit_hot_after,
                      bool cosim) {
  std::vector<std::string> engines = {"interp", "interpreter", "jit"};
  if (cosim) engines.push_back("cosim");
  cmd->add_option("--engine", *engine,
                  std::string("What runs the guest's instructions: interp (the interpreter) or jit (translates to "
                              "x86-64); the guest sees no difference, and a journal recorded with one replays with "
                              "the other") +
                      (cosim ? "; cosim runs --cosim-engine and checks it against the interpreter as it goes" : ""))
      ->capture_default_str()
      ->check(CLI::IsMember(engines));
  cmd->add_option("--jit-cache-mb", *jit_cache_mb, "Size of the JIT's code cache in MiB (flushed whole when full)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--jit-hot-after", *jit_hot_after,
                  "The JIT translates a block the Nth time it reaches it (1: at once; the tests use 1 so short "
                  "programs run translated)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 30))
      ->group("Testing");
}

void Validate(const RunOptions& opt) {
  const MachineConfig& m = opt.machine;
  if (m.kernel.empty() && !m.firmware.empty() && (!m.initrd.empty() || !m.bootargs.empty()))
    throw CLI::ValidationError("--initrd and --append need --kernel");
}


}  // namespace tapvm::cli
