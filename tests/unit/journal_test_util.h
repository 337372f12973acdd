// Helpers shared by the journal tests: sample events of every kind, a
// sample header, temporary paths and raw file access.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "journal/event.h"
#include "journal/header.h"

namespace tapvm::journal::testutil {

inline std::vector<uint8_t> Bytes(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    v[i] = static_cast<uint8_t>(x >> 16);
  }
  return v;
}

inline std::vector<uint8_t> Text(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

// One event of every kind, icounts from `icount` upwards; payloads both
// inline (short) and blob-sized (long).
inline std::vector<Event> AllKinds(uint64_t icount = 1000) {
  std::vector<Event> v;
  auto add = [&](EventBody body) {
    Event e;
    e.icount = icount;
    icount += 17;
    e.body = std::move(body);
    v.push_back(std::move(e));
  };
  add(BlockCompletion{1, 7, BlockCompletion::Status::kOk, ToIoBytes(Bytes(4096, 1))});
  add(BlockCompletion{1, 8, BlockCompletion::Status::kIoError, {}});
  add(BlockCompletion{1, 9, BlockCompletion::Status::kUnsupported, ToIoBytes(Bytes(10, 2))});
  add(NetFrameIn{2, Bytes(1514, 3)});
  add(NetFrameIn{2, Bytes(60, 4)});
  add(ConsoleIn{0, Text("ls -l\n")});
  add(EntropyIn{3, Bytes(32, 5)});
  add(EntropyIn{3, Bytes(256, 6)});
  {
    ThrottleSet t;
    t.dev = 1;
    t.limits.bucket[ThrottleLimits::kBpsRead] = {1 << 20, 4 << 20, 3};
    t.limits.bucket[ThrottleLimits::kIopsTotal] = {200, 0, 1};
    t.limits.iops_size = 4096;
    add(t);
  }
  add(ClockWarp{100, 250000});
  add(IoAccess{IoAccess::Space::kMmio, false, 0, 0x10000005, 1, 0x60});
  add(IoAccess{IoAccess::Space::kMmio, true, 0, 0x10000000, 1, 'A'});
  add(IoAccess{IoAccess::Space::kPio, false, 4, 0x3f8, 2, 0xbeef});
  add(IoAccess{IoAccess::Space::kPio, true, 4, 0x3f9, 8, 0x0123456789abcdefull});
  add(NetFrameOut{2, Bytes(342, 7)});
  add(NetFrameOut{2, {}});
  {
    BlockRequest r;
    r.dev = 1;
    r.id = 11;
    r.type = BlockRequest::Type::kWrite;
    r.offset = 512 * 1000;
    r.length = 8192;
    r.data = ToIoBytes(Bytes(8192, 8));
    add(r);
    r.type = BlockRequest::Type::kRead;
    r.data.clear();
    r.id = 12;
    add(r);
    r.type = BlockRequest::Type::kFlush;
    r.offset = r.length = 0;
    add(r);
    r.type = BlockRequest::Type::kDiscard;
    r.length = 1 << 20;
    add(r);
    r.type = BlockRequest::Type::kWriteZeroes;
    add(r);
  }
  add(EntropyRequest{3, 64});
  add(ConsoleOut{0, Text("Linux version 6.1.0 (tapvm) #1 SMP\n")});
  add(ConsoleOut{0, Bytes(300, 9)});
  add(IrqLine{1, 10, true});
  add(IrqLine{1, 10, false});
  add(StateDigest{0x1234567890abcdefull, std::nullopt});
  add(StateDigest{0xfedcba0987654321ull, DigestParts{1, 2, 3}});
  return v;
}

inline ::testing::AssertionResult SameEvent(const Event& a, const Event& b) {
  if (a.icount != b.icount || !SameBody(a.body, b.body)) {
    return ::testing::AssertionFailure() << "\n  " << DescribeEvent(a) << "\nvs\n  " << DescribeEvent(b);
  }
  return ::testing::AssertionSuccess();
}

inline JournalHeader SampleHeader() {
  JournalHeader h;
  h.writer_version = "tapvm-test 0.1";
  h.config = {{"ram_mib", "256"}, {"time_shift", "3"}, {"devices", "uart,virtio-blk,virtio-net,virtio-rng"}};
  h.digest_interval = 10'000'000;
  return h;
}

inline std::string TempPath(const std::string& name) {
  std::string p = ::testing::TempDir() + "journal_test_" + std::to_string(getpid()) + "_" + name + ".tapj";
  unlink(p.c_str());
  return p;
}

inline std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

inline void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline size_t Find(const std::vector<uint8_t>& hay, const std::vector<uint8_t>& needle) {
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (std::equal(needle.begin(), needle.end(), hay.begin() + static_cast<std::ptrdiff_t>(i))) return i;
  }
  return std::string::npos;
}

}  // namespace tapvm::journal::testutil
