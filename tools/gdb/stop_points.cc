#include "tools/gdb/stop_points.h"

#include <tuple>

#include "emulator/cpu/decode.h"

namespace tapvm::gdb {

namespace {

// Size and direction of a memory instruction; size 0 for any other.
struct MemOp {
  unsigned size = 0;
  bool read = false, write = false, amo = false;  // amo: the address is rs1 alone
};

MemOp Classify(Op op) {
  switch (op) {
    case Op::LB: case Op::LBU: return {1, true, false, false};
    case Op::LH: case Op::LHU: return {2, true, false, false};
    case Op::LW: case Op::LWU: case Op::FLW: return {4, true, false, false};
    case Op::LD: case Op::FLD: return {8, true, false, false};
    case Op::SB: return {1, false, true, false};
    case Op::SH: return {2, false, true, false};
    case Op::SW: case Op::FSW: return {4, false, true, false};
    case Op::SD: case Op::FSD: return {8, false, true, false};
    case Op::LR_W: return {4, true, false, true};
    case Op::LR_D: return {8, true, false, true};
    case Op::SC_W: return {4, false, true, true};
    case Op::SC_D: return {8, false, true, true};
    case Op::AMOSWAP_W: case Op::AMOADD_W: case Op::AMOXOR_W: case Op::AMOAND_W: case Op::AMOOR_W:
    case Op::AMOMIN_W: case Op::AMOMAX_W: case Op::AMOMINU_W: case Op::AMOMAXU_W:
      return {4, true, true, true};
    case Op::AMOSWAP_D: case Op::AMOADD_D: case Op::AMOXOR_D: case Op::AMOAND_D: case Op::AMOOR_D:
    case Op::AMOMIN_D: case Op::AMOMAX_D: case Op::AMOMINU_D: case Op::AMOMAXU_D:
      return {8, true, true, true};
    default: return {};
  }
}

bool Overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
  return a < b + blen && b < a + alen;
}

}  // namespace

std::optional<Access> NextAccess(const Hart& hart) {
  const HartState& s = hart.state();
  uint16_t lo = 0, hi = 0;
  if (!hart.DebugReadVirt(s.pc, &lo, 2, /*fetch=*/true)) return std::nullopt;
  uint32_t raw = lo;
  if ((lo & 3) == 3) {
    if (!hart.DebugReadVirt(s.pc + 2, &hi, 2, /*fetch=*/true)) return std::nullopt;
    raw |= static_cast<uint32_t>(hi) << 16;
  }
  const DecodedInsn d = Decode(raw);
  const MemOp m = Classify(d.op);
  if (m.size == 0) return std::nullopt;
  Access a;
  a.addr = s.x[d.rs1] + (m.amo ? 0 : static_cast<uint64_t>(static_cast<int64_t>(d.imm)));
  a.size = m.size;
  a.read = m.read;
  a.write = m.write;
  return a;
}

Status StopPoints::Insert(StopPointKind kind, uint64_t addr, uint64_t len) {
  if (kind == StopPointKind::kSoftware || kind == StopPointKind::kHardware) {
    breaks_.insert({addr, kind});
    return Status::Ok();
  }
  if (len == 0 || len > (1ull << 32)) return Status::InvalidArgument("a watchpoint must cover 1 byte to 4 GiB");
  watches_.insert({kind, addr, len});
  return Status::Ok();
}

Status StopPoints::Remove(StopPointKind kind, uint64_t addr, uint64_t len) {
  if (kind == StopPointKind::kSoftware || kind == StopPointKind::kHardware) {
    breaks_.erase({addr, kind});
  } else {
    watches_.erase({kind, addr, len});
  }
  return Status::Ok();  // removing what is not there is no error (gdb retries)
}

bool StopPoints::Hit(const Hart& hart, bool breakpoints, StopEvent* event) const {
  const uint64_t pc = hart.state().pc;
  auto it = breaks_.lower_bound({pc, StopPointKind::kSoftware});
  if (breakpoints && it != breaks_.end() && it->first == pc) {
    event->kind = StopEvent::Kind::kBreakpoint;
    event->point = it->second;
    event->address = pc;
    return true;
  }
  if (watches_.empty()) return false;
  const std::optional<Access> a = NextAccess(hart);
  if (!a) return false;
  for (const Watch& w : watches_) {
    const bool wants = w.kind == StopPointKind::kWrite ? a->write
                       : w.kind == StopPointKind::kRead ? a->read
                                                         : (a->read || a->write);
    if (!wants || !Overlaps(a->addr, a->size, w.addr, w.len)) continue;
    event->kind = StopEvent::Kind::kWatchpoint;
    event->point = w.kind;
    // The watched address gdb asked for, when the access covers it; else
    // the first byte of the watch the access touches.
    event->address = a->addr > w.addr ? a->addr : w.addr;
    return true;
  }
  return false;
}

}  // namespace tapvm::gdb
