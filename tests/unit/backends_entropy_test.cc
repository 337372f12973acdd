// EntropySource: getrandom and the /dev/urandom fallback fill whole
// buffers of any size with bytes that are not constant.
#include "emulator/tap/backends/entropy_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace tapvm {
namespace {

// A buffer of random bytes uses many distinct byte values; a buffer left
// (partly) unwritten or filled with a constant does not.
void ExpectRandomLooking(const std::vector<uint8_t>& v) {
  std::vector<bool> seen(256);
  for (uint8_t b : v) seen[b] = true;
  EXPECT_GT(std::count(seen.begin(), seen.end(), true), 200) << "size " << v.size();
  // The tail, where a short read would leave zeros, is filled too.
  std::vector<uint8_t> tail(v.end() - 64, v.end());
  EXPECT_NE(tail, std::vector<uint8_t>(64, 0));
}

void CheckSource(EntropySource& source) {
  for (size_t size : {size_t{4096}, size_t{1} << 20}) {
    std::vector<uint8_t> a(size), b(size);
    ASSERT_TRUE(source.Fill(a).ok());
    ASSERT_TRUE(source.Fill(b).ok());
    ExpectRandomLooking(a);
    EXPECT_NE(a, b);
  }
  std::vector<uint8_t> empty;
  EXPECT_TRUE(source.Fill(empty).ok());
  uint8_t one = 0;
  EXPECT_TRUE(source.Fill(std::span<uint8_t>(&one, 1)).ok());
}

TEST(EntropySourceTest, GetrandomFillsWholeBuffers) {
  EntropySource source;
  CheckSource(source);
}

TEST(EntropySourceTest, UrandomFallbackFillsWholeBuffers) {
  EntropySource source;
  source.ForceUrandomForTesting();
  CheckSource(source);
}

}  // namespace
}  // namespace tapvm
