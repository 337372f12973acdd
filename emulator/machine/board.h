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
  RunResult Run(uint64_t max_icount, bool bound_idle_time = false);
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

  // The state digest: hart, RAM and devices (see MachineDigest in tap.h).
  // RAM is digested as its non-zero 4 KiB pages, each with its address, so
  // the value depends only on the contents, and pages never touched are
  // not read. Costs about one pass over the RAM the guest has used.
  MachineDigest ComputeDigest() const;
  // Reports the digest of the state the run ended in to the tap: record
  // journals it as the recording's last event, replay checks it, so a
  // replay that ends in another state (a trap count, a register) diverges
  // even when no periodic digest falls after the difference.
  void ReportFinalDigest() { tap_->ObserveDigest(ComputeDigest()); }
  // The version of ComputeDigest's definition, journaled by record and
  // checked by replay (another definition could never match).
  static constexpr uint32_t kDigestVersion = kStateDigestVersion;

  Hart& hart() { return *hart_; }
  Bus& bus() { return bus_; }
  Uart16550& uart() { return *uart_; }
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

  BoardConfig config_;
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
  std::vector<const Device*> virtio_devices_;  // in slot order
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
};

}  // namespace tapvm
