#include "emulator/devices/uart16550.h"

namespace tapvm {

Uart16550::Uart16550(IrqSink* irq, unsigned irq_line, CharSink* out)
    : irq_(irq), irq_line_(irq_line), out_(out) {
  Reset();
}

void Uart16550::Reset() {
  state_ = State{};
  state_.dll = 12;
  state_.msr = ModemInputs();  // no deltas out of reset
  irq_->SetIrq(irq_line_, false);
}

unsigned Uart16550::TriggerLevel() const {
  static constexpr unsigned kLevels[4] = {1, 4, 8, 14};
  return FifoEnabled() ? kLevels[state_.fcr >> 6] : 1;
}

void Uart16550::Push(uint8_t b) {
  state_.rx_fifo[(state_.rx_head + state_.rx_count) % kFifoSize] = b;
  ++state_.rx_count;
}

uint8_t Uart16550::Pop() {
  if (state_.rx_count == 0) return 0;  // empty RBR reads 0
  const uint8_t b = state_.rx_fifo[state_.rx_head];
  state_.rx_head = (state_.rx_head + 1) % kFifoSize;
  --state_.rx_count;
  return b;
}

bool Uart16550::CanReceive() const {
  // Turning the FIFO on clears it, so a driver is ready once both are on.
  const bool driver_ready = !input_waits_for_rx_irq_ || ((state_.ier & kIerRda) && FifoEnabled());
  return driver_ready && !Loopback() && state_.rx_count < Capacity();
}

bool Uart16550::ReceiveByte(uint8_t b) {
  if (!CanReceive()) return false;
  Push(b);
  UpdateIrq();
  return true;
}

void Uart16550::LoopbackReceive(uint8_t b) {
  if (state_.rx_count < Capacity()) {
    Push(b);
  } else {
    state_.lsr_errors |= kLsrOe;
    // Without FIFO the holding register is overwritten; a full FIFO keeps
    // its bytes and the one in the shift register is lost.
    if (!FifoEnabled()) state_.rx_fifo[state_.rx_head] = b;
  }
}

uint8_t Uart16550::ModemInputs() const {
  if (!Loopback()) return kMsrCts | kMsrDsr | kMsrDcd;
  uint8_t in = 0;
  if (state_.mcr & kMcrRts) in |= kMsrCts;
  if (state_.mcr & kMcrDtr) in |= kMsrDsr;
  if (state_.mcr & kMcrOut1) in |= kMsrRi;
  if (state_.mcr & kMcrOut2) in |= kMsrDcd;
  return in;
}

void Uart16550::UpdateModem() {
  const uint8_t old_in = state_.msr & 0xf0;
  const uint8_t new_in = ModemInputs();
  const uint8_t changed = old_in ^ new_in;
  uint8_t delta = 0;
  if (changed & kMsrCts) delta |= kMsrDcts;
  if (changed & kMsrDsr) delta |= kMsrDdsr;
  if ((old_in & kMsrRi) && !(new_in & kMsrRi)) delta |= kMsrTeri;  // trailing edge only
  if (changed & kMsrDcd) delta |= kMsrDdcd;
  state_.msr = new_in | (state_.msr & 0x0f) | delta;
}

uint8_t Uart16550::InterruptId() const {
  const uint8_t ier = state_.ier;
  if ((ier & kIerLsi) && state_.lsr_errors) return kIirLineStatus;
  if (ier & kIerRda) {
    if (state_.rx_count >= TriggerLevel()) return kIirRda;
    if (state_.rx_count > 0) return kIirTimeout;  // only reachable in FIFO mode
  }
  if ((ier & kIerThre) && state_.thre_pending) return kIirThre;
  if ((ier & kIerMsi) && (state_.msr & 0x0f)) return kIirModem;
  return kIirNone;
}

void Uart16550::UpdateIrq() {
  const uint8_t level = InterruptId() != kIirNone;
  if (level != state_.irq_level) {
    state_.irq_level = level;
    irq_->SetIrq(irq_line_, level != 0);
  }
}

uint8_t Uart16550::ReadReg(unsigned reg) {
  const bool dlab = (state_.lcr & kLcrDlab) != 0;
  uint8_t v = 0;
  switch (reg) {
    case kRbr:
      v = dlab ? state_.dll : Pop();
      break;
    case kIer:
      v = dlab ? state_.dlm : state_.ier;
      break;
    case kIir: {
      const uint8_t id = InterruptId();
      // Reading IIR acknowledges a THRE interrupt it reports.
      if (id == kIirThre) state_.thre_pending = 0;
      v = id | (FifoEnabled() ? kIirFifoBits : 0);
      break;
    }
    case kLcr:
      v = state_.lcr;
      break;
    case kMcr:
      v = state_.mcr;
      break;
    case kLsr:
      v = kLsrThre | kLsrTemt | state_.lsr_errors | (state_.rx_count ? kLsrDr : 0);
      state_.lsr_errors = 0;
      break;
    case kMsr:
      v = state_.msr;
      state_.msr &= 0xf0;
      break;
    case kScr:
      v = state_.scr;
      break;
  }
  UpdateIrq();
  return v;
}

void Uart16550::WriteReg(unsigned reg, uint8_t v) {
  const bool dlab = (state_.lcr & kLcrDlab) != 0;
  switch (reg) {
    case kThr:
      if (dlab) {
        state_.dll = v;
        break;
      }
      if (Loopback()) {
        LoopbackReceive(v);
      } else {
        out_->Write(v);
      }
      // The byte left at once: THR is empty again.
      state_.thre_pending = (state_.ier & kIerThre) != 0;
      break;
    case kIer: {
      if (dlab) {
        state_.dlm = v;
        break;
      }
      const uint8_t ier = v & 0x0f;
      if ((ier & kIerThre) && !(state_.ier & kIerThre)) state_.thre_pending = 1;  // THR is empty
      if (!(ier & kIerThre)) state_.thre_pending = 0;
      state_.ier = ier;
      break;
    }
    case kFcr:
      // Changing the enable bit empties the FIFOs; the other bits are only
      // programmed while the enable bit is written as 1.
      if ((v & kFcrEnable) != (state_.fcr & kFcrEnable)) ClearRx();
      if (v & kFcrEnable) {
        if (v & kFcrRxReset) ClearRx();
        state_.fcr = v & 0xc9;  // enable, DMA mode, trigger level
      } else {
        state_.fcr = 0;
      }
      break;
    case kLcr:
      state_.lcr = v;
      break;
    case kMcr:
      // Entering or leaving loopback switches the receiver's source; what
      // the FIFO holds stays.
      state_.mcr = v & 0x1f;
      UpdateModem();
      break;
    case kLsr:
    case kMsr:
      break;  // factory-test writes: ignored
    case kScr:
      state_.scr = v;
      break;
  }
  UpdateIrq();
}

bool Uart16550::Read(uint64_t offset, unsigned size, uint64_t* value) {
  *value = 0;
  if (offset >= 8 || (size != 1 && size != 2 && size != 4 && size != 8) || (offset & (size - 1)) != 0)
    return false;
  *value = ReadReg(static_cast<unsigned>(offset));
  return true;
}

bool Uart16550::Write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset >= 8 || (size != 1 && size != 2 && size != 4 && size != 8) || (offset & (size - 1)) != 0)
    return false;
  WriteReg(static_cast<unsigned>(offset), static_cast<uint8_t>(value));
  return true;
}

void Uart16550::HashState(StateHasher& h) const {
  const State& s = state_;
  // Only the bytes held in the FIFO, oldest first: stale slots are not state.
  h.Add(s.rx_count);
  for (unsigned i = 0; i < s.rx_count; ++i) h.Add(s.rx_fifo[(s.rx_head + i) % kFifoSize]);
  h.Add(s.ier).Add(s.fcr).Add(s.lcr).Add(s.mcr).Add(s.lsr_errors).Add(s.msr).Add(s.scr);
  h.Add(s.dll).Add(s.dlm).Add(s.thre_pending).Add(s.irq_level);
}

// The FIFO is saved as its bytes, oldest first (as digested), and loaded
// back starting at slot 0: stale slots and the head position are not state.
void Uart16550::SaveState(StateWriter& w) const {
  const State& s = state_;
  w.Put(s.rx_count);
  for (unsigned i = 0; i < s.rx_count; ++i) w.Put(s.rx_fifo[(s.rx_head + i) % kFifoSize]);
  w.Put(s.ier).Put(s.fcr).Put(s.lcr).Put(s.mcr).Put(s.lsr_errors).Put(s.msr).Put(s.scr);
  w.Put(s.dll).Put(s.dlm).Put(s.thre_pending).Put(s.irq_level);
}

Status Uart16550::LoadState(StateReader& r) {
  State s{};
  r.Get(&s.rx_count);
  if (s.rx_count > kFifoSize) r.Fail("rx_count " + std::to_string(s.rx_count) + " > 16");
  for (unsigned i = 0; r.ok() && i < s.rx_count; ++i) r.Get(&s.rx_fifo[i]);
  r.Get(&s.ier);
  r.Get(&s.fcr);
  r.Get(&s.lcr);
  r.Get(&s.mcr);
  r.Get(&s.lsr_errors);
  r.Get(&s.msr);
  r.Get(&s.scr);
  r.Get(&s.dll);
  r.Get(&s.dlm);
  r.Get(&s.thre_pending);
  r.Get(&s.irq_level);
  if (s.thre_pending > 1 || s.irq_level > 1) r.Fail("thre_pending or irq_level is not 0 or 1");
  if (!r.ok()) return r.status();
  state_ = s;
  return Status::Ok();
}

}  // namespace tapvm
