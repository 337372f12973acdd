// A test machine for the checkpoint tests: a board with every kind of
// device (CLINT, PLIC, UART and console, finisher, debug-exit, virtio-blk
// behind a throttled drive, virtio-net, virtio-rng, the block throttles), a
// fake tap the test feeds inputs through, and a guest program that keeps
// storing to RAM. Drive() brings every device into a state worth saving:
// virtqueues mid-use, block requests in flight and held by the throttle,
// received frames waiting for buffers, an entropy request outstanding, the
// UART FIFO holding bytes with more waiting in the console, a timer armed,
// a PLIC source claimed and another pending.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "emulator/block/block_throttles.h"
#include "emulator/devices/virtio/virtio_blk.h"
#include "emulator/devices/virtio/virtio_net.h"
#include "emulator/devices/virtio/virtio_rng.h"
#include "emulator/machine/board.h"
#include "tests/unit/rv_asm.h"
#include "tests/unit/virtio_test_harness.h"

namespace tapvm::ckpt_test {

using namespace tapvm::virtio_test;
using namespace tapvm::test;

constexpr uint64_t kProgram = kRamBase + 0x300000;
constexpr uint64_t kData = kRamBase + 0x200000;  // four pages the program stores to

inline uint32_t Slli(uint32_t rd, uint32_t rs1, unsigned sh) { return IType(static_cast<int32_t>(sh), rs1, 1, rd, 0x13); }

// Stores a counter to one of four pages in turn and adds it to the first
// with an AMO, forever.
inline std::vector<uint32_t> StoreLoop() {
  return {Addi(5, 0, 1), Slli(5, 5, 31), Lui(6, 0x200), Add(5, 5, 6), Addi(7, 0, 0),
          // loop:
          Addi(7, 7, 1), Andi(8, 7, 3), Slli(8, 8, 12), Add(8, 8, 5), Sd(7, 8, 0), AmoaddD(9, 7, 5), Jal(0, -24)};
}

struct Machine {
  explicit Machine(EngineKind engine = EngineKind::kInterpreter) {
    BoardConfig cfg;
    cfg.ram_size = kRamSize;
    cfg.hart.engine = engine;
    cfg.hart.jit_hot_after = 1;
    cfg.digest_interval = 5000;
    EXPECT_TRUE(Board::Create(cfg, &tap, &board).ok());
    auto throttles = std::make_unique<BlockThrottles>(&board->hart(), &tap, Board::kTimebaseHz);
    BlockThrottles* th = throttles.get();
    board->AddTimedModel(std::move(throttles));
    TapDeviceId id = 0;
    VirtioBlk::Options bo;
    bo.capacity_sectors = 2048;
    bo.throttles = th;
    EXPECT_TRUE(board->AddVirtio("virtio-blk0", [&](TapDeviceId d, EventTap* t) {
      auto m = std::make_unique<VirtioBlk>(d, t, bo);
      blk = m.get();
      return m;
    }, &blk_id).ok());
    ThrottleConfig tc;
    tc.limits.bucket[ThrottleLimits::kIopsTotal].avg = 1;  // one request a second: the rest are held
    th->AddDrive(blk_id, "drive0", tc);
    EXPECT_TRUE(board->AddVirtio("virtio-net0", [&](TapDeviceId d, EventTap* t) {
      auto m = std::make_unique<VirtioNet>(d, t, VirtioNet::Options{});
      net = m.get();
      return m;
    }, &net_id).ok());
    EXPECT_TRUE(board->AddVirtio("virtio-rng", [&](TapDeviceId d, EventTap* t) {
      auto m = std::make_unique<VirtioRng>(d, t);
      rng = m.get();
      return m;
    }, &id).ok());
    rng_id = id;
    mem = std::make_unique<GuestMemory>(board->bus());
    const std::vector<uint32_t> prog = StoreLoop();
    std::memcpy(board->bus().HostPtrForWrite(kProgram, prog.size() * 4), prog.data(), prog.size() * 4);
    board->hart().state().pc = kProgram;
    board->hart().FlushCaches();
  }

  VirtioMmio* transport(unsigned slot) { return static_cast<VirtioMmio*>(board->virtio_device(slot)); }
  void Mmio(uint64_t addr, uint32_t v, unsigned size = 4) { EXPECT_TRUE(board->bus().Write(addr, size, v)); }
  uint64_t MmioRead(uint64_t addr, unsigned size = 4) {
    uint64_t v = 0;
    EXPECT_TRUE(board->bus().Read(addr, size, &v));
    return v;
  }
  void Run(uint64_t insns) { board->Run(board->hart().state().icount + insns); }

  // Everything Drive does, in one deterministic order; a second machine
  // given the same calls is in the same state.
  void Drive() {
    // PLIC: sources 1..3 (the virtio slots) enabled for the S context.
    for (unsigned s = 1; s <= 3; ++s) Mmio(Board::kPlicBase + 4 * s, s);
    Mmio(Board::kPlicBase + 0x2000 + 0x80, 0xe);
    // CLINT: a timer armed in the future, a software interrupt raised.
    Mmio(Board::kClintBase + 0x4000, 1000000);
    Mmio(Board::kClintBase, 1);
    // UART: FIFO on, receive interrupt on; 20 console bytes: 16 in the
    // FIFO, 4 waiting in the console.
    Mmio(Board::kUart0Base + Uart16550::kFcr, 0xc1, 1);
    Mmio(Board::kUart0Base + Uart16550::kIer, 1, 1);
    Mmio(Board::kUart0Base + Uart16550::kScr, 0x5a, 1);
    std::vector<uint8_t> text(20);
    for (size_t i = 0; i < text.size(); ++i) text[i] = static_cast<uint8_t>('a' + i);
    tap.Inject(Board::kConsoleTapId, ConsoleIn{Board::kConsoleTapId, text});
    Run(3000);

    // virtio-blk: three reads, a write and a flush; the throttle lets one
    // through at a time.
    GuestDriver bd(mem.get(), transport(0));
    ASSERT_TRUE(bd.Negotiate(~0ull));
    blk_ring = bd.SetupQueue(0, 16, kRamBase + 0x10000);
    bd.DriverOk();
    for (int i = 0; i < 5; ++i) {
      const uint64_t hdr = kBufBase + 0x1000 * i, data = hdr + 0x100, status = hdr + 0x900;
      const uint32_t type = i == 3 ? VirtioBlk::kTOut : i == 4 ? VirtioBlk::kTFlush : VirtioBlk::kTIn;
      mem->Put<uint32_t>(hdr, type);
      mem->Put<uint64_t>(hdr + 8, 8 * i);
      std::vector<GuestRing::Buf> bufs = {{hdr, 16, false}};
      if (type != VirtioBlk::kTFlush) bufs.push_back({data, 512, type == VirtioBlk::kTIn});
      bufs.push_back({status, 1, true});
      blk_ring.AddChain(bufs);
    }
    bd.Kick(0);
    Run(2000);
    // virtio-net: two receive buffers, three frames (one waits), a frame sent.
    GuestDriver nd(mem.get(), transport(1));
    ASSERT_TRUE(nd.Negotiate(~0ull));
    net_rx = nd.SetupQueue(0, 8, kRamBase + 0x20000);
    net_tx = nd.SetupQueue(1, 8, kRamBase + 0x28000);
    nd.DriverOk();
    for (int i = 0; i < 2; ++i) net_rx.AddChain({{kBufBase + 0x10000 + 0x1000 * i, 2048, true}});
    nd.Kick(0);
    for (int i = 0; i < 3; ++i)
      tap.Inject(net_id, NetFrameIn{net_id, std::vector<uint8_t>(60 + i, static_cast<uint8_t>(0x10 + i))});
    mem->Write(kBufBase + 0x14000, std::vector<uint8_t>(12 + 60, 0x77));
    net_tx.AddChain({{kBufBase + 0x14000, 12 + 60, false}});
    nd.Kick(1);
    Run(2000);
    // virtio-rng: two buffers; one request outstanding.
    GuestDriver rd(mem.get(), transport(2));
    ASSERT_TRUE(rd.Negotiate(~0ull));
    rng_ring = rd.SetupQueue(0, 8, kRamBase + 0x30000);
    rd.DriverOk();
    rng_ring.AddChain({{kBufBase + 0x18000, 32, true}});
    rng_ring.AddChain({{kBufBase + 0x19000, 16, true}});
    rd.Kick(0);
    // Claim the highest pending source on the S context; others stay pending.
    claimed = static_cast<uint32_t>(MmioRead(Board::kPlicBase + 0x201004));
    Run(1000);
  }

  // What happens next, the same on every machine that was Drive()n or
  // restored from one that was: completions, entropy, frames, the claim
  // completed, guest time passing (the throttle releases the next
  // request), more console input.
  // `requests`: the block requests in flight at the checkpoint (the
  // first machine's tap saw them; a restored one's never did).
  void GoOn(const std::vector<BlockRequest>& requests) {
    for (const BlockRequest& r : requests) {
      BlockCompletion c;
      c.dev = r.dev;
      c.id = r.id;
      if (r.type == BlockRequest::Type::kRead) c.data.assign(r.length, static_cast<uint8_t>(r.id));
      tap.Inject(blk_id, c);
    }
    tap.Inject(rng_id, EntropyIn{rng_id, std::vector<uint8_t>(32, 0xab)});
    net_rx.AddChain({{kBufBase + 0x12000, 2048, true}});
    GuestDriver(mem.get(), transport(1)).Kick(0);
    Mmio(Board::kPlicBase + 0x201004, claimed);
    Run(50000);
    WarpSeconds(3);  // the throttle lets the held requests go
    Run(1000);
    tap.Inject(Board::kConsoleTapId, ConsoleIn{Board::kConsoleTapId, {'x', 'y'}});
    Run(1000);
  }
  // The guest driver's bookkeeping, which a real guest keeps in its RAM
  // but the test keeps here: a restored machine takes it from the
  // checkpoint's time.
  struct DriverState {
    GuestRing blk, rx, tx, rng;
    uint32_t claimed = 0;
  };
  DriverState driver() const { return {blk_ring, net_rx, net_tx, rng_ring, claimed}; }
  void set_driver(const DriverState& d) {
    blk_ring = d.blk, net_rx = d.rx, net_tx = d.tx, rng_ring = d.rng, claimed = d.claimed;
    for (GuestRing* r : {&blk_ring, &net_rx, &net_tx, &rng_ring}) r->mem_ = mem.get();
  }
  void WarpSeconds(uint64_t s) { board->hart().WarpTo(board->hart().Mtime() + s * Board::kTimebaseHz); }

  FakeTap tap;
  std::unique_ptr<Board> board;
  std::unique_ptr<GuestMemory> mem;
  VirtioBlk* blk = nullptr;
  VirtioNet* net = nullptr;
  VirtioRng* rng = nullptr;
  TapDeviceId blk_id = 0, net_id = 0, rng_id = 0;
  GuestRing blk_ring, net_rx, net_tx, rng_ring;
  uint32_t claimed = 0;
};

// The payload of each top-level section of `bytes` (a checkpoint's device
// part), by name, in order.
inline std::vector<std::pair<std::string, std::vector<uint8_t>>> Sections(const std::vector<uint8_t>& bytes) {
  std::vector<std::pair<std::string, std::vector<uint8_t>>> out;
  StateReader r(bytes, "test");
  while (r.ok() && !r.at_end()) {
    std::string name = r.PeekSection();
    r.Enter(name);
    std::vector<uint8_t> payload(r.remaining());
    r.Raw(payload.data(), payload.size());
    r.Leave();
    out.emplace_back(std::move(name), std::move(payload));
  }
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return out;
}

}  // namespace tapvm::ckpt_test
