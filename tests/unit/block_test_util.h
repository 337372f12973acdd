// Helpers for the block backend tests: temporary images, request
// builders, and a bounded synchronous Execute.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "emulator/block/block_backend.h"

namespace tapvm::blocktest {

// A temporary image file of `size` bytes (zeros), removed on destruction.
class TempImage {
 public:
  explicit TempImage(uint64_t size, const char* dir = "/var/tmp") {
    path_ = std::string(dir) + "/tapvm_block_test_XXXXXX";
    int fd = mkstemp(path_.data());
    EXPECT_GE(fd, 0);
    EXPECT_EQ(ftruncate(fd, static_cast<off_t>(size)), 0);
    close(fd);
  }
  ~TempImage() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

  std::vector<uint8_t> ReadRaw(uint64_t offset, uint64_t length) const {
    std::vector<uint8_t> buf(length);
    int fd = open(path_.c_str(), O_RDONLY);
    EXPECT_EQ(pread(fd, buf.data(), length, static_cast<off_t>(offset)), static_cast<ssize_t>(length));
    close(fd);
    return buf;
  }
  void WriteRaw(uint64_t offset, const std::vector<uint8_t>& data) const {
    int fd = open(path_.c_str(), O_WRONLY);
    EXPECT_EQ(pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset)), static_cast<ssize_t>(data.size()));
    close(fd);
  }

 private:
  std::string path_;
};

inline std::vector<uint8_t> Pattern(uint64_t length, uint8_t seed) {
  std::vector<uint8_t> v(length);
  for (uint64_t i = 0; i < length; ++i) v[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 8));
  return v;
}

inline BlockRequest Req(BlockRequest::Type type, uint64_t offset, uint64_t length, uint64_t id = 1) {
  BlockRequest r;
  r.dev = 3;
  r.id = id;
  r.type = type;
  r.offset = offset;
  r.length = length;
  return r;
}

inline BlockRequest WriteReq(uint64_t offset, std::vector<uint8_t> data, uint64_t id = 1) {
  BlockRequest r = Req(BlockRequest::Type::kWrite, offset, data.size(), id);
  r.data = ToIoBytes(data);
  return r;
}

// Submits one request and waits (bounded) for its completion.
inline BlockCompletion Execute(BlockBackend& b, BlockRequest r) {
  auto promise = std::make_shared<std::promise<BlockCompletion>>();
  std::future<BlockCompletion> f = promise->get_future();
  b.Submit(std::move(r), [promise](BlockCompletion c) { promise->set_value(std::move(c)); });
  if (f.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "block request timed out";
    return BlockCompletion{};
  }
  return f.get();
}

}  // namespace tapvm::blocktest
