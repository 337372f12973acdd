#include "emulator/devices/clint.h"

namespace tapvm {

Clint::Clint(HartPort* hart) : hart_(hart) { Reset(); }

void Clint::Reset() {
  state_ = State{};
  // mtime restarts from 0 at reset, whatever the hart's clock says.
  state_.mtime_offset = 0 - hart_->Mtime();
  for (unsigned h = 0; h < kNumHarts; ++h) {
    hart_->SetInterruptLine(kMipMSIP, false);
    state_.mtip[h] = GuestMtime(hart_->Mtime()) >= state_.mtimecmp[h];
    hart_->SetInterruptLine(kMipMTIP, state_.mtip[h] != 0);
  }
}

uint64_t Clint::Merge(uint64_t old, unsigned lane, unsigned size, uint64_t value) {
  if (size == 8) return value;
  const unsigned shift = lane * 8;
  const uint64_t mask = 0xffffffffull << shift;
  return (old & ~mask) | ((value & 0xffffffffull) << shift);
}

bool Clint::Read(uint64_t offset, unsigned size, uint64_t* value) {
  *value = 0;
  if (offset >= kDecodedEnd || size == 0 || (offset & (size - 1)) != 0) return false;
  if (offset < kMtimecmpBase) {
    if (size != 4) return false;
    const uint64_t h = (offset - kMsipBase) / 4;
    if (h < kNumHarts) *value = state_.msip[h];
    return true;
  }
  if (size != 4 && size != 8) return false;
  const unsigned lane = offset & 7;
  uint64_t reg = 0;
  if (offset >= kMtimeOffset) {
    reg = GuestMtime(hart_->Mtime());
  } else {
    const uint64_t h = (offset - kMtimecmpBase) / 8;
    if (h >= kNumHarts) return true;  // absent hart: reads 0
    reg = state_.mtimecmp[h];
  }
  *value = size == 8 ? reg : (reg >> (lane * 8)) & 0xffffffffull;
  return true;
}

bool Clint::Write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset >= kDecodedEnd || size == 0 || (offset & (size - 1)) != 0) return false;
  if (offset < kMtimecmpBase) {
    if (size != 4) return false;
    const uint64_t h = (offset - kMsipBase) / 4;
    if (h >= kNumHarts) return true;
    const uint32_t bit = value & 1;
    if (bit != state_.msip[h]) {
      state_.msip[h] = bit;
      hart_->SetInterruptLine(kMipMSIP, bit != 0);
    }
    return true;
  }
  if (size != 4 && size != 8) return false;
  const unsigned lane = offset & 7;
  const uint64_t now = hart_->Mtime();
  if (offset >= kMtimeOffset) {
    const uint64_t guest = Merge(GuestMtime(now), lane, size, value);
    state_.mtime_offset = guest - now;
  } else {
    const uint64_t h = (offset - kMtimecmpBase) / 8;
    if (h >= kNumHarts) return true;
    state_.mtimecmp[h] = Merge(state_.mtimecmp[h], lane, size, value);
  }
  UpdateTimer(now);
  return true;
}

void Clint::UpdateTimer(uint64_t hart_mtime) {
  const uint64_t guest = GuestMtime(hart_mtime);
  for (unsigned h = 0; h < kNumHarts; ++h) {
    const uint8_t level = guest >= state_.mtimecmp[h];
    if (level != state_.mtip[h]) {
      state_.mtip[h] = level;
      hart_->SetInterruptLine(kMipMTIP, level != 0);
    }
  }
}

void Clint::Tick(uint64_t mtime) { UpdateTimer(mtime); }

uint64_t Clint::NextDeadline(uint64_t mtime) const {
  const uint64_t guest = GuestMtime(mtime);
  uint64_t best = UINT64_MAX;
  for (unsigned h = 0; h < kNumHarts; ++h) {
    // Already at or past mtimecmp: MTIP stays high until software moves
    // mtimecmp or mtime, which re-evaluates on the write itself.
    if (guest >= state_.mtimecmp[h]) continue;
    const uint64_t wait = state_.mtimecmp[h] - guest;
    // A deadline beyond the end of the hart's clock is never reached.
    if (wait > UINT64_MAX - mtime) continue;
    if (mtime + wait < best) best = mtime + wait;
  }
  return best;
}

void Clint::HashState(StateHasher& h) const {
  h.AddAll(std::span<const uint64_t>(state_.mtimecmp)).Add(state_.mtime_offset);
  h.AddAll(std::span<const uint32_t>(state_.msip)).AddAll(std::span<const uint8_t>(state_.mtip));
}

void Clint::SaveState(StateWriter& w) const {
  w.Put<uint32_t>(kNumHarts);
  for (unsigned i = 0; i < kNumHarts; ++i) w.Put(state_.mtimecmp[i]).Put(state_.msip[i]).Put(state_.mtip[i]);
  w.Put(state_.mtime_offset);
}

Status Clint::LoadState(StateReader& r) {
  State s{};
  if (r.Get<uint32_t>() != kNumHarts && r.ok()) r.Fail("another number of harts");
  for (unsigned i = 0; i < kNumHarts; ++i) {
    r.Get(&s.mtimecmp[i]);
    r.Get(&s.msip[i]);
    r.Get(&s.mtip[i]);
    if (s.msip[i] > 1 || s.mtip[i] > 1) r.Fail("msip or mtip is not 0 or 1");
  }
  r.Get(&s.mtime_offset);
  if (!r.ok()) return r.status();
  state_ = s;
  return Status::Ok();
}

}  // namespace tapvm
