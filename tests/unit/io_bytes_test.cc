// IoBytes: the buffer block data travels in (emulator/base/io_bytes.h).
#include "emulator/base/io_bytes.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

namespace tapvm {
namespace {

bool AlignedTo(const void* p, uintptr_t a) { return reinterpret_cast<uintptr_t>(p) % a == 0; }

TEST(IoBytes, StorageIsAlignedForDirectIo) {
  for (size_t n : {512u, 1000u, 4095u}) EXPECT_TRUE(AlignedTo(IoBytes(n, 1).data(), 512)) << n;
  for (size_t n : {4096u, 65536u, 1u << 20, 3u << 20, 40u << 20}) EXPECT_TRUE(AlignedTo(IoBytes(n, 1).data(), 4096)) << n;
}

TEST(IoBytes, ResizeKeepsThePrefixAndCopiesAreDeep) {
  IoBytes a = {1, 2, 3};
  a.resize(70000);  // grows into a recycled block: the prefix moves with it
  EXPECT_EQ(a.size(), 70000u);
  EXPECT_EQ(a[0], 1);
  EXPECT_EQ(a[2], 3);
  a.resize(2);
  EXPECT_EQ(a, (std::vector<uint8_t>{1, 2}));
  IoBytes b = a;
  b[0] = 9;
  EXPECT_EQ(a[0], 1);
  IoBytes c = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_EQ(c, (std::vector<uint8_t>{9, 2}));
  c.assign(5, 7);
  EXPECT_EQ(c, (std::vector<uint8_t>{7, 7, 7, 7, 7}));
  const std::vector<uint8_t> v = {4, 5, 6};
  c.assign(v.begin(), v.end());
  EXPECT_EQ(c, v);
  EXPECT_EQ(ToIoBytes(v), v);
  EXPECT_FALSE(ToIoBytes(v) == (std::vector<uint8_t>{4, 5}));
}

TEST(IoBytes, LargeBlocksAreRecycled) {
  // A released 1 MiB block is handed out again (no new pages to fault in),
  // also when another thread released it, as a completion freed on the CPU
  // thread is.
  const uint8_t* first = nullptr;
  std::thread([&] {
    IoBytes b;
    b.resize(1 << 20);
    first = b.data();
  }).join();
  bool reused = false;
  std::vector<IoBytes> live;
  for (int i = 0; i < 64 && !reused; ++i) {
    live.emplace_back();
    live.back().resize(1 << 20);
    reused = live.back().data() == first;
  }
  EXPECT_TRUE(reused);
}

}  // namespace
}  // namespace tapvm
