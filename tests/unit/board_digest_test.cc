// Board::ComputeDigest: RAM is digested by content (untouched pages are not
// read, and a touched page of zeros counts like an untouched one), every
// guest write path marks the pages it writes, and device state is part of
// the digest.
#include <gtest/gtest.h>

#include <cstring>

#include "emulator/machine/board.h"
#include "emulator/tap/minimal_tap.h"
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
