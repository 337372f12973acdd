// Board: the machine tapvm emulates, wired after QEMU's riscv `virt` memory
// map: sifive_test finisher at 0x100000, CLINT at 0x2000000, PLIC at
// 0xc000000, NS16550A UART0 at 0x10000000 (PLIC source 10), RAM at
// 0x80000000. One hart.
//
// The board owns the bus, the hart and the devices. Host-facing backends
// (the console sink) are passed in; the board itself touches no host
// resource. Run() returns why the guest stopped: the finisher, the HTIF
// tohost mailbox (for ELFs that define `tohost`), an instruction limit, or a
// hart that can make no progress.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "emulator/base/status.h"
#include "emulator/cpu/hart.h"
#include "emulator/devices/clint.h"
#include "emulator/devices/plic.h"
#include "emulator/devices/sifive_test.h"
#include "emulator/devices/uart16550.h"
#include "emulator/machine/bus.h"
#include "emulator/machine/elf_loader.h"

namespace tapvm {

struct BoardConfig {
  uint64_t ram_base = 0x80000000;
  uint64_t ram_size = 128ull << 20;
  HartConfig hart;
};

struct RunResult {
  enum class Kind {
    kPass,        // finisher 0x5555 or tohost == 1
    kFail,        // finisher 0x3333 or odd tohost != 1; `code` holds the code
    kReset,       // finisher 0x7777
    kLimit,       // instruction limit reached
    kIdle,        // waiting in WFI with nothing that can wake it
    kStuck,       // trapping without retiring instructions
  } kind;
  uint32_t code = 0;
};

class Board {
 public:
  static constexpr uint64_t kFinisherBase = 0x100000;
  static constexpr uint64_t kClintBase = 0x2000000;
  static constexpr uint64_t kPlicBase = 0xc000000;
  static constexpr uint64_t kUart0Base = 0x10000000;
  static constexpr unsigned kUart0Irq = 10;

  // `console` receives UART0 output; it must outlive the board.
  static Status Create(const BoardConfig& config, CharSink* console, std::unique_ptr<Board>* out);

  // Loads an ELF (or, if `image` is not an ELF, a raw binary at the RAM
  // base) and points the hart at its entry.
  Status LoadProgram(std::span<const uint8_t> image);

  // Runs until the guest finishes or icount reaches `max_icount`.
  RunResult Run(uint64_t max_icount);

  Hart& hart() { return *hart_; }
  Bus& bus() { return bus_; }
  Uart16550& uart() { return *uart_; }
  const LoadedImage& image() const { return image_; }

 private:
  explicit Board(const BoardConfig& config) : config_(config) {}
  // Checks the finisher and the HTIF mailbox; true when the guest finished.
  bool CheckFinished();

  BoardConfig config_;
  Bus bus_;
  std::unique_ptr<Hart> hart_;
  std::unique_ptr<Clint> clint_;
  std::unique_ptr<Plic> plic_;
  std::unique_ptr<Uart16550> uart_;
  std::unique_ptr<SifiveTest> finisher_;
  LoadedImage image_;
  RunResult finished_{RunResult::Kind::kLimit};
  bool has_finished_ = false;
  CharSink* console_ = nullptr;
};

}  // namespace tapvm
