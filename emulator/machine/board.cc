#include "emulator/machine/board.h"

#include <cstring>

namespace tapvm {

Status Board::Create(const BoardConfig& config, CharSink* console, std::unique_ptr<Board>* out) {
  if (config.ram_size < 4096 || (config.ram_size & 0xfff))
    return Status::InvalidArgument("RAM size must be a positive multiple of 4 KiB");
  std::unique_ptr<Board> b(new Board(config));
  b->console_ = console;
  TAPVM_RETURN_IF_ERROR(b->bus_.AddMemory(config.ram_base, config.ram_size, true));
  b->hart_ = std::make_unique<Hart>(&b->bus_, config.hart);
  Hart* hart = b->hart_.get();
  b->clint_ = std::make_unique<Clint>(hart);
  b->plic_ = std::make_unique<Plic>(hart);
  b->uart_ = std::make_unique<Uart16550>(b->plic_.get(), kUart0Irq, console);
  b->finisher_ = std::make_unique<SifiveTest>();
  TAPVM_RETURN_IF_ERROR(b->bus_.AddMmio(kFinisherBase, SifiveTest::kSize, b->finisher_.get()));
  TAPVM_RETURN_IF_ERROR(b->bus_.AddMmio(kClintBase, 0x10000, b->clint_.get()));
  TAPVM_RETURN_IF_ERROR(b->bus_.AddMmio(kPlicBase, 0x4000000, b->plic_.get()));
  TAPVM_RETURN_IF_ERROR(b->bus_.AddMmio(kUart0Base, 0x100, b->uart_.get()));
  hart->AddTimedDevice(b->clint_.get());
  Clint* clint = b->clint_.get();
  hart->set_time_source([hart, clint] { return clint->GuestMtime(hart->Mtime()); });
  Board* self = b.get();
  hart->set_stop_check([self] { return self->CheckFinished(); });
  *out = std::move(b);
  return Status::Ok();
}

Status Board::LoadProgram(std::span<const uint8_t> image) {
  if (IsElf(image)) {
    TAPVM_RETURN_IF_ERROR(LoadElf(image, &bus_, &image_));
  } else {
    TAPVM_RETURN_IF_ERROR(LoadRaw(image, config_.ram_base, &bus_, &image_));
  }
  hart_->state().pc = image_.entry;
  hart_->FlushCaches();
  return Status::Ok();
}

bool Board::CheckFinished() {
  if (has_finished_) return true;
  FinishRequest req = finisher_->request();
  if (req.kind != FinishRequest::kNone) {
    finisher_->Clear();
    has_finished_ = true;
    switch (req.kind) {
      case FinishRequest::kPass: finished_ = {RunResult::Kind::kPass, 0}; break;
      case FinishRequest::kFail: finished_ = {RunResult::Kind::kFail, req.code}; break;
      default: finished_ = {RunResult::Kind::kReset, 0}; break;
    }
    return true;
  }
  if (image_.tohost) {
    uint8_t* p = bus_.HostPtr(*image_.tohost, 8);
    uint64_t v = 0;
    if (p) std::memcpy(&v, p, 8);
    if (v == 0) return false;
    if ((v & 1) && (v >> 48) == 0) {
      // riscv-tests convention: 1 = pass, (code << 1) | 1 = fail.
      has_finished_ = true;
      finished_ = v == 1 ? RunResult{RunResult::Kind::kPass, 0}
                         : RunResult{RunResult::Kind::kFail, static_cast<uint32_t>(v >> 1)};
      return true;
    }
    // Console write request (device 1, command 1): print and acknowledge.
    if ((v >> 56) == 1 && ((v >> 48) & 0xff) == 1 && console_) console_->Write(static_cast<uint8_t>(v));
    std::memset(p, 0, 8);
    if (image_.fromhost)
      if (uint8_t* f = bus_.HostPtr(*image_.fromhost, 8)) {
        uint64_t ack = (v >> 48) << 48 | 1;
        std::memcpy(f, &ack, 8);
      }
  }
  return false;
}

RunResult Board::Run(uint64_t max_icount) {
  while (!has_finished_) {
    StopReason r = hart_->Run(max_icount);
    if (CheckFinished()) break;
    if (r == StopReason::kIdle) return {RunResult::Kind::kIdle, 0};
    if (r == StopReason::kStuck) return {RunResult::Kind::kStuck, 0};
    if (r == StopReason::kLimit) return {RunResult::Kind::kLimit, 0};
  }
  return finished_;
}

}  // namespace tapvm
