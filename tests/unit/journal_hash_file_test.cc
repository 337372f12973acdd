// journal::HashFile hashes a file's logical bytes: a sparse image, the same
// image fully allocated and the bytes hashed in memory all agree, and a
// byte changed anywhere (in data or in what was a hole) changes the hash.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "journal/hash.h"

namespace tapvm::journal {
namespace {

class HashFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tapvm-hashfile-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `bytes` at `offset` of a file of `size` bytes made by truncate
  // (the rest is a hole where the file system supports them).
  std::string Sparse(const std::string& name, uint64_t size,
                     const std::vector<std::pair<uint64_t, std::vector<uint8_t>>>& pieces) {
    const std::string path = (dir_ / name).string();
    const int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(ftruncate(fd, static_cast<off_t>(size)), 0);
    for (const auto& [off, b] : pieces) {
      EXPECT_EQ(pwrite(fd, b.data(), b.size(), static_cast<off_t>(off)), static_cast<ssize_t>(b.size()));
    }
    close(fd);
    return path;
  }

  std::string Dense(const std::string& name, const std::vector<uint8_t>& bytes) {
    const std::string path = (dir_ / name).string();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    EXPECT_NE(f, nullptr);
    EXPECT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), f), bytes.size());
    std::fclose(f);
    return path;
  }

  std::filesystem::path dir_;
};

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

TEST_F(HashFileTest, SparseDenseAndMemoryAgree) {
  const uint64_t size = (5u << 20) + 123;  // holes, data and a tail that is not a whole chunk
  const auto a = Pattern(4096, 1), b = Pattern(70000, 2), c = Pattern(100, 3);
  const std::vector<std::pair<uint64_t, std::vector<uint8_t>>> pieces = {
      {0, a}, {(2u << 20) + 4096, b}, {size - c.size(), c}};
  std::vector<uint8_t> all(size, 0);
  for (const auto& [off, bytes] : pieces) std::copy(bytes.begin(), bytes.end(), all.begin() + static_cast<long>(off));

  Hash128 sparse, dense;
  uint64_t sparse_size = 0, dense_size = 0;
  ASSERT_TRUE(HashFile(Sparse("sparse.img", size, pieces), &sparse, &sparse_size).ok());
  ASSERT_TRUE(HashFile(Dense("dense.img", all), &dense, &dense_size).ok());
  EXPECT_EQ(sparse, ContentHash(all));
  EXPECT_EQ(dense, ContentHash(all));
  EXPECT_EQ(sparse_size, size);
  EXPECT_EQ(dense_size, size);
}

TEST_F(HashFileTest, AByteInAHoleOrInDataChangesTheHash) {
  const uint64_t size = 3u << 20;
  const auto a = Pattern(8192, 9);
  Hash128 base, in_hole, in_data;
  ASSERT_TRUE(HashFile(Sparse("base.img", size, {{1u << 20, a}}), &base).ok());
  ASSERT_TRUE(HashFile(Sparse("hole.img", size, {{1u << 20, a}, {(2u << 20) + 5, {1}}}), &in_hole).ok());
  auto changed = a;
  changed[100] ^= 0x40;
  ASSERT_TRUE(HashFile(Sparse("data.img", size, {{1u << 20, changed}}), &in_data).ok());
  EXPECT_NE(base, in_hole);
  EXPECT_NE(base, in_data);
}

TEST_F(HashFileTest, AllHoleAndEmptyFiles) {
  Hash128 hole, empty;
  uint64_t n = 1;
  ASSERT_TRUE(HashFile(Sparse("hole.img", 3u << 20, {}), &hole).ok());
  EXPECT_EQ(hole, ContentHash(std::vector<uint8_t>(3u << 20, 0)));
  ASSERT_TRUE(HashFile(Sparse("empty.img", 0, {}), &empty, &n).ok());
  EXPECT_EQ(empty, ContentHash({}));
  EXPECT_EQ(n, 0u);
}

TEST_F(HashFileTest, MissingFileAndDirectoryAreErrors) {
  Hash128 h;
  EXPECT_FALSE(HashFile((dir_ / "nope.img").string(), &h).ok());
  const Status st = HashFile(dir_.string(), &h);
  EXPECT_FALSE(st.ok());
}

}  // namespace
}  // namespace tapvm::journal
