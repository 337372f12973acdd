// MachineConfig: the whole configuration of a virtual machine, typed.
//
// One value says what machine to build (RAM, time base, boot images,
// drives, NICs, the rng, digests) and is the single source for every mode:
// `run` and `record` fill it from the command line, a journal stores it
// (Encode) and `replay` rebuilds it from the journal (Decode), FT checks the
// primary's against the secondary's (Compare). BuildMachine
// (machine_builder.h) makes the machine from it.
//
// The encoding is an ordered list of key/value strings (what a journal
// header holds, see docs/journal-format.md §4.1). Decode refuses unknown
// modes, malformed numbers and option strings with a message naming the
// key; it ignores keys it does not know, so a newer writer's extra keys do
// not stop an older replay that does not need them.
//
// Plain values; the functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/block/throttle_config.h"
#include "emulator/block/block_options.h"
#include "emulator/cpu/engine.h"

namespace tapvm {

// The version of the state digest's definition (Board::ComputeDigest):
// journaled, and checked by replay (digests of another definition can never
// match). Bump it whenever what a digest covers or how changes, and keep
// computing the older versions a replay may meet. 4: RAM pages enter as
// their own hashes (cached between digests), not their bytes.
inline constexpr uint32_t kStateDigestVersion = 4;
// The oldest definition this tapvm still computes, for older journals.
inline constexpr uint32_t kOldestStateDigestVersion = 3;

// One virtio-blk disk: `--drive file=PATH[,readonly=on][,format=raw][,aio=threads|io_uring][,id=NAME]`
// `[,cache=writeback|none][,inject=RULES][,inject-file=PATH][,inject-seed=N]`
// [,throttling.*=...] (emulator/block/throttle_config.h).
struct DriveConfig {
  std::string file;
  bool read_only = false;
  enum class Aio : uint8_t { kThreads, kIoUring } aio = Aio::kThreads;
  ThrottleConfig throttle{};
  // The name the host calls it by (the QMP control socket); empty: "drive<index>". Letters, digits,
  // '-', '.', '_', starting with a letter (QEMU's rule for ids). The guest never sees it.
  std::string id{};
  // Host-side options (drive_host_options.h): cache mode and fault injection.
  BlockCache cache = BlockCache::kWriteback;
  std::string inject = {};       // fault rules (emulator/block/inject.h), checked when parsed
  std::string inject_file = {};  // a file of rules, read when the drive opens
  uint64_t inject_seed = 0;
  friend bool operator==(const DriveConfig&, const DriveConfig&) = default;
};

// One virtio-net NIC: `--netdev dgram,local=H:P,remote=H:P` or `--netdev tap,ifname=NAME`.
struct NetdevConfig {
  enum class Kind : uint8_t { kDgram, kTap } kind = Kind::kDgram;
  std::string local, remote;  // dgram
  std::string ifname;         // tap
  friend bool operator==(const NetdevConfig&, const NetdevConfig&) = default;
};

struct MachineConfig {
  using KeyValues = std::vector<std::pair<std::string, std::string>>;

  uint64_t ram_size = 128ull << 20;
  unsigned time_shift = 4;        // mtime advances once every 2^time_shift instructions
  uint64_t digest_interval = 0;   // a state digest every N instructions (0: none)
  // Boot images by name (a path when read from files). Without a kernel the
  // machine is bare: `firmware` is the program, started in M-mode.
  std::string firmware, kernel, initrd;
  std::string bootargs;
  std::vector<DriveConfig> drives;
  std::vector<NetdevConfig> netdevs;
  bool rng = true;  // a virtio-rng device (Linux machines only)
  // Linux machines: console input waits until the guest's UART driver is
  // ready to read it (Uart16550::set_input_waits_for_rx_interrupt). Off for
  // guests that poll the UART with its receive interrupt off (an SBI
  // console), and in journals recorded before it existed.
  bool console_waits = true;
  // Testing aid: this instruction executes wrongly (see cpu/decode.h).
  std::string break_insn;
  // What runs the instructions (--engine), the JIT's code cache size
  // (--jit-cache-mb) and translation threshold (--jit-hot-after). Host choices the guest cannot see: not in Encode, not
  // compared by FirstDifference, so a journal recorded with one engine
  // replays with another.
  EngineKind engine = EngineKind::kInterpreter;
  unsigned jit_cache_mb = 64;
  unsigned jit_hot_after = 8;
  // The digest definition the configuration was recorded with (Decode
  // fills it; a new configuration has this build's).
  uint32_t digest_version = kStateDigestVersion;

  bool is_linux() const { return !kernel.empty(); }

  // The journal header's key/value list; digest_interval is not in it (the
  // header has a field of its own for it).
  KeyValues Encode() const;
  // The inverse of Encode. Image names are not in the list (the journal's
  // image records carry them); they stay empty.
  static Status Decode(const KeyValues& kv, MachineConfig* out);

  // Parses one --drive / --netdev option string, with a clear message for
  // anything unknown or malformed.
  static Status ParseDrive(const std::string& spec, DriveConfig* out);
  static Status ParseNetdev(const std::string& spec, NetdevConfig* out);
  // Drive `index`'s name: its id, or "drive<index>"; CheckDriveNames: every name is unique.
  std::string DriveName(size_t index) const;
  static Status CheckDriveNames(const std::vector<DriveConfig>& drives);
  // The canonical option strings (ParseDrive/ParseNetdev read them back).
  static std::string DriveSpec(const DriveConfig& d);
  static std::string NetdevSpec(const NetdevConfig& n);

  // The first difference between two configurations that would make their
  // machines behave differently, as "ram_bytes: 268435456 vs 134217728";
  // empty when they build the same machine. Host-side choices that the
  // guest cannot see (file paths, aio, dgram addresses) are not compared.
  static std::string FirstDifference(const MachineConfig& a, const MachineConfig& b);
};

}  // namespace tapvm
