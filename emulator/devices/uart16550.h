// Uart16550: an NS16550A UART (UART0 of the virt board, at 0x10000000 on
// PLIC source 10).
//
// Registers at byte offsets 0..7 (DLAB is LCR bit 7):
//   0 RBR (read) / THR (write); DLL when DLAB=1
//   1 IER (bits 0..3); DLM when DLAB=1
//   2 IIR (read) / FCR (write)
//   3 LCR   4 MCR (bits 0..4, bit 4 = loopback)   5 LSR   6 MSR   7 SCR
// The range is 0x100 bytes but, as on QEMU, only the first 8 decode: an
// access at offset 8 or above, or a misaligned one, returns false. An
// aligned access of 1, 2, 4 or 8 bytes at offset 0..7 works on the single
// 8-bit register at that offset (reads zero-extend, writes use the low
// byte), which is what QEMU does.
//
// Behaviour, following the NS16550A datasheet, with these choices:
// - Transmit is immediate: a THR write hands the byte to the CharSink at
//   once, so THR and the transmitter are always empty (LSR.THRE and
//   LSR.TEMT always read 1). In loopback mode the byte goes to the receiver
//   instead of the CharSink.
// - Receive: a 16-byte FIFO when FCR bit 0 is set, a single holding
//   register otherwise. Host input arrives through ReceiveByte, which
//   refuses a byte (returns false) when the receiver is full or in loopback
//   mode, so host input is never lost to an overrun; the backend keeps it
//   and retries. Only loopback can overrun: LSR.OE is set and, as the
//   datasheet says, the FIFO keeps its contents (FIFO mode) or the holding
//   register takes the new byte (non-FIFO mode).
// - Host input can be held until the guest's driver is ready to read it,
//   as flow control on a real line would hold it: with
//   set_input_waits_for_rx_interrupt, bytes are refused until the receive
//   data interrupt (IER bit 0) and the FIFO (whose enabling clears it) are
//   both on. Linux turns them on when the
//   console is opened for reading, after its start-up has reset the FIFO,
//   so firmware and early boot (which drain or reset the receiver) never
//   swallow typed or piped input. Without it (bare programs that poll),
//   bytes are taken at once.
// - Parity, framing and break errors never occur (no line to corrupt), so
//   LSR bits 2..4 and 7 read 0.
// - Receive interrupts: "data available" (IIR 0x4) while the FIFO holds at
//   least the trigger level (FCR bits 7..6: 1, 4, 8, 14 bytes; 1 without
//   FIFO). The character timeout (IIR 0xc) needs a notion of character time
//   that a deterministic device without a baud clock lacks; it is modelled
//   as firing at once when the FIFO holds 1..trigger-1 bytes, so a guest
//   never waits for the bytes below the trigger level.
// - The THRE interrupt is latched: set when ETBEI goes 0->1 (THR is empty)
//   and after every THR write while ETBEI is 1 (the byte left at once),
//   cleared by reading IIR while THRE is the reported source, by a THR write
//   with ETBEI 0, or by clearing ETBEI.
// - Modem inputs: outside loopback, CTS, DSR and DCD are asserted and RI is
//   not (a terminal that is always there, as QEMU reports); in loopback they
//   follow RTS, DTR, OUT2 and OUT1. MSR delta bits record their changes.
// - Interrupt priority (IIR): line status > data available / timeout > THRE
//   > modem status. IIR bits 7..6 read 11 when the FIFO is enabled. The
//   output line is not gated by MCR.OUT2 (as on QEMU's virt board).
// - Reset values follow the datasheet; the divisor latch (undefined there)
//   resets to 12, as on QEMU.
//
// The device never touches a file descriptor: output goes to a CharSink, its
// interrupt to an IrqSink, input comes from the machine on the CPU thread.
// Not thread-safe. Both sinks must outlive the device; the IrqSink must be
// usable from the constructor on (it drives the line low).
#pragma once

#include <cstdint>
#include <string_view>

#include "emulator/machine/device.h"

namespace tapvm {

// Where transmitted bytes go: the host terminal, a file, a journal.
class CharSink {
 public:
  virtual ~CharSink() = default;
  virtual void Write(uint8_t byte) = 0;
};

class Uart16550 : public Device {
 public:
  static constexpr uint64_t kSize = 0x100;
  static constexpr unsigned kFifoSize = 16;

  // Register offsets.
  static constexpr unsigned kRbr = 0, kThr = 0, kDll = 0, kIer = 1, kDlm = 1, kIir = 2, kFcr = 2, kLcr = 3,
                            kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7;
  // IER bits.
  static constexpr uint8_t kIerRda = 0x1, kIerThre = 0x2, kIerLsi = 0x4, kIerMsi = 0x8;
  // IIR values (without the FIFO-enabled bits 7..6).
  static constexpr uint8_t kIirNone = 0x1, kIirLineStatus = 0x6, kIirRda = 0x4, kIirTimeout = 0xc, kIirThre = 0x2,
                           kIirModem = 0x0, kIirFifoBits = 0xc0;
  // FCR bits.
  static constexpr uint8_t kFcrEnable = 0x1, kFcrRxReset = 0x2, kFcrTxReset = 0x4;
  // LCR, MCR bits.
  static constexpr uint8_t kLcrDlab = 0x80;
  static constexpr uint8_t kMcrDtr = 0x1, kMcrRts = 0x2, kMcrOut1 = 0x4, kMcrOut2 = 0x8, kMcrLoop = 0x10;
  // LSR bits.
  static constexpr uint8_t kLsrDr = 0x1, kLsrOe = 0x2, kLsrPe = 0x4, kLsrFe = 0x8, kLsrBi = 0x10, kLsrThre = 0x20,
                           kLsrTemt = 0x40, kLsrFifoErr = 0x80;
  // MSR bits.
  static constexpr uint8_t kMsrDcts = 0x1, kMsrDdsr = 0x2, kMsrTeri = 0x4, kMsrDdcd = 0x8, kMsrCts = 0x10,
                           kMsrDsr = 0x20, kMsrRi = 0x40, kMsrDcd = 0x80;

  // Plain data: saved, restored and hashed as it is.
  struct State {
    uint8_t rx_fifo[kFifoSize];
    uint8_t rx_head;   // index of the oldest byte
    uint8_t rx_count;  // bytes held
    uint8_t ier;
    uint8_t fcr;         // the retained bits: enable, DMA mode, trigger level
    uint8_t lcr;
    uint8_t mcr;
    uint8_t lsr_errors;  // OE (and PE/FE/BI, never set): cleared by an LSR read
    uint8_t msr;         // modem input levels (bits 7..4) and deltas (3..0)
    uint8_t scr;
    uint8_t dll;
    uint8_t dlm;
    uint8_t thre_pending;  // the latched THRE interrupt condition
    uint8_t irq_level;     // the level last driven on the interrupt line
  };

  Uart16550(IrqSink* irq, unsigned irq_line, CharSink* out);

  // Back to the reset state (receive FIFO emptied) and drives the line low.
  void Reset();

  std::string_view name() const override { return "uart0"; }
  void HashState(StateHasher& h) const override;
  void SaveState(StateWriter& w) const override;
  Status LoadState(StateReader& r) override;
  bool Read(uint64_t offset, unsigned size, uint64_t* value) override;
  bool Write(uint64_t offset, unsigned size, uint64_t value) override;

  // Host input, on the CPU thread. Returns false (the byte is not taken)
  // when the receiver is full, in loopback mode, or the terminal is not
  // ready (DTR low after the guest programmed MCR).
  bool ReceiveByte(uint8_t b);
  bool CanReceive() const;
  // Host input waits for the receive data interrupt (see above).
  // Configuration, set before the machine runs.
  void set_input_waits_for_rx_interrupt(bool wait) { input_waits_for_rx_irq_ = wait; }

  const State& state() const { return state_; }

 private:
  uint8_t ReadReg(unsigned reg);
  void WriteReg(unsigned reg, uint8_t v);

  bool FifoEnabled() const { return (state_.fcr & kFcrEnable) != 0; }
  bool input_waits_for_rx_irq_ = false;
  unsigned Capacity() const { return FifoEnabled() ? kFifoSize : 1; }
  unsigned TriggerLevel() const;
  bool Loopback() const { return (state_.mcr & kMcrLoop) != 0; }

  void Push(uint8_t b);
  uint8_t Pop();
  // A byte arriving from the loopback path: may overrun.
  void LoopbackReceive(uint8_t b);
  void ClearRx() { state_.rx_head = state_.rx_count = 0; }

  // The modem input levels (MSR bits 7..4) the current MCR implies.
  uint8_t ModemInputs() const;
  // Latches new modem inputs and sets their delta bits.
  void UpdateModem();

  // The highest-priority pending interrupt (kIir* without FIFO bits).
  uint8_t InterruptId() const;
  void UpdateIrq();

  IrqSink* irq_;
  unsigned irq_line_;
  CharSink* out_;
  State state_{};
};

}  // namespace tapvm
