#include "emulator/devices/plic.h"

#include <algorithm>
#include <bit>

namespace tapvm {

namespace {
constexpr uint64_t kContextLines[Plic::kNumContexts] = {kMipMEIP, kMipSEIP};

bool TestBit(const uint32_t* bits, unsigned i) { return (bits[i / 32] >> (i % 32)) & 1; }
void PutBit(uint32_t* bits, unsigned i, bool v) {
  const uint32_t m = 1u << (i % 32);
  bits[i / 32] = v ? (bits[i / 32] | m) : (bits[i / 32] & ~m);
}
}  // namespace

Plic::Plic(HartPort* hart, unsigned num_sources)
    : hart_(hart), num_sources_(std::clamp(num_sources, 1u, kMaxSources)) {
  Reset();
}

void Plic::Reset() {
  state_ = State{};
  for (unsigned ctx = 0; ctx < kNumContexts; ++ctx) hart_->SetInterruptLine(kContextLines[ctx], false);
}

uint32_t Plic::WordMask(unsigned w) const {
  if (w >= NumWords()) return 0;
  uint32_t m = ~0u;
  const unsigned end = num_sources_ - w * 32;  // sources in this word
  if (end < 32) m = (1u << end) - 1;
  if (w == 0) m &= ~1u;  // source 0 does not exist
  return m;
}

unsigned Plic::Best(unsigned ctx) const {
  unsigned best = 0;
  uint32_t best_prio = state_.threshold[ctx];
  for (unsigned w = 0; w < NumWords(); ++w) {
    uint32_t cand = state_.pending[w] & state_.enable[ctx][w];
    while (cand != 0) {
      const unsigned bit = std::countr_zero(cand);
      cand &= cand - 1;
      const unsigned src = w * 32 + bit;
      // Strictly greater: ties keep the lower id found first.
      if (state_.priority[src] > best_prio) {
        best = src;
        best_prio = state_.priority[src];
      }
    }
  }
  return best;
}

void Plic::UpdatePending(unsigned source) {
  PutBit(state_.pending, source, TestBit(state_.line, source) && !TestBit(state_.in_service, source));
}

void Plic::UpdateOutputs() {
  for (unsigned ctx = 0; ctx < kNumContexts; ++ctx) {
    const uint8_t level = Best(ctx) != 0;
    if (level != state_.output[ctx]) {
      state_.output[ctx] = level;
      hart_->SetInterruptLine(kContextLines[ctx], level != 0);
    }
  }
}

void Plic::SetIrq(unsigned line, bool level) {
  if (line == 0 || line >= num_sources_) return;
  if (TestBit(state_.line, line) == level) return;
  PutBit(state_.line, line, level);
  UpdatePending(line);
  UpdateOutputs();
}

uint32_t Plic::Claim(unsigned ctx) {
  const unsigned src = Best(ctx);
  if (src != 0) {
    PutBit(state_.in_service, src, true);
    UpdatePending(src);
    UpdateOutputs();
  }
  return src;
}

void Plic::Complete(uint32_t source) {
  if (source == 0 || source >= num_sources_ || !TestBit(state_.in_service, source)) return;
  PutBit(state_.in_service, source, false);
  UpdatePending(source);
  UpdateOutputs();
}

bool Plic::Read(uint64_t offset, unsigned size, uint64_t* value) {
  *value = 0;
  if (size != 4 || (offset & 3) != 0 || offset >= kSize) return false;
  if (offset < kPendingBase) {
    const uint64_t src = offset / 4;
    if (src < num_sources_) *value = state_.priority[src];
  } else if (offset < kEnableBase) {
    const uint64_t w = (offset - kPendingBase) / 4;
    if (w < NumWords()) *value = state_.pending[w];
  } else if (offset < kContextBase) {
    const uint64_t ctx = (offset - kEnableBase) / kEnableStride;
    const uint64_t w = (offset - kEnableBase) % kEnableStride / 4;
    if (ctx < kNumContexts && w < NumWords()) *value = state_.enable[ctx][w];
  } else {
    const uint64_t ctx = (offset - kContextBase) / kContextStride;
    const uint64_t reg = (offset - kContextBase) % kContextStride;
    if (ctx < kNumContexts) {
      if (reg == 0) *value = state_.threshold[ctx];
      if (reg == 4) *value = Claim(static_cast<unsigned>(ctx));
    }
  }
  return true;
}

bool Plic::Write(uint64_t offset, unsigned size, uint64_t value) {
  if (size != 4 || (offset & 3) != 0 || offset >= kSize) return false;
  const uint32_t v = static_cast<uint32_t>(value);
  if (offset < kPendingBase) {
    const uint64_t src = offset / 4;
    if (src != 0 && src < num_sources_) {
      state_.priority[src] = v & kPriorityMask;
      UpdateOutputs();
    }
  } else if (offset < kEnableBase) {
    // Pending bits are read-only.
  } else if (offset < kContextBase) {
    const uint64_t ctx = (offset - kEnableBase) / kEnableStride;
    const uint64_t w = (offset - kEnableBase) % kEnableStride / 4;
    if (ctx < kNumContexts && w < NumWords()) {
      state_.enable[ctx][w] = v & WordMask(static_cast<unsigned>(w));
      UpdateOutputs();
    }
  } else {
    const uint64_t ctx = (offset - kContextBase) / kContextStride;
    const uint64_t reg = (offset - kContextBase) % kContextStride;
    if (ctx < kNumContexts) {
      if (reg == 0) {
        state_.threshold[ctx] = v & kPriorityMask;
        UpdateOutputs();
      } else if (reg == 4) {
        Complete(v);
      }
    }
  }
  return true;
}

void Plic::HashState(StateHasher& h) const {
  h.Add(num_sources_).AddAll(std::span<const uint32_t>(state_.priority));
  h.AddAll(std::span<const uint32_t>(state_.line)).AddAll(std::span<const uint32_t>(state_.pending));
  h.AddAll(std::span<const uint32_t>(state_.in_service));
  for (const auto& e : state_.enable) h.AddAll(std::span<const uint32_t>(e));
  h.AddAll(std::span<const uint32_t>(state_.threshold)).AddAll(std::span<const uint8_t>(state_.output));
}

// Only the words of the sources that exist are saved (the rest stay 0).
void Plic::SaveState(StateWriter& w) const {
  w.Put<uint32_t>(num_sources_);
  for (unsigned s = 0; s < num_sources_; ++s) w.Put(state_.priority[s]);
  for (unsigned i = 0; i < NumWords(); ++i) {
    w.Put(state_.line[i]).Put(state_.pending[i]).Put(state_.in_service[i]);
    for (unsigned c = 0; c < kNumContexts; ++c) w.Put(state_.enable[c][i]);
  }
  for (unsigned c = 0; c < kNumContexts; ++c) w.Put(state_.threshold[c]).Put(state_.output[c]);
}

Status Plic::LoadState(StateReader& r) {
  const uint32_t n = r.Get<uint32_t>();
  if (r.ok() && n != num_sources_) r.Fail("the PLIC has " + std::to_string(num_sources_) + " sources, not " + std::to_string(n));
  if (!r.ok()) return r.status();
  State s{};
  for (unsigned i = 0; i < num_sources_; ++i) {
    r.Get(&s.priority[i]);
    if (s.priority[i] > kPriorityMask) r.Fail("priority above 7");
  }
  for (unsigned i = 0; i < NumWords(); ++i) {
    const uint32_t mask = WordMask(i);
    r.Get(&s.line[i]);
    r.Get(&s.pending[i]);
    r.Get(&s.in_service[i]);
    for (unsigned c = 0; c < kNumContexts; ++c) r.Get(&s.enable[c][i]);
    bool bad = ((s.line[i] | s.pending[i] | s.in_service[i]) & ~mask) != 0;
    for (unsigned c = 0; c < kNumContexts; ++c) bad |= (s.enable[c][i] & ~mask) != 0;
    if (bad) r.Fail("bits set for sources that do not exist");
  }
  for (unsigned c = 0; c < kNumContexts; ++c) {
    r.Get(&s.threshold[c]);
    r.Get(&s.output[c]);
    if (s.threshold[c] > kPriorityMask || s.output[c] > 1) r.Fail("a threshold above 7 or an output level not 0/1");
  }
  if (!r.ok()) return r.status();
  state_ = s;
  return Status::Ok();
}

}  // namespace tapvm
