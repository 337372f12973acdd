#include "emulator/devices/virtio/virtio_mmio.h"

#include <algorithm>
#include <utility>

namespace tapvm {

namespace {

uint64_t WithHalf(uint64_t old, bool high, uint32_t v) {
  return high ? (old & 0xffffffffull) | (uint64_t{v} << 32) : (old & ~0xffffffffull) | v;
}

}  // namespace

VirtioMmio::VirtioMmio(std::string name, Bus* bus, IrqSink* irq, unsigned irq_line, VirtioDeviceModel* model)
    : name_(std::move(name)),
      bus_(bus),
      irq_(irq),
      irq_line_(irq_line),
      model_(model),
      offered_features_(model->device_features() | kTransportFeatures) {
  queues_.reserve(model->num_queues());
  for (unsigned q = 0; q < model->num_queues(); ++q) queues_.emplace_back(bus, model->queue_max_size(q));
  model_->Attach(this);
  Reset();
  irq_->SetIrq(irq_line_, false);
}

void VirtioMmio::Reset() {
  const uint32_t generation = state_.config_generation;  // keeps counting across resets
  const uint8_t irq_level = state_.irq_level;
  state_ = State{};
  state_.config_generation = generation;
  state_.irq_level = irq_level;
  for (Virtqueue& q : queues_) q.Reset();
  model_->Reset();
  UpdateIrq();
}

bool VirtioMmio::live() const {
  return (state_.status & kStatusDriverOk) && !(state_.status & (kStatusNeedsReset | kStatusFailed));
}

// ------------------------------------------------------------ registers

bool VirtioMmio::Read(uint64_t offset, unsigned size, uint64_t* value) {
  if (offset >= kConfig) {
    if (size != 1 && size != 2 && size != 4 && size != 8) return false;
    uint8_t bytes[8] = {};
    const uint64_t off = offset - kConfig;
    const uint32_t cfg_size = model_->config_size();
    if (off < cfg_size) {
      const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(size, cfg_size - off));
      model_->ReadConfig(static_cast<uint32_t>(off), std::span<uint8_t>(bytes, n));
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; ++i) v |= uint64_t{bytes[i]} << (8 * i);
    *value = v;
    return true;
  }
  if (size != 4 || offset % 4 != 0) return false;
  *value = ReadReg(static_cast<unsigned>(offset));
  return true;
}

bool VirtioMmio::Write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset >= kConfig) {
    if (size != 1 && size != 2 && size != 4 && size != 8) return false;
    const uint64_t off = offset - kConfig;
    const uint32_t cfg_size = model_->config_size();
    if (off < cfg_size) {
      uint8_t bytes[8];
      for (unsigned i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(value >> (8 * i));
      const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(size, cfg_size - off));
      model_->WriteConfig(static_cast<uint32_t>(off), std::span<const uint8_t>(bytes, n));
    }
    return true;
  }
  if (size != 4 || offset % 4 != 0) return false;
  WriteReg(static_cast<unsigned>(offset), static_cast<uint32_t>(value));
  return true;
}

uint32_t VirtioMmio::ReadReg(unsigned reg) {
  const bool have_queue = state_.queue_sel < queues_.size();
  const Virtqueue::State* qs = have_queue ? &queues_[state_.queue_sel].state() : nullptr;
  switch (reg) {
    case kMagicValue: return kMagic;
    case kVersionReg: return kVersion;
    case kDeviceId: return model_->device_id();
    case kVendorIdReg: return kVendorId;
    case kDeviceFeatures:
      return state_.device_features_sel < 2 ? static_cast<uint32_t>(offered_features_ >> (32 * state_.device_features_sel))
                                            : 0;
    case kQueueNumMax: return have_queue ? queues_[state_.queue_sel].max_size() : 0;
    case kQueueNum: return qs ? qs->size : 0;
    case kQueueReady: return qs ? qs->ready : 0;
    case kInterruptStatus: return state_.interrupt_status;
    case kStatus: return state_.status;
    case kQueueDescLow: return qs ? static_cast<uint32_t>(qs->desc_addr) : 0;
    case kQueueDescHigh: return qs ? static_cast<uint32_t>(qs->desc_addr >> 32) : 0;
    case kQueueDriverLow: return qs ? static_cast<uint32_t>(qs->driver_addr) : 0;
    case kQueueDriverHigh: return qs ? static_cast<uint32_t>(qs->driver_addr >> 32) : 0;
    case kQueueDeviceLow: return qs ? static_cast<uint32_t>(qs->device_addr) : 0;
    case kQueueDeviceHigh: return qs ? static_cast<uint32_t>(qs->device_addr >> 32) : 0;
    case kShmLenLow:
    case kShmLenHigh:
    case kShmBaseLow:
    case kShmBaseHigh: return 0xffffffffu;  // no shared memory regions
    case kConfigGeneration: return state_.config_generation;
    default: return 0;
  }
}

Virtqueue* VirtioMmio::SelectedQueueForWrite(const char* reg) {
  if (state_.queue_sel >= queues_.size()) {
    DeviceError(std::string(reg) + " written with QueueSel " + std::to_string(state_.queue_sel) +
                ", which names no queue");
    return nullptr;
  }
  return &queues_[state_.queue_sel];
}

void VirtioMmio::WriteReg(unsigned reg, uint32_t v) {
  switch (reg) {
    case kDeviceFeaturesSel: state_.device_features_sel = v; return;
    case kDriverFeaturesSel: state_.driver_features_sel = v; return;
    case kDriverFeatures:
      if (!(state_.status & kStatusFeaturesOk) && state_.driver_features_sel < 2)
        state_.driver_features = WithHalf(state_.driver_features, state_.driver_features_sel == 1, v);
      return;
    case kQueueSel: state_.queue_sel = v; return;
    case kQueueNum: {
      Virtqueue* q = SelectedQueueForWrite("QueueNum");
      if (!q || q->ready()) return;
      std::string err = q->SetSize(v);
      if (!err.empty()) DeviceError("queue " + std::to_string(state_.queue_sel) + ": " + err);
      return;
    }
    case kQueueReady: {
      Virtqueue* q = SelectedQueueForWrite("QueueReady");
      if (!q) return;
      if (v == 0) {
        q->Disable();
        return;
      }
      if (q->ready()) return;
      std::string err =
          q->Enable(NegotiatedRingFeature(kVirtioFRingIndirectDesc), NegotiatedRingFeature(kVirtioFRingEventIdx));
      if (!err.empty()) DeviceError("queue " + std::to_string(state_.queue_sel) + ": " + err);
      return;
    }
    case kQueueDescLow:
    case kQueueDescHigh:
    case kQueueDriverLow:
    case kQueueDriverHigh:
    case kQueueDeviceLow:
    case kQueueDeviceHigh: {
      Virtqueue* q = SelectedQueueForWrite("a queue address register");
      if (!q || q->ready()) return;
      const bool high = (reg & 4) != 0;
      const Virtqueue::State& s = q->state();
      if (reg <= kQueueDescHigh) q->SetDescAddr(WithHalf(s.desc_addr, high, v));
      else if (reg <= kQueueDriverHigh) q->SetDriverAddr(WithHalf(s.driver_addr, high, v));
      else q->SetDeviceAddr(WithHalf(s.device_addr, high, v));
      return;
    }
    case kQueueNotify:
      if (state_.status & (kStatusNeedsReset | kStatusFailed)) return;  // stopped until reset
      if (!(state_.status & kStatusDriverOk)) {
        DeviceError("queue " + std::to_string(v) + " notified before DRIVER_OK");
        return;
      }
      if (v >= queues_.size()) {
        DeviceError("notification for queue " + std::to_string(v) + ", which does not exist");
        return;
      }
      if (queues_[v].ready()) model_->Notify(v);
      return;
    case kInterruptAck:
      state_.interrupt_status &= ~v;
      UpdateIrq();
      return;
    case kStatus: WriteStatus(v); return;
    default: return;  // read-only, reserved, SHMSel, QueueReset (not offered)
  }
}

void VirtioMmio::WriteStatus(uint32_t v) {
  if (v == 0) {
    Reset();
    return;
  }
  const uint32_t old = state_.status;
  uint32_t next = (v & 0xff & ~kStatusNeedsReset) | (old & kStatusNeedsReset);
  if ((next & kStatusFeaturesOk) && !(old & kStatusFeaturesOk)) {
    const uint64_t f = state_.driver_features;
    if ((f & ~offered_features_) != 0 || !(f & kVirtioFVersion1)) next &= ~kStatusFeaturesOk;
  }
  state_.status = next;
  if ((next & kStatusDriverOk) && !(old & kStatusDriverOk)) {
    if (!(next & kStatusFeaturesOk)) {
      DeviceError("DRIVER_OK set without FEATURES_OK");
      return;
    }
    // Queues enabled before the features were final learn them now.
    for (Virtqueue& q : queues_)
      q.SetFeatures(NegotiatedRingFeature(kVirtioFRingIndirectDesc), NegotiatedRingFeature(kVirtioFRingEventIdx));
    model_->Activate();
  }
}

// ------------------------------------------------------------ transport

bool VirtioMmio::PopChain(unsigned q, VirtqChain* chain) {
  if (!live() || q >= queues_.size()) return false;
  std::string err;
  switch (queues_[q].Pop(chain, &err)) {
    case Virtqueue::PopResult::kChain: return true;
    case Virtqueue::PopResult::kEmpty: return false;
    case Virtqueue::PopResult::kError: break;
  }
  DeviceError("queue " + std::to_string(q) + ": " + err);
  return false;
}

void VirtioMmio::PushUsed(unsigned q, uint16_t head, uint32_t len) {
  // A chain finishing after the driver stopped its queue (QueueReady=0) is
  // dropped: the driver gave up on it.
  if (!live() || q >= queues_.size() || !queues_[q].ready()) return;
  std::string err;
  if (!queues_[q].Push(head, len, &err)) DeviceError("queue " + std::to_string(q) + ": " + err);
}

void VirtioMmio::NotifyUsed(unsigned q) {
  if (!live() || q >= queues_.size()) return;
  if (queues_[q].ShouldInterrupt()) Interrupt(kIntUsedBuffer);
}

void VirtioMmio::ConfigChanged() {
  ++state_.config_generation;
  if (state_.status & kStatusDriverOk) Interrupt(kIntConfigChange);
}

void VirtioMmio::DeviceError(std::string_view why) {
  if (state_.status & kStatusNeedsReset) return;  // the first error is the one to report
  last_error_ = std::string(why);
  state_.status |= kStatusNeedsReset;
  if (state_.status & kStatusDriverOk) Interrupt(kIntConfigChange);
}

void VirtioMmio::Interrupt(uint32_t bits) {
  state_.interrupt_status |= bits;
  UpdateIrq();
}

void VirtioMmio::UpdateIrq() {
  const uint8_t level = state_.interrupt_status != 0;
  if (level == state_.irq_level) return;
  state_.irq_level = level;
  irq_->SetIrq(irq_line_, level != 0);
}

void VirtioMmio::SaveState(StateWriter& w) const {
  const State& s = state_;
  w.Put(s.driver_features).Put(s.status).Put(s.device_features_sel).Put(s.driver_features_sel);
  w.Put(s.queue_sel).Put(s.interrupt_status).Put(s.config_generation).Put(s.irq_level);
  w.String(last_error_);
  w.Put<uint32_t>(static_cast<uint32_t>(queues_.size()));
  for (const Virtqueue& q : queues_) q.SaveState(w);
  w.Begin("model");
  model_->SaveState(w);
  w.End();
}

Status VirtioMmio::LoadState(StateReader& r) {
  State s{};
  r.Get(&s.driver_features);
  r.Get(&s.status);
  r.Get(&s.device_features_sel);
  r.Get(&s.driver_features_sel);
  r.Get(&s.queue_sel);
  r.Get(&s.interrupt_status);
  r.Get(&s.config_generation);
  r.Get(&s.irq_level);
  std::string last_error = r.String(4096);
  if (s.irq_level > 1) r.Fail("irq_level is not 0 or 1");
  if (r.Get<uint32_t>() != queues_.size() && r.ok()) r.Fail("another number of queues");
  std::vector<Virtqueue::State> qs(queues_.size());
  for (size_t i = 0; i < queues_.size() && r.ok(); ++i) queues_[i].ReadState(r, &qs[i]);
  if (!r.ok()) return r.status();
  // The model last: it changes itself only when all of it is good, and the
  // transport is changed only after that.
  r.Enter("model");
  if (!r.ok()) return r.status();
  TAPVM_RETURN_IF_ERROR(model_->LoadState(r));
  r.Leave();
  if (!r.ok()) return r.status();
  state_ = s;
  last_error_ = std::move(last_error);
  for (size_t i = 0; i < queues_.size(); ++i) queues_[i].SetState(qs[i]);
  return Status::Ok();
}

void VirtioMmio::HashState(StateHasher& h) const {
  const State& s = state_;
  h.Add(s.driver_features).Add(s.status).Add(s.device_features_sel).Add(s.driver_features_sel);
  h.Add(s.queue_sel).Add(s.interrupt_status).Add(s.config_generation).Add(s.irq_level);
  h.Add(queues_.size());
  for (const Virtqueue& q : queues_) q.HashState(h);
  model_->HashState(h);
}

}  // namespace tapvm
