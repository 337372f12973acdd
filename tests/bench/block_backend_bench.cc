// Google Benchmark: the block backends against each other in one run —
// 4 KiB random reads and writes with 32 requests in flight on a 64 MiB
// image (in the page cache: this measures the backends' own overhead, not
// the disk). Run: build/tests/bench/block_backend_bench
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>

#include "benchmark/benchmark.h"
#include "emulator/block/backends/io_uring_backend.h"
#include "emulator/block/backends/thread_pool_backend.h"

namespace tapvm {
namespace {

constexpr uint64_t kImageBytes = 64ull << 20, kBlock = 4096;
constexpr unsigned kInFlight = 32;

std::string MakeImage() {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir ? dir : "/tmp") + "/block_bench_" + std::to_string(getpid()) + ".img";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  std::string block(1 << 20, 'x');
  for (uint64_t off = 0; off < kImageBytes; off += block.size())
    if (pwrite(fd, block.data(), block.size(), static_cast<off_t>(off)) < 0) break;
  close(fd);
  return path;
}

std::unique_ptr<BlockBackend> OpenBackend(int kind, const std::string& path) {
  if (kind == 0) {
    std::unique_ptr<ThreadPoolBackend> b;
    return ThreadPoolBackend::Open(path, false, 4, &b).ok() ? std::move(b) : nullptr;
  }
  std::unique_ptr<IoUringBackend> b;
  return IoUringBackend::Open(path, false, &b).ok() ? std::move(b) : nullptr;
}

// Keeps kInFlight requests outstanding; each completion submits the next.
void BM_Random4K(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const bool write = state.range(1) != 0;
  state.SetLabel(std::string(kind == 0 ? "threads" : "io_uring") + (write ? " write" : " read"));
  const std::string path = MakeImage();
  std::unique_ptr<BlockBackend> b = OpenBackend(kind, path);
  if (!b) {
    state.SkipWithError("open failed");
    unlink(path.c_str());
    return;
  }
  std::mutex mu;
  std::condition_variable cv;
  uint64_t completed = 0, failed = 0;
  uint64_t rng = 88172645463325252ull;
  auto next_request = [&](uint64_t id) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    BlockRequest r;
    r.id = id;
    r.type = write ? BlockRequest::Type::kWrite : BlockRequest::Type::kRead;
    r.offset = (rng % (kImageBytes / kBlock)) * kBlock;
    r.length = kBlock;
    if (write) r.data.assign(kBlock, static_cast<uint8_t>(id));
    return r;
  };
  auto done = [&](BlockCompletion c) {
    std::lock_guard<std::mutex> lock(mu);
    ++completed;
    if (c.status != BlockCompletion::Status::kOk) ++failed;
    cv.notify_one();
  };
  uint64_t submitted = 0;
  for (auto _ : state) {
    // One iteration = one request: wait until a slot frees, submit.
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return submitted - completed < kInFlight; });
    lock.unlock();
    b->Submit(next_request(submitted), done);
    ++submitted;
  }
  b->Drain();
  if (failed) state.SkipWithError("requests failed");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBlock));
  b.reset();
  unlink(path.c_str());
}
BENCHMARK(BM_Random4K)->Args({0, 0})->Args({1, 0})->Args({0, 1})->Args({1, 1})->UseRealTime();

}  // namespace
}  // namespace tapvm

BENCHMARK_MAIN();
