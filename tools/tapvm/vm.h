// Vm: a whole virtual machine as `tapvm run` assembles it from the command
// line: the board, its virtio devices, the host backends behind them and
// the run-mode event tap that connects the two. Reading image files and
// opening backends happens here, in tools/, never in emulator/.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/block/block_backend.h"
#include "emulator/devices/virtio/virtio_mmio.h"
#include "emulator/machine/board.h"
#include "emulator/net/net_backend.h"
#include "emulator/tap/backends/entropy_source.h"
#include "emulator/tap/backends/passthrough_tap.h"

namespace tapvm::cli {

struct VmOptions {
  std::string bios;  // bare program, or firmware when `kernel` is set
  std::string kernel, initrd, append;
  uint64_t ram_size = 128ull << 20;
  std::vector<std::string> drives;   // "file=PATH[,readonly=on]"
  std::vector<std::string> netdevs;  // "dgram,local=H:P,remote=H:P" or "tap,ifname=NAME"
  bool rng = true;                   // a virtio-rng device (Linux boots only)
  HartConfig hart;
  uint64_t digest_interval = 0;  // state digests for record/replay

  // Replay: image bytes come from the journal, and no host backend is
  // opened (drives keep only their size; NICs and entropy have no source).
  bool replay = false;
  // The firmware/kernel/initrd contents to boot, instead of reading the
  // files: always in replay; in record, the very bytes the journal stores.
  bool images_given = false;
  std::vector<uint8_t> bios_bytes, kernel_bytes, initrd_bytes;
  std::vector<uint64_t> drive_sizes;
};

class Vm {
 public:
  // `wrap`, if given, returns the tap the machine talks to (record mode
  // wraps the pass-through tap); host backends stay on the pass-through.
  using TapWrapper = std::function<EventTap*(PassthroughTap*)>;
  static Status Create(const VmOptions& options, std::unique_ptr<Vm>* out, TapWrapper wrap = nullptr);
  ~Vm();

  Board& board() { return *board_; }
  // True once the guest printed a kernel panic banner on its console.
  bool kernel_panicked() const { return panicked_.load(); }
  // Called (on the CPU thread) when the console shows a kernel panic.
  void set_on_panic(std::function<void()> fn) { on_panic_ = std::move(fn); }
  PassthroughTap& tap() { return *tap_; }

 private:
  Vm() = default;
  Status AddDrive(const std::string& spec);
  Status AddNetdev(const std::string& spec);
  Status AddRng();
  Status AddVirtio(std::unique_ptr<VirtioDeviceModel> model, TapInputSink* sink, const std::string& name,
                   TapDeviceId* id);

  // Destroyed in reverse order: board and devices before the tap, the tap
  // before the backends it calls.
  std::unique_ptr<EntropySource> entropy_;
  std::vector<std::unique_ptr<BlockBackend>> block_backends_;
  std::vector<std::unique_ptr<NetBackend>> net_backends_;
  std::unique_ptr<PassthroughTap> tap_;
  EventTap* machine_tap_ = nullptr;  // what the board and devices use
  bool replay_ = false;
  std::vector<uint64_t> drive_sizes_;
  std::unique_ptr<Board> board_;
  std::vector<std::unique_ptr<VirtioDeviceModel>> models_;
  std::vector<std::unique_ptr<VirtioMmio>> transports_;
  // Console output: to stdout, watched for a kernel panic banner.
  void OnConsole(std::span<const uint8_t> bytes);
  std::string console_tail_;
  std::atomic<bool> panicked_{false};
  std::function<void()> on_panic_;
};

// Reads a whole file; a clear message on failure.
Status ReadWholeFile(const std::string& path, std::vector<uint8_t>* out);

}  // namespace tapvm::cli
