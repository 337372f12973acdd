// libFuzzer target for the virtio device side: hostile rings and hostile
// register sequences must never crash, touch host memory outside guest RAM,
// or hand back a chain that breaks the Virtqueue contract.
//
// Build and run (clang with libFuzzer; not part of the CMake build):
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//     tests/fuzz/virtqueue_fuzz.cc emulator/devices/virtio/*.cc \
//     emulator/machine/bus.cc emulator/base/status.cc -o /tmp/virtqueue_fuzz
//   /tmp/virtqueue_fuzz -max_total_time=60 -max_len=4096
//
// The first input byte picks a mode:
//   even: ring mode. The rest of the input is copied over the rings of one
//         Virtqueue (and the memory after them); chains are popped, checked
//         against the contract, copied through and pushed back.
//   odd:  register mode. The rest is a program of MMIO register accesses,
//         guest memory writes, notifications and block completions against
//         a VirtioBlk behind a VirtioMmio.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <vector>

#include "emulator/devices/virtio/virtio_blk.h"
#include "emulator/devices/virtio/virtio_mmio.h"
#include "emulator/devices/virtio/virtqueue.h"
#include "emulator/machine/bus.h"

namespace tapvm {
namespace {

constexpr uint64_t kRam = 0x80000000;
constexpr uint64_t kRamSize = 0x10000;
constexpr uint64_t kRom = 0x80010000;  // adjacent read-only page: writable buffers must not spill into it
constexpr uint64_t kRomSize = 0x1000;

#define FUZZ_CHECK(c) \
  do {                \
    if (!(c)) abort(); \
  } while (0)

class Reader {
 public:
  Reader(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  bool empty() const { return n_ == 0; }
  template <typename T>
  T Get() {
    T v{};
    const size_t k = n_ < sizeof v ? n_ : sizeof v;
    std::memcpy(&v, p_, k);
    p_ += k;
    n_ -= k;
    return v;
  }
  const uint8_t* data() const { return p_; }
  size_t size() const { return n_; }

 private:
  const uint8_t* p_;
  size_t n_;
};

struct Machine {
  Machine() {
    FUZZ_CHECK(bus.AddMemory(kRam, kRamSize, true).ok());
    FUZZ_CHECK(bus.AddMemory(kRom, kRomSize, false).ok());
  }
  Bus bus;
};

void RingMode(Reader in) {
  Machine m;
  const uint8_t cfg = in.Get<uint8_t>();
  const uint16_t size = static_cast<uint16_t>(1u << (cfg % 9));  // 1..256
  Virtqueue vq(&m.bus, 256);
  FUZZ_CHECK(vq.SetSize(size).empty());
  vq.SetDescAddr(kRam);
  vq.SetDriverAddr(kRam + 0x1000);
  vq.SetDeviceAddr(kRam + 0x2000);
  FUZZ_CHECK(vq.Enable(cfg & 0x10, cfg & 0x20).empty());
  const size_t n = in.size() < kRamSize ? in.size() : kRamSize;
  std::memcpy(m.bus.HostPtrForWrite(kRam, n), in.data(), n);
  if (cfg & 0x40) {
    // Fold the buffer addresses of the descriptor table and of a would-be
    // indirect table at +0x3000 onto RAM, the ROM after it and a little
    // beyond, so that most chains get past the address checks.
    for (uint64_t table : {kRam, kRam + 0x3000}) {
      for (int i = 0; i < 256; ++i) {
        uint8_t* d = m.bus.HostPtrForWrite(table + 16 * i, 8);
        uint64_t a;
        std::memcpy(&a, d, 8);
        a = kRam + a % (kRamSize + kRomSize + 0x100);
        std::memcpy(d, &a, 8);
      }
    }
  }

  VirtqChain chain;
  std::string error;
  std::vector<uint8_t> scratch;
  for (int i = 0; i < 2 * size + 4; ++i) {
    const Virtqueue::PopResult r = vq.Pop(&chain, &error);
    if (r != Virtqueue::PopResult::kChain) break;
    FUZZ_CHECK(chain.head < size);
    FUZZ_CHECK(chain.segments.size() <= size + Virtqueue::kMaxIndirectEntries);
    bool seen_writable = false;
    uint64_t readable = 0, writable = 0;
    for (const VirtqSegment& s : chain.segments) {
      const Bus::MemoryRegion* region = m.bus.FindMemory(s.gpa, s.len);
      FUZZ_CHECK(region != nullptr);
      FUZZ_CHECK(!s.writable || region->writable());
      FUZZ_CHECK(s.writable || !seen_writable);
      seen_writable |= s.writable;
      (s.writable ? writable : readable) += s.len;
    }
    FUZZ_CHECK(readable == chain.readable_bytes && writable == chain.writable_bytes);
    scratch.resize(readable < 0x20000 ? readable : 0x20000);
    FUZZ_CHECK(chain.CopyFrom(m.bus, 0, scratch) == scratch.size());
    scratch.assign(writable < 0x20000 ? writable : 0x20000, 0x5a);
    FUZZ_CHECK(chain.CopyTo(m.bus, 0, scratch) == scratch.size());
    if (i % 3 != 2) FUZZ_CHECK(vq.Push(chain.head, static_cast<uint32_t>(writable), &error));
    vq.ShouldInterrupt();
  }
}

class FuzzIrq : public IrqSink {
 public:
  void SetIrq(unsigned, bool level) override { this->level = level; }
  bool level = false;
};

class FuzzTap : public EventTap {
 public:
  void AttachDevice(TapDeviceId, TapInputSink* s) override { sink = s; }
  void SubmitBlock(BlockRequest r) override {
    if (requests.size() < 1024) requests.push_back(std::move(r));
  }
  void TransmitFrame(TapDeviceId, std::span<const uint8_t>) override {}
  void RequestEntropy(TapDeviceId, uint32_t) override {}
  void ConsoleOutput(TapDeviceId, std::span<const uint8_t>) override {}
  unsigned DeliverDue(uint64_t) override { return 0; }
  TapInputSink* sink = nullptr;
  std::deque<BlockRequest> requests;
};

void RegisterMode(Reader in) {
  Machine m;
  FuzzIrq irq;
  FuzzTap tap;
  VirtioBlk::Options opts;
  opts.capacity_sectors = 64;
  opts.id = "fuzz";
  opts.max_bytes_in_flight = 8192;  // small, so the deferral path runs
  VirtioBlk blk(0, &tap, opts);
  VirtioMmio dev("virtio0", &m.bus, &irq, 1, &blk);
  auto wr = [&](unsigned off, uint32_t v) { dev.Write(off, 4, v); };
  auto put = [&](uint64_t gpa, const void* p, size_t n) { std::memcpy(m.bus.HostPtrForWrite(gpa, n), p, n); };
  // The driver side of a 16-entry queue at kRam (as op 4 sets it up).
  constexpr uint16_t kQ = 16;
  uint16_t next_desc = 0, avail_idx = 0;
  auto set_desc = [&](uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    uint8_t d[16];
    std::memcpy(d, &addr, 8);
    std::memcpy(d + 8, &len, 4);
    std::memcpy(d + 12, &flags, 2);
    std::memcpy(d + 14, &next, 2);
    put(kRam + 16ull * (i % kQ), d, 16);
  };
  for (int steps = 0; !in.empty() && steps < 4096; ++steps) {
    const uint8_t op = in.Get<uint8_t>();
    switch (op % 8) {
      case 0: {  // any access, any width
        const uint16_t off = in.Get<uint16_t>() % VirtioMmio::kSize;
        const unsigned size = 1u << (op >> 3 & 3);
        uint64_t v = in.Get<uint64_t>();
        if (op & 0x80) dev.Write(off, size, v);
        else dev.Read(off, size, &v);
        break;
      }
      case 1: {  // guest memory
        const uint16_t off = in.Get<uint16_t>() % (kRamSize - 8);
        const uint64_t v = in.Get<uint64_t>();
        std::memcpy(m.bus.HostPtrForWrite(kRam + off, 8), &v, 8);
        break;
      }
      case 2: wr(VirtioMmio::kQueueNotify, in.Get<uint8_t>() % 3); break;
      case 3: {  // complete the oldest request
        if (tap.requests.empty()) break;
        BlockRequest r = std::move(tap.requests.front());
        tap.requests.pop_front();
        BlockCompletion c;
        c.dev = r.dev;
        c.id = (op & 0x80) ? in.Get<uint8_t>() : r.id;
        c.status = static_cast<BlockCompletion::Status>(in.Get<uint8_t>() % 3);
        if (r.type == BlockRequest::Type::kRead) c.data.assign((op & 0x40) ? r.length / 2 : r.length, 0xa5);
        tap.sink->OnInput(c);
        break;
      }
      case 7: {  // a plausible block request: header, 0..3 data buffers, status
        static constexpr uint32_t kTypes[8] = {0, 1, 4, 8, 11, 13, 10, 0xffffffff};
        const uint8_t t = in.Get<uint8_t>();
        const uint32_t type = kTypes[t % 8];
        const uint64_t sector = in.Get<uint8_t>() % 80;
        const unsigned nbuf = (t >> 3) % 4;
        const uint64_t hdr = kRam + 0x4000 + 0x40ull * (next_desc % kQ);
        uint8_t h[16] = {};
        std::memcpy(h, &type, 4);
        std::memcpy(h + 8, &sector, 8);
        put(hdr, h, 16);
        const bool data_writable = type == 0 || type == 8 || (t & 0x80);
        const uint16_t head = next_desc;
        set_desc(next_desc, hdr, 16, 1, static_cast<uint16_t>((next_desc + 1) % kQ));
        ++next_desc;
        for (unsigned i = 0; i < nbuf; ++i) {
          const uint32_t len = (in.Get<uint8_t>() % 5) * 256 + ((t & 0x40) ? 16 : 0);
          set_desc(next_desc, kRam + 0x6000 + 0x800ull * i, len, data_writable ? 3 : 1,
                   static_cast<uint16_t>((next_desc + 1) % kQ));
          ++next_desc;
        }
        set_desc(next_desc, hdr + 0x20, 1, 2, 0);
        ++next_desc;
        put(kRam + 0x1000 + 4 + 2 * (avail_idx % kQ), &head, 2);
        ++avail_idx;
        put(kRam + 0x1000 + 2, &avail_idx, 2);
        break;
      }
      case 4: {  // a Linux-like bring-up with the rings at fixed places
        next_desc = avail_idx = 0;
        std::memset(m.bus.HostPtrForWrite(kRam, 0x3000), 0, 0x3000);
        wr(VirtioMmio::kStatus, 0);
        wr(VirtioMmio::kStatus, 3);
        wr(VirtioMmio::kDriverFeaturesSel, 1);
        wr(VirtioMmio::kDriverFeatures, 1);
        wr(VirtioMmio::kDriverFeaturesSel, 0);
        wr(VirtioMmio::kDriverFeatures, in.Get<uint32_t>());
        wr(VirtioMmio::kStatus, 11);
        wr(VirtioMmio::kQueueSel, 0);
        wr(VirtioMmio::kQueueNum, 16);
        wr(VirtioMmio::kQueueDescLow, static_cast<uint32_t>(kRam));
        wr(VirtioMmio::kQueueDriverLow, static_cast<uint32_t>(kRam + 0x1000));
        wr(VirtioMmio::kQueueDeviceLow, static_cast<uint32_t>(kRam + 0x2000));
        wr(VirtioMmio::kQueueReady, 1);
        wr(VirtioMmio::kStatus, 15);
        break;
      }
      case 5: {  // an interrupt handler
        uint64_t v = 0;
        dev.Read(VirtioMmio::kInterruptStatus, 4, &v);
        wr(VirtioMmio::kInterruptAck, static_cast<uint32_t>(v));
        FUZZ_CHECK(!irq.level);
        break;
      }
      case 6: {  // a burst of ring bytes
        const uint16_t off = in.Get<uint16_t>() % 0x3000;
        const size_t n = in.size() < 64 ? in.size() : 64;
        std::memcpy(m.bus.HostPtrForWrite(kRam + off, n), in.data(), n);
        for (size_t i = 0; i < n; ++i) in.Get<uint8_t>();
        break;
      }
    }
    FUZZ_CHECK(irq.level == (dev.state().interrupt_status != 0));
  }
}

}  // namespace
}  // namespace tapvm

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  tapvm::Reader in(data + 1, size - 1);
  if (data[0] % 2 == 0) tapvm::RingMode(in);
  else tapvm::RegisterMode(in);
  return 0;
}
