// Board::ComputeDigest: RAM is digested by content (untouched pages are not
// read, and a touched page of zeros counts like an untouched one), every
// guest write path marks the pages it writes, and device state is part of
// the digest.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "emulator/base/state_hasher.h"
#include "emulator/machine/board.h"
#include "emulator/tap/minimal_tap.h"
#include "tests/unit/program_board.h"
#include "tests/unit/rv_asm.h"

namespace tapvm {
namespace {

using namespace tapvm::test;

constexpr uint64_t kRam = 0x80000000;

std::unique_ptr<Board> MakeBoard(MinimalTap* tap, const std::vector<uint32_t>& program = {}) {
  std::unique_ptr<Board> b;
  BoardConfig cfg;
  cfg.ram_size = 4 << 20;
  EXPECT_TRUE(Board::Create(cfg, tap, &b).ok());
  if (!program.empty()) {
    std::memcpy(b->bus().HostPtrForWrite(kRam, program.size() * 4), program.data(), program.size() * 4);
    b->hart().FlushCaches();
  }
  return b;
}

TEST(BoardDigest, TouchedZeroPagesDigestLikeUntouchedOnes) {
  MinimalTap tap;
  auto a = MakeBoard(&tap);
  const MachineDigest before = a->ComputeDigest();
  // Hand out pointers to (and so mark) 1 MiB of RAM without changing it.
  ASSERT_NE(a->bus().HostPtrForWrite(kRam + (2 << 20), 1 << 20), nullptr);
  const MachineDigest after = a->ComputeDigest();
  EXPECT_EQ(before.ram, after.ram);
  EXPECT_EQ(before.value, after.value);
}

TEST(BoardDigest, OneByteOfRamChangesOnlyTheRamPart) {
  MinimalTap tap;
  auto a = MakeBoard(&tap);
  const MachineDigest before = a->ComputeDigest();
  a->bus().HostPtrForWrite(kRam + 0x123456, 1)[0] = 1;
  const MachineDigest after = a->ComputeDigest();
  EXPECT_NE(before.ram, after.ram);
  EXPECT_NE(before.value, after.value);
  EXPECT_EQ(before.hart, after.hart);
  EXPECT_EQ(before.devices, after.devices);
  // The same byte at another address is another state.
  auto b = MakeBoard(&tap);
  b->bus().HostPtrForWrite(kRam + 0x123457, 1)[0] = 1;
  EXPECT_NE(b->ComputeDigest().ram, after.ram);
}

// The guest's own stores (aligned, misaligned across two pages, AMO; each
// on pages of its own) reach pages the board never handed out before: the digest must see them, and
// equal the digest of the same contents put there from outside.
TEST(BoardDigest, GuestStoresOnEveryPathAreSeen) {
  constexpr uint32_t kT0 = 5, kT1 = 6, kT2 = 7, kT3 = 28;
  const std::vector<uint32_t> program = {
      Auipc(kT0, 0x300),      // t0 = pc + 3 MiB = 0x80300000
      Addi(kT1, 0, 0x5a),
      Sd(kT1, kT0, 8),        // aligned store
      Lui(kT2, 2),
      Add(kT2, kT2, kT0),     // t2 = 0x80302000
      Sd(kT1, kT2, -3),       // misaligned, across the page boundary
      Lui(kT3, 3),
      Add(kT3, kT3, kT0),     // t3 = 0x80303000
      RType(0x00, kT1, kT3, 3, 0, 0x2f),  // amoadd.d x0, t1, (t3)
      Jal(0, 0),              // spin
  };
  MinimalTap tap;
  auto run = MakeBoard(&tap, program);
  run->Run(9);
  ASSERT_EQ(run->hart().state().icount, 9u);

  auto poke = MakeBoard(&tap, program);
  const uint64_t v = 0x5a;
  std::memcpy(poke->bus().HostPtrForWrite(0x80300008, 8), &v, 8);
  std::memcpy(poke->bus().HostPtrForWrite(0x80301ffd, 8), &v, 8);
  std::memcpy(poke->bus().HostPtrForWrite(0x80303000, 8), &v, 8);
  EXPECT_EQ(run->ComputeDigest().ram, poke->ComputeDigest().ram);
  EXPECT_NE(run->ComputeDigest().ram, MakeBoard(&tap, program)->ComputeDigest().ram);
}

// Loads (aligned and misaligned across two pages) only read: the pages
// they reach stay unmarked, so the digest never has to read them.
TEST(BoardDigest, GuestLoadsMarkNoPage) {
  constexpr uint32_t kT0 = 5, kT1 = 6, kT2 = 7;
  const std::vector<uint32_t> program = {
      Auipc(kT0, 0x300),   // t0 = 0x80300000
      Ld(kT1, kT0, 8),     // aligned load
      Lui(kT2, 2),
      Add(kT2, kT2, kT0),  // t2 = 0x80302000
      Ld(kT1, kT2, -3),    // misaligned, across the page boundary
      Jal(0, 0),           // spin
  };
  MinimalTap tap;
  auto b = MakeBoard(&tap, program);
  b->Run(6);
  ASSERT_EQ(b->hart().state().icount, 6u);
  const Bus::MemoryRegion* ram = b->bus().FindMemory(kRam);
  ASSERT_NE(ram, nullptr);
  EXPECT_TRUE(ram->Touched(0));  // the program, put there from outside
  for (uint64_t page : {0x300, 0x301, 0x302}) EXPECT_FALSE(ram->Touched(page)) << std::hex << page;
}

// Version 4 of the definition, computed here from the RAM as
// docs/journal-format.md states it: each non-zero page enters as its
// address and its own XXH3-64.
uint64_t RamDigestV4Of(const Bus& bus) {
  StateHasher ram;
  for (const Bus::MemoryRegion& m : bus.memory()) {
    ram.Add(m.base()).Add(m.size());
    if (!m.tracks_pages()) {
      ram.AddRaw(m.host(), m.size());
      continue;
    }
    for (uint64_t page = 0; page < m.size() / Bus::kPageSize; ++page) {
      const uint8_t* p = m.host() + page * Bus::kPageSize;
      if (m.Touched(page) && !Bus::IsZeroPage(p))
        ram.Add(m.base() + page * Bus::kPageSize).Add(StateHasher::HashOf(p, Bus::kPageSize));
    }
  }
  return ram.Digest();
}

// Version 4 keeps each page's hash from one digest to the next: a page the
// guest stores to again (through the write TLB of either engine, which the
// digest must drop), one written from outside, and one cleared back to
// zeros must all be hashed anew, so every digest equals the definition.
TEST(BoardDigest, CachedPageHashesFollowEveryLaterWrite) {
  constexpr uint32_t kT0 = 5, kT1 = 6, kT2 = 7;
  const std::vector<uint32_t> program = {
      Auipc(kT0, 0x100),   // t0 = 0x80100000
      Lui(kT2, 1),
      Add(kT2, kT2, kT0),  // t2 = 0x80101000
      Addi(kT1, kT1, 1),   // loop: t1 += 1
      Sd(kT1, kT0, 8),     //   two pages, stored to on every round
      Sd(kT1, kT2, 16),
      Jal(0, -12),
  };
  for (EngineKind kind : {EngineKind::kInterpreter, EngineKind::kJit}) {
    SCOPED_TRACE(EngineKindName(kind));
    MinimalTap tap;
    auto b = MakeProgramBoard(&tap, kind, program, 4 << 20);
    ASSERT_NE(b, nullptr);
    std::vector<uint64_t> seen;
    for (uint64_t limit = 20; limit <= 400; limit += 20) {
      b->Run(limit);
      ASSERT_EQ(b->hart().state().icount, limit);
      if (limit == 200) b->bus().HostPtrForWrite(kRam + (3 << 20), 1)[0] = 7;  // from outside
      if (limit == 300) b->bus().HostPtrForWrite(kRam + (3 << 20), 1)[0] = 0;  // zeros again
      const MachineDigest d = b->ComputeDigest();
      ASSERT_EQ(d.ram, RamDigestV4Of(b->bus())) << "at icount " << limit;
      seen.push_back(d.ram);
    }
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end()) << "every digest saw the new counter";
  }
}

// A replay computes the definition its journal names: version 3 hashes the
// pages' bytes into one stream, and the version is part of the value.
TEST(BoardDigest, OlderVersionsAreStillComputed) {
  MinimalTap tap;
  std::unique_ptr<Board> v3, v4;
  BoardConfig cfg;
  cfg.ram_size = 4 << 20;
  ASSERT_TRUE(Board::Create(cfg, &tap, &v4).ok());
  cfg.digest_version = 3;
  ASSERT_TRUE(Board::Create(cfg, &tap, &v3).ok());
  for (Board* b : {v3.get(), v4.get()}) b->bus().HostPtrForWrite(kRam + 0x5000, 1)[0] = 9;
  StateHasher want3;
  for (const Bus::MemoryRegion& m : v3->bus().memory()) {
    want3.Add(m.base()).Add(m.size());
    if (!m.tracks_pages()) want3.AddRaw(m.host(), m.size());
    else want3.Add(m.base() + 0x5000).AddRaw(m.host() + 0x5000, Bus::kPageSize);
  }
  const MachineDigest d3 = v3->ComputeDigest(), d4 = v4->ComputeDigest();
  EXPECT_EQ(d3.ram, want3.Digest());
  EXPECT_EQ(d4.ram, RamDigestV4Of(v4->bus()));
  EXPECT_EQ(d3.hart, d4.hart);
  EXPECT_NE(d3.value, d4.value);
  cfg.digest_version = kStateDigestVersion + 1;
  std::unique_ptr<Board> future;
  EXPECT_FALSE(Board::Create(cfg, &tap, &future).ok());
  cfg.digest_version = kOldestStateDigestVersion - 1;
  EXPECT_FALSE(Board::Create(cfg, &tap, &future).ok());
}

TEST(BoardDigest, DeviceStateIsPartOfTheDigest) {
  MinimalTap tap;
  auto a = MakeBoard(&tap);
  const MachineDigest before = a->ComputeDigest();
  // UART scratch register, then back: the digest follows the state.
  ASSERT_TRUE(a->bus().Write(Board::kUart0Base + 7, 1, 0x42));
  const MachineDigest scr = a->ComputeDigest();
  EXPECT_NE(scr.devices, before.devices);
  EXPECT_EQ(scr.ram, before.ram);
  ASSERT_TRUE(a->bus().Write(Board::kUart0Base + 7, 1, 0));
  EXPECT_EQ(a->ComputeDigest().devices, before.devices);
  // A PLIC source priority, and a CLINT compare register.
  ASSERT_TRUE(a->bus().Write(Board::kPlicBase + 4 * 10, 4, 3));
  const MachineDigest plic = a->ComputeDigest();
  EXPECT_NE(plic.devices, before.devices);
  ASSERT_TRUE(a->bus().Write(Board::kClintBase + 0x4000, 8, 12345));
  EXPECT_NE(a->ComputeDigest().devices, plic.devices);
}

}  // namespace
}  // namespace tapvm
