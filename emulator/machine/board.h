// Board: the machine tapvm emulates, wired after QEMU's riscv `virt`
// memory map: MROM (reset vector) at 0x1000, sifive_test finisher at
// 0x100000, CLINT at 0x2000000, the port-I/O window at 0x3000000 (with the
// debug-exit port 0x501), PLIC at 0xc000000, NS16550A UART0 at 0x10000000
// (PLIC source 10), virtio-mmio slots from 0x10001000 (stride 0x1000, PLIC
// sources 1..8), RAM at 0x80000000. One hart.
//
// The board owns the bus, the hart and the devices. Everything from outside
// comes through the EventTap it is given (console input, block
// completions, frames, entropy, clock warps while idle); the board itself
// touches no host resource and reads no files: images arrive as bytes.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/cpu/hart.h"
#include "emulator/devices/clint.h"
#include "emulator/devices/debug_exit.h"
#include "emulator/devices/plic.h"
#include "emulator/devices/sifive_test.h"
#include "emulator/devices/uart16550.h"
#include "emulator/devices/virtio/virtio_device.h"
#include "emulator/machine/bus.h"
#include "emulator/machine/checkpoint.h"
#include "emulator/machine/elf_loader.h"
#include "emulator/machine/machine_config.h"
#include "emulator/tap.h"

namespace tapvm {

struct BoardConfig {
  uint64_t ram_base = 0x80000000;
  uint64_t ram_size = 128ull << 20;
  HartConfig hart;
  // Report a state digest to the tap every this many instructions (0:
  // never). Record journals it, replay checks it.
  uint64_t digest_interval = 0;
  // Which definition ComputeDigest follows (kOldestStateDigestVersion ..
  // kStateDigestVersion): a replay computes its journal's.
  uint32_t digest_version = kStateDigestVersion;
};

struct RunResult {
  enum class Kind {
    kPass,   // finisher 0x5555 (power-off), or tohost == 1
    kFail,   // finisher 0x3333 or odd tohost != 1; `code` holds the code
    kReset,  // finisher 0x7777
    kExit,   // debug-exit port: `code` = (value << 1) | 1
    kLimit,  // instruction limit reached
    kIdle,   // waiting in WFI with nothing that can wake it
    kStuck,  // trapping without retiring instructions
    kQuit,   // RequestQuit() (the user pressed Ctrl-A x)
    kDebug,  // the hart's debug hook stopped it (Hart::set_debug_hook); Run
             // again goes on from that instruction boundary
  } kind;
  uint32_t code = 0;
};
// "power-off", "fail", "reset", "debug-exit", "limit", "idle", "stuck",
// "quit", "debug-stop": how a run ended, in the words a journal's tail keeps.
const char* RunEndName(RunResult::Kind kind);

// What a Linux boot needs: OpenSBI firmware, kernel, optional initrd.
struct LinuxBootImages {
  std::span<const uint8_t> firmware;  // fw_dynamic / fw_jump (ELF or raw)
  std::span<const uint8_t> kernel;    // the Image, loaded at RAM + 2 MiB
  std::span<const uint8_t> initrd;    // may be empty
  std::string bootargs;
};

class Board {
 public:
  static constexpr uint64_t kMromBase = 0x1000;
  static constexpr uint64_t kFinisherBase = 0x100000;
  static constexpr uint64_t kClintBase = 0x2000000;
  static constexpr uint64_t kPioWindowBase = 0x3000000, kPioWindowSize = 0x10000;
  static constexpr uint64_t kPlicBase = 0xc000000;
  static constexpr uint64_t kUart0Base = 0x10000000;
  static constexpr unsigned kUart0Irq = 10;
  static constexpr uint64_t kVirtioBase = 0x10001000, kVirtioStride = 0x1000;
  static constexpr unsigned kVirtioSlots = 8;
  static constexpr uint64_t kKernelOffset = 0x200000;
  static constexpr uint64_t kTimebaseHz = 10'000'000;  // mtime ticks per guest second
  // Tap device ids: the console is 0, virtio slot i is 1 + i.
  static constexpr TapDeviceId kConsoleTapId = 0;

  // `tap` must outlive the board.
  static Status Create(const BoardConfig& config, EventTap* tap, std::unique_ptr<Board>* out);
  ~Board();

  // Bare-metal: loads an ELF (or a raw binary at the RAM base) and points
  // the hart at its entry, in M-mode.
  Status LoadProgram(std::span<const uint8_t> image);

  // Linux: firmware at the RAM base, kernel at RAM + 2 MiB, initrd and the
  // device tree above it, and the MROM reset vector that starts the
  // firmware with a0 = hartid, a1 = DTB, a2 = fw_dynamic info. Call after
  // every device has been added (the device tree lists them).
  Status SetupLinuxBoot(const LinuxBootImages& images);

  // Adds a virtio device in the next free virtio-mmio slot: the board owns
  // the model and its transport from now on. `make` builds the model for
  // the device's tap id (1 + slot) on the board's tap (a model that takes
  // inputs attaches itself to the tap).
  using VirtioFactory = std::function<std::unique_ptr<VirtioDeviceModel>(TapDeviceId id, EventTap* tap)>;
  Status AddVirtio(const std::string& name, const VirtioFactory& make, TapDeviceId* id);
  // Registers a virtio-mmio transport the caller owns (tests) in the next
  // free slot; `dev` must outlive the board.
  Status AddVirtioDevice(Device* dev, unsigned* slot);
  // The interrupt controller as devices see it (observed by the tap).
  IrqSink* irq_controller();
  // Adds a part that acts on its own at points of virtual time (the block
  // throttles, emulator/block/block_throttles.h); the board owns it. The
  // timer seam: the hart ticks it at every slice start and ends run slices
  // at its NextDeadline, as it does for the CLINT, so it acts at the same
  // icount in every run; a guest idling in WFI has virtual time warp to the
  // earliest of the guest's timer and these deadlines (never past one), so
  // a throttled request is released at its time even with no guest timer
  // armed. Its state is part of the device digest.
  void AddTimedModel(std::unique_ptr<TimedModel> model);

  // Runs until the guest finishes or icount reaches `max_icount`. At the
  // limit, what happens at exactly that icount without executing another
  // instruction still happens, the same way in every mode: the digest due
  // there, inputs due there, and, for a hart waiting in wfi, the idle step
  // when the tap already holds its answer (a replay whose recording idled
  // there); a run never waits for the host at its limit.
  // With `bound_idle_time`, the limit bounds virtual time too: a guest idle
  // in wfi, whose icount barely moves, ends (kLimit) once virtual time has
  // passed max_icount instructions' worth (icount + idle warps), instead of
  // waiting on forever (`run --max-insns`). A replay never needs it: its
  // limit is the icount where the recording stopped. The run also ends
  // (kLimit) at the tap's StopIcount (a stream replay's end).
  RunResult Run(uint64_t max_icount, bool bound_idle_time = false) {
    return RunUntil(max_icount, bound_idle_time ? max_icount : UINT64_MAX);
  }
  // Run with the virtual-time bound apart from the icount limit: ends at
  // max_icount, or (a guest idle in wfi) once virtual time has passed
  // time_bound instructions' worth (UINT64_MAX: never). A run cut into
  // stretches at icounts (checkpoints every N instructions) keeps the one
  // time bound of the whole run, so an idle guest warps as it would in
  // one Run(max_icount, true), never once more at a stretch's end.
  RunResult RunUntil(uint64_t max_icount, uint64_t time_bound);
  // Ends Run at the next slice boundary. Thread-safe (the terminal reader,
  // a signal watcher, a timer call it); wakes the tap if the guest idles.
  void RequestQuit() {
    quit_requested_.store(true);
    tap_->Wake();
  }
  // True from RequestQuit until ClearQuit (thread-safe): a host-side wait
  // on the CPU thread (a paused machine) ends when it turns true.
  bool quit_requested() const { return quit_requested_.load(); }
  // Lets Run go on after a RequestQuit ended it (a replay that stopped at
  // the end of its log and goes live). CPU thread, between runs.
  void ClearQuit() {
    quit_requested_.store(false);
    if (has_finished_ && finished_.kind == RunResult::Kind::kQuit) has_finished_ = false;
  }
  // Ends Run (as RequestQuit) the next time the guest idles in wfi having
  // read every console byte given to it: the end of piped console input.
  // Thread-safe.
  void RequestQuitWhenIdle() {
    quit_when_idle_.store(true);
    tap_->Wake();
  }
  // Queues `work` to run on the CPU thread at the next slice boundary
  // (inside Run, before the next slice; at once if the guest idles).
  // Thread-safe: this is how host-facing services (the control socket, FT,
  // a debugger) act on a running machine. Work runs in the order queued.
  // Contract: work must not change what the guest can observe except
  // through the tap (as an input), or replay would not reproduce it.
  void RunOnCpuThread(std::function<void()> work);

  // The state digest: hart, RAM and devices (see MachineDigest in tap.h),
  // by the definition config.digest_version names (docs/journal-format.md).
  // RAM is digested as its non-zero 4 KiB pages, each with its address, so
  // the value depends only on the contents, and pages never touched are
  // not read. Version 3 hashes the bytes of every such page each time
  // (about one pass over the RAM the guest has used); version 4 hashes
  // each page on its own and keeps those hashes, so a digest reads only
  // the pages written since the last one (the bus's Rehash bits; the
  // hart's write TLB is dropped so that a store after the digest marks its
  // page again). Not const for that cache: nothing the guest sees changes.
  MachineDigest ComputeDigest();
  // The digest of each component's state on its own, by name ("board",
  // "console", then each device as in a checkpoint): where two machines
  // whose device digests differ differ.
  std::vector<std::pair<std::string, uint64_t>> ComponentDigests() const;
  // Reports the digest of the state the run ended in to the tap: record
  // journals it as the recording's last event, replay checks it, so a
  // replay that ends in another state (a trap count, a register) diverges
  // even when no periodic digest falls after the difference.
  void ReportFinalDigest() { tap_->ObserveDigest(ComputeDigest()); }
  // ---- checkpoints (emulator/machine/checkpoint.h, board_checkpoint.cc) --
  // Captures the machine at the current instruction boundary: on the CPU
  // thread, between Run calls (Run(icount) then capture: the state at
  // icount, inputs due there delivered), or in work queued with
  // RunOnCpuThread (a slice boundary). kFull lists every non-zero RAM page;
  // kIncremental only the pages written since the previous capture or
  // restore on this board (InvalidArgument when there was none). Every
  // capture starts a new dirty-page interval. The caller fills
  // tap_position.
  Status SaveCheckpoint(MachineCheckpoint::Kind kind, MachineCheckpoint* out);
  // Puts a full checkpoint back (ApplyIncrement makes one from a chain):
  // into a board just built from the same configuration (BuildMachine),
  // before Run, or into this board between runs (going back in time).
  // Refused with InvalidArgument, naming the first difference, when the
  // checkpoint's identity is not this board's; malformed contents are
  // refused with Corruption naming the section. Checks that cannot be made
  // before loading (a device's fields) may fail after earlier components
  // were loaded: after an error, throw the board away. On success: RAM,
  // hart and devices are the checkpoint's, no interrupt line is driven and
  // no tap call made; TLBs, decoded code and the JIT's code are dropped;
  // the dirty-page interval starts here. The tap is the caller's: a replay
  // positions its event source (tap_position), a live tap wants
  // ResubmitInFlight.
  Status RestoreCheckpoint(const MachineCheckpoint& c);
  // After RestoreCheckpoint into a machine whose tap is live (run, record)
  // rather than a replay of the checkpoint's own recording: every device
  // makes the requests it holds in flight again
  // (VirtioDeviceModel::ResubmitInFlight). Call once, before Run. Never in
  // a replay: the journal answers the requests of the recording.
  void ResubmitInFlight();
  // The machine's identity: what the board itself is (memory map, devices,
  // time base, digest interval), then what its builder added (the
  // guest-visible configuration, image and drive identities; see
  // MachineIdentity in machine_builder.h). A checkpoint carries it.
  void AddIdentity(std::string key, std::string value) { extra_identity_.emplace_back(std::move(key), std::move(value)); }
  MachineCheckpoint::KeyValues identity() const;

  Hart& hart() { return *hart_; }
  Bus& bus() { return bus_; }
  Uart16550& uart() { return *uart_; }
  // The transport in virtio slot `slot`, or nullptr.
  Device* virtio_device(unsigned slot) { return slot < virtio_devices_.size() ? virtio_devices_[slot] : nullptr; }
  const LoadedImage& image() const { return image_; }
  const std::vector<uint8_t>& device_tree() const { return dtb_; }

 private:
  class Console;
  class Observer;
  explicit Board(const BoardConfig& config);
  // Checks the finisher, debug-exit port and HTIF mailbox; true when the
  // guest finished. Called after every run slice.
  bool AfterSlice();
  // The hart's stop check: finished, inputs waiting to be delivered, or
  // work queued for the CPU thread.
  bool StopCheck();
  // Reports the state digest to the tap when icount is at a digest
  // boundary not yet reported (the same rule at a slice start and a limit).
  void DigestIfDue();
  // Runs the work queued by RunOnCpuThread (CPU thread).
  void RunQueuedWork();
  // The board's own part of a checkpoint, and the devices' (in a fixed
  // order, each in a section of its name).
  void SaveDevices(StateWriter& w) const;
  Status LoadDevices(StateReader& r);
  // Pages, as ComputeDigest sees them: whether page `index` of `m` can
  // hold anything but zeros.
  static bool MayHoldData(const Bus::MemoryRegion& m, uint64_t index);
  // The RAM part of ComputeDigest, by version.
  uint64_t RamDigestV3() const;
  uint64_t RamDigestV4();

  BoardConfig config_;
  // Version 4 digests: each page-tracked region's page hashes (0: a page
  // of zeros, or one never hashed), by region in bus_.memory() order.
  std::vector<std::vector<uint64_t>> page_hashes_;
  EventTap* tap_ = nullptr;
  Bus bus_;
  std::unique_ptr<Hart> hart_;
  std::unique_ptr<Clint> clint_;
  std::unique_ptr<Plic> plic_;
  std::unique_ptr<Console> console_;
  std::unique_ptr<Observer> observer_;  // bus accesses and IRQ lines -> tap
  std::unique_ptr<Uart16550> uart_;
  std::unique_ptr<SifiveTest> finisher_;
  std::unique_ptr<DebugExit> debug_exit_;
  std::vector<unsigned> virtio_slots_;
  std::vector<Device*> virtio_devices_;  // in slot order
  std::vector<std::unique_ptr<VirtioDeviceModel>> virtio_models_;  // owned by AddVirtio
  std::vector<std::unique_ptr<Device>> virtio_transports_;
  std::vector<std::unique_ptr<TimedModel>> timed_models_;
  std::mutex work_mu_;
  std::vector<std::function<void()>> work_;
  std::atomic<bool> work_pending_{false};
  LoadedImage image_;
  std::vector<uint8_t> dtb_;
  RunResult finished_{RunResult::Kind::kLimit};
  bool has_finished_ = false;
  uint64_t last_digest_icount_ = 0;
  uint64_t slice_limit_ = UINT64_MAX;  // the limit the hart runs to now
  std::atomic<bool> quit_requested_{false};
  std::atomic<bool> quit_when_idle_{false};
  MachineCheckpoint::KeyValues extra_identity_;
  // The icount of the last capture or restore: what an incremental
  // checkpoint builds on (none before the first).
  bool has_checkpoint_base_ = false;
  uint64_t checkpoint_base_icount_ = 0;
};

}  // namespace tapvm
