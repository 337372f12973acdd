// Bus memory lookups and the touched-page bits behind the state digest:
// a read-only lookup marks nothing; every way to a writable host pointer
// marks exactly the pages of the range it was asked for. And the code watch
// (Bus::WatchCode) that lets fence.i drop only the code that was written.
#include <gtest/gtest.h>

#include <vector>

#include "emulator/machine/bus.h"

namespace tapvm {
namespace {

constexpr uint64_t kRam = 0x80000000;
constexpr uint64_t kRom = 0x1000;
constexpr uint64_t kPage = Bus::kPageSize;

class BusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(bus_.AddMemory(kRom, kPage, false).ok());
    ASSERT_TRUE(bus_.AddMemory(kRam, 64 * kPage, true).ok());
  }
  const Bus::MemoryRegion& Ram() const { return *bus_.FindMemory(kRam); }
  int TouchedPages() const {
    int n = 0;
    for (uint64_t p = 0; p < Ram().size() / kPage; ++p) n += Ram().Touched(p);
    return n;
  }
  Bus bus_;
};

TEST_F(BusTest, ReadOnlyLookupsMarkNothing) {
  const Bus& bus = bus_;
  ASSERT_NE(bus.FindMemory(kRam + 3 * kPage, 2 * kPage), nullptr);
  ASSERT_NE(bus.HostPtr(kRam, 64 * kPage), nullptr);
  uint64_t v = 1;
  ASSERT_TRUE(bus_.Read(kRam + 5 * kPage, 8, &v));
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(TouchedPages(), 0);
}

TEST_F(BusTest, WritableLookupsMarkExactlyTheirPages) {
  ASSERT_NE(bus_.FindMemoryForWrite(kRam + 3 * kPage + 100, kPage), nullptr);  // pages 3 and 4
  EXPECT_TRUE(Ram().Touched(3));
  EXPECT_TRUE(Ram().Touched(4));
  ASSERT_NE(bus_.HostPtrForWrite(kRam + 10 * kPage - 1, 1), nullptr);  // the last byte of page 9
  EXPECT_TRUE(Ram().Touched(9));
  ASSERT_TRUE(bus_.Write(kRam + 63 * kPage + 4, 4, 0x12345678));
  EXPECT_TRUE(Ram().Touched(63));
  EXPECT_EQ(TouchedPages(), 4);
  EXPECT_EQ(bus_.HostPtr(kRam + 63 * kPage + 4, 1)[0], 0x78);
}

TEST_F(BusTest, OutsideMemoryIsNullAndMarksNothing) {
  EXPECT_EQ(bus_.FindMemoryForWrite(kRam + 63 * kPage, 2 * kPage), nullptr);  // runs past the end
  EXPECT_EQ(bus_.HostPtrForWrite(kRam - 1, 2), nullptr);
  EXPECT_EQ(bus_.HostPtr(kRam + 64 * kPage, 1), nullptr);
  EXPECT_EQ(TouchedPages(), 0);
}

TEST_F(BusTest, RomKeepsNoPageBitsAndRefusesGuestWrites) {
  const Bus::MemoryRegion* rom = bus_.FindMemory(kRom);
  ASSERT_NE(rom, nullptr);
  EXPECT_FALSE(rom->tracks_pages());
  EXPECT_FALSE(rom->writable());
  EXPECT_TRUE(Ram().tracks_pages());
  EXPECT_FALSE(bus_.Write(kRom, 4, 1));
  // The board fills ROM through a writable pointer when it builds the machine.
  bus_.HostPtrForWrite(kRom, 1)[0] = 0x13;
  EXPECT_EQ(bus_.HostPtr(kRom, 1)[0], 0x13);
}

// The code watch behind fence.i: the first writable pointer into a watched
// page lists it once; pages not watched, ROM and read-only lookups list
// nothing; WatchCode says whether a writable pointer may still be held.
TEST_F(BusTest, CodeWatchListsTheFirstWriteToAWatchedPage) {
  std::vector<uint64_t> written;
  EXPECT_TRUE(bus_.WatchCode(kRam + 2 * kPage));   // never asked before: a pointer may exist
  EXPECT_FALSE(bus_.WatchCode(kRam + 2 * kPage));  // none handed out since
  bus_.WatchCode(kRam + 5 * kPage);
  ASSERT_NE(bus_.HostPtr(kRam + 2 * kPage, kPage), nullptr);  // reads do not count
  ASSERT_NE(bus_.HostPtrForWrite(kRam + 3 * kPage, 8), nullptr);  // a page not watched
  EXPECT_TRUE(bus_.TakeWrittenCode(&written));
  EXPECT_TRUE(written.empty());

  ASSERT_TRUE(bus_.Write(kRam + 2 * kPage + 8, 4, 1));
  ASSERT_NE(bus_.FindMemoryForWrite(kRam + 2 * kPage, 4), nullptr);  // listed once per watch
  ASSERT_NE(bus_.FindMemoryForWrite(kRam + 5 * kPage - 2, 4), nullptr);  // straddles pages 4 and 5
  EXPECT_TRUE(bus_.TakeWrittenCode(&written));
  EXPECT_EQ(written, (std::vector<uint64_t>{kRam + 2 * kPage, kRam + 5 * kPage}));
  written.clear();
  EXPECT_TRUE(bus_.TakeWrittenCode(&written));
  EXPECT_TRUE(written.empty());
  // A pointer was handed out since the last watch: the caller must drop it.
  EXPECT_TRUE(bus_.WatchCode(kRam + 2 * kPage));

  EXPECT_FALSE(bus_.WatchCode(kRom));  // never written by the guest
  EXPECT_FALSE(bus_.WatchCode(kRam + 64 * kPage));  // outside memory
}

TEST_F(BusTest, CodeWatchOverflowSaysTheListIsIncomplete) {
  // More watched pages written than the list holds: the caller is told, and
  // must treat every watched page as written.
  for (uint64_t round = 0; round * 64 <= Bus::kMaxWrittenCode; ++round) {
    for (uint64_t p = 0; p < 64; ++p) {
      bus_.WatchCode(kRam + p * kPage);
      ASSERT_NE(bus_.HostPtrForWrite(kRam + p * kPage, 1), nullptr);
    }
  }
  std::vector<uint64_t> written;
  EXPECT_FALSE(bus_.TakeWrittenCode(&written));
  EXPECT_EQ(written.size(), Bus::kMaxWrittenCode);
  written.clear();
  EXPECT_TRUE(bus_.TakeWrittenCode(&written));  // the overflow is reported once
  EXPECT_TRUE(written.empty());
}

}  // namespace
}  // namespace tapvm
