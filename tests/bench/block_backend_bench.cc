// The block backends against each other and against fio, in one run.
//
// For each workload (4 KiB random read and write at queue depth 32, 1 MiB
// sequential read and write at queue depth 8) and each cache mode
// (writeback, and none = O_DIRECT = fio --direct=1), it measures the
// thread pool, io_uring, and `fio --ioengine=io_uring` on the same file
// with the same block size and queue depth, in interleaved rounds (noise
// on a shared host hits all three alike; each round starts with another
// engine), and prints the median IOPS of each and the medians of each
// round's ratios io_uring/threads, io_uring/fio and fio/threads, each
// with the middle half of the rounds' ratios (the run-to-run spread).
// Every run starts from the same page cache (ResetImageCache: written
// back and dropped, as fio does by default; read back in for buffered
// reads); --keep-cache only writes the last run's dirty pages back.
//
// The backends are driven directly through the BlockBackend API with QD
// requests outstanding. --refill=callback (the default) is fio's closed
// loop: each completion submits the next request at once (from the
// backend's completion thread). --refill=thread is tapvm's shape: a
// separate submitting thread (the CPU thread) waits for completions and
// submits the requests that fit between Plug and Unplug (one guest
// notification); it adds a thread hop per round trip, which on a loaded
// host costs both backends alike.
//
//   build/tests/bench/block_backend_bench [--seconds=S] [--rounds=N]
//       [--dir=DIR] [--image-mib=M] [--only=SUBSTRING] [--no-fio]
//       [--refill=callback|thread] [--engines=threads,io_uring,fio]
//       [--rings=N]   (io_uring rings; default: the backend's own choice)
//       [--threads=N] (thread pool size; default: the backend's own choice)
//       [--no-registered-buffers] (io_uring reads into plain memory)
//       [--per-round] (each round's IOPS too: shows a bimodal engine)
//       [--keep-cache] (each run inherits the page cache the last one left)
//   ninja -C build bench_block   (the same with the defaults)
//
// The image lives in DIR (default $TMPDIR or /var/tmp): use a real file
// system there (O_DIRECT on tmpfs measures memcpy).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "emulator/block/backends/open_block_backend.h"

namespace tapvm {
namespace {

struct Workload {
  const char* name;
  bool write, random;
  uint64_t block;
  unsigned depth;
};

constexpr Workload kWorkloads[] = {
    {"4k-randread-qd32", false, true, 4096, 32},
    {"4k-randwrite-qd32", true, true, 4096, 32},
    {"1m-seqread-qd8", false, false, 1 << 20, 8},
    {"1m-seqwrite-qd8", true, false, 1 << 20, 8},
};

struct Options {
  double seconds = 2;
  int rounds = 3;
  std::string dir;
  uint64_t image_bytes = 512ull << 20;
  std::string only;
  bool fio = true;
  bool refill_in_callback = true;
  std::string engines = "threads,io_uring,fio";
  unsigned rings = 0;  // io_uring rings (0: the backend's default)
  bool registered_buffers = true;
  bool per_round = false;  // print every round's IOPS, not only the medians
  bool reset_cache = true;  // ResetImageCache before every run (--keep-cache: only write back)
  unsigned threads = 0;  // thread pool size (0: the backend's default)
};

std::string MakeImage(const Options& o) {
  std::string path = o.dir + "/tapvm_block_bench_" + std::to_string(getpid()) + ".img";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  std::vector<char> block(1 << 20, 'x');
  for (uint64_t off = 0; off < o.image_bytes; off += block.size())
    if (pwrite(fd, block.data(), block.size(), static_cast<off_t>(off)) < 0) break;
  fsync(fd);
  close(fd);
  return path;
}

// Writes the image's dirty pages back and waits for them.
void SyncImage(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

// Puts the image in the same page-cache state before every run, whichever
// engine ran before: its dirty pages written back and its cached pages
// dropped, as fio does by default (--invalidate=1); then, for a buffered
// read workload, read back in whole, sequentially, so that it measures
// the page cache and not the disk. A buffered write workload starts from
// the cold cache, as fio's would.
//
// Without it each run inherits the last one's page cache, and on ext4
// with large folios (Linux 6.x) the cost of a 4 KiB buffered write grows
// with the size of the folio it lands in: ext4_block_write_begin walks
// every block of the folio, under the inode lock. A cache filled by 1 MiB
// writes or readahead holds large folios; pages reclaimed between runs
// (a host may page cold memory out) come back as small ones. One engine
// measured 45K..170K IOPS from round to round that way.
void ResetImageCache(const std::string& path, BlockCache cache, bool write) {
  int fd = open(path.c_str(), O_RDWR);
  if (fd < 0) return;
  fsync(fd);
  posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  if (cache == BlockCache::kWriteback && !write) {
    std::vector<char> block(1 << 20);
    for (off_t off = 0; pread(fd, block.data(), block.size(), off) > 0; off += static_cast<off_t>(block.size())) {
    }
  }
  close(fd);
}

// IOPS of one backend on one workload for `seconds`.
double RunBackend(BlockAio aio, BlockCache cache, const Workload& w, const std::string& path, const Options& o) {
  BlockBackendOptions bo;
  bo.path = path;
  bo.aio = aio;
  bo.cache = cache;
  bo.rings = o.rings;
  bo.registered_buffers = o.registered_buffers;
  if (o.threads) bo.threads = o.threads;
  std::unique_ptr<BlockBackend> b;
  Status st = OpenBlockBackend(bo, &b);
  if (!st.ok()) {
    std::fprintf(stderr, "open %s: %s\n", BlockAioName(aio), st.ToString().c_str());
    return 0;
  }
  std::mutex mu;
  std::condition_variable cv;
  uint64_t completed = 0, failed = 0;
  auto done = [&](BlockCompletion c) {
    std::lock_guard<std::mutex> lock(mu);
    ++completed;
    if (c.status != BlockCompletion::Status::kOk) ++failed;
    cv.notify_one();
  };
  const uint64_t blocks = o.image_bytes / w.block;
  uint64_t rng = 88172645463325252ull, seq = 0, submitted = 0;
  auto next = [&] {
    BlockRequest r;
    r.id = submitted;
    r.type = w.write ? BlockRequest::Type::kWrite : BlockRequest::Type::kRead;
    if (w.random) {
      rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
      r.offset = (rng % blocks) * w.block;
    } else {
      r.offset = (seq++ % blocks) * w.block;
    }
    r.length = w.block;
    if (w.write) {
      // Like fio (buffers filled once, a few bytes changed per I/O), not a
      // whole copy per request: a 1 MiB copy on the refilling thread costs
      // as much as the write, and its cache-hot result favours whichever
      // engine writes on that same thread. Large blocks are recycled
      // (io_bytes.h), so after the first rounds this stamps memory that
      // already holds earlier payloads; every page is written, so none is
      // the shared zero page.
      r.data.resize(w.block);
      for (uint64_t off = 0; off < w.block; off += 4096) std::memcpy(r.data.data() + off, &submitted, sizeof submitted);
    }
    return r;
  };
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::duration<double>(o.seconds);
  uint64_t done_at_end = 0;
  auto measured_at = start;
  if (o.refill_in_callback) {
    // Each completion submits the next request until time is up.
    std::atomic<bool> over{false};
    std::function<void(BlockCompletion)> again = [&](BlockCompletion c) {
      BlockRequest r;
      {
        std::lock_guard<std::mutex> lock(mu);
        ++completed;
        if (c.status != BlockCompletion::Status::kOk) ++failed;
        if (over.load()) return cv.notify_one();
        r = next();
        ++submitted;
      }
      b->Submit(std::move(r), again);
    };
    {
      std::lock_guard<std::mutex> lock(mu);
      b->Plug();
      for (unsigned i = 0; i < w.depth; ++i, ++submitted) b->Submit(next(), again);
      b->Unplug();
    }
    std::this_thread::sleep_until(end);
    {
      std::lock_guard<std::mutex> lock(mu);
      done_at_end = completed;
      measured_at = std::chrono::steady_clock::now();
      over = true;
    }
    b->Drain();  // `again` must outlive every request that holds it
  } else {
    for (;;) {
      uint64_t free_slots;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return submitted - completed < w.depth; });
        free_slots = w.depth - (submitted - completed);
        done_at_end = completed;
        measured_at = std::chrono::steady_clock::now();
      }
      if (std::chrono::steady_clock::now() >= end) break;
      b->Plug();
      for (uint64_t i = 0; i < free_slots; ++i, ++submitted) b->Submit(next(), done);
      b->Unplug();
    }
  }
  const double elapsed = std::chrono::duration<double>(measured_at - start).count();
  b->Drain();
  if (failed) std::fprintf(stderr, "%s: %llu requests failed\n", BlockAioName(aio), (unsigned long long)failed);
  return static_cast<double>(done_at_end) / elapsed;
}

// IOPS of fio with the io_uring engine on the same file and workload.
double RunFio(BlockCache cache, const Workload& w, const std::string& path, const Options& o) {
  const char* rw = w.random ? (w.write ? "randwrite" : "randread") : (w.write ? "write" : "read");
  char cmd[1024];
  std::snprintf(cmd, sizeof cmd,
                "fio --name=bench --filename=%s --size=%llu --ioengine=io_uring --iodepth=%u --rw=%s --bs=%llu "
                "--direct=%d --runtime=%g --time_based --invalidate=0 --randrepeat=0 --norandommap "
                "--output-format=terse --terse-version=3 2>/dev/null",
                path.c_str(), (unsigned long long)o.image_bytes, w.depth, rw, (unsigned long long)w.block,
                cache == BlockCache::kNone ? 1 : 0, o.seconds);
  FILE* p = popen(cmd, "r");
  if (!p) return 0;
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  pclose(p);
  // Terse v3: field 8 is read IOPS, field 49 write IOPS (1-based).
  std::vector<std::string> f;
  size_t pos = 0;
  for (size_t semi; (semi = out.find(';', pos)) != std::string::npos; pos = semi + 1) f.push_back(out.substr(pos, semi - pos));
  const size_t field = w.write ? 48 : 7;
  return field < f.size() ? std::atof(f[field].c_str()) : 0;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// A ratio's median over the rounds with the spread of the middle half of
// them ("0.96 0.91-1.02"): on a shared host one cell's ratio moves by
// ±0.1 from run to run, and a median alone does not say whether a gap is
// larger than that. "-" when there is no ratio.
std::string RatioWithSpread(std::vector<double> v) {
  if (v.empty()) return "-";
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  char out[48];
  std::snprintf(out, sizeof out, "%.2f %.2f-%.2f", v[n / 2], v[n / 4], v[n - 1 - n / 4]);
  return out;
}

int Main(int argc, char** argv) {
  Options o;
  const char* tmp = std::getenv("TMPDIR");
  o.dir = tmp ? tmp : "/var/tmp";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&](const char* k) { return a.rfind(k, 0) == 0 ? a.substr(std::strlen(k)) : std::string(); };
    // A number with nothing after it, or the run is refused.
    auto number = [&](const char* k, double* out) {
      const std::string v = val(k);
      char* end = nullptr;
      *out = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || *out < 0) {
        std::fprintf(stderr, "%s needs a non-negative number, not '%s'\n", k, v.c_str());
        std::exit(2);
      }
    };
    double n = 0;
    if (a.rfind("--seconds=", 0) == 0) number("--seconds=", &o.seconds);
    else if (a.rfind("--rounds=", 0) == 0) number("--rounds=", &n), o.rounds = static_cast<int>(n);
    else if (a.rfind("--dir=", 0) == 0) o.dir = val("--dir=");
    else if (a.rfind("--image-mib=", 0) == 0) number("--image-mib=", &n), o.image_bytes = static_cast<uint64_t>(n) << 20;
    else if (a.rfind("--only=", 0) == 0) o.only = val("--only=");
    else if (a == "--no-fio") o.fio = false;
    else if (a == "--no-registered-buffers") o.registered_buffers = false;
    else if (a == "--per-round") o.per_round = true;
    else if (a == "--keep-cache") o.reset_cache = false;
    else if (a.rfind("--rings=", 0) == 0) number("--rings=", &n), o.rings = static_cast<unsigned>(n);
    else if (a.rfind("--threads=", 0) == 0) number("--threads=", &n), o.threads = static_cast<unsigned>(n);
    else if (a.rfind("--engines=", 0) == 0) o.engines = val("--engines=");
    else if (a == "--refill=callback") o.refill_in_callback = true;
    else if (a == "--refill=thread") o.refill_in_callback = false;
    else {
      std::fprintf(stderr, "unknown argument '%s' (see the comment at the top of block_backend_bench.cc)\n", a.c_str());
      return 2;
    }
  }
  if (o.seconds <= 0 || o.rounds < 1 || o.image_bytes < (16u << 20)) {
    std::fprintf(stderr, "bad --seconds, --rounds or --image-mib\n");
    return 2;
  }
  const std::string path = MakeImage(o);
  std::printf("image %s (%llu MiB), %g s per run, median of %d interleaved rounds, refill in %s; IOPS:\n",
              path.c_str(), (unsigned long long)(o.image_bytes >> 20), o.seconds, o.rounds,
              o.refill_in_callback ? "the completion callback" : "a submitting thread");
  // fio/thr is the kernel's io_uring path (fio) against the pool: where
  // it is below 1, io_uring as such is slower there, on this host.
  std::printf("%-18s %-9s %10s %10s %10s %-15s %-15s %-15s\n", "workload", "cache", "threads", "io_uring", "fio",
              "uring/thr", "uring/fio", "fio/thr");
  for (BlockCache cache : {BlockCache::kWriteback, BlockCache::kNone}) {
    for (const Workload& w : kWorkloads) {
      const std::string label = std::string(w.name) + " cache=" + BlockCacheName(cache);
      if (!o.only.empty() && label.find(o.only) == std::string::npos) continue;
      // Each round runs the engines back to back, starting with a different
      // one each round (a run inherits its predecessor's effects: page-cache
      // writeback, a cloud disk's burst credit); the ratios are the median
      // of each round's own ratios, so a slow stretch of the host hits both
      // sides of a ratio.
      std::vector<double> thr, uring, fio, u_t, u_f, f_t;
      enum Engine { kThr, kUring, kFio };
      std::vector<Engine> order;
      if (o.engines.find("threads") != std::string::npos) order.push_back(kThr);
      if (o.engines.find("io_uring") != std::string::npos) order.push_back(kUring);
      if (o.fio && o.engines.find("fio") != std::string::npos) order.push_back(kFio);
      for (int r = 0; r < o.rounds; ++r) {
        double iops[3] = {0, 0, 0};
        for (size_t k = 0; k < order.size(); ++k) {
          const Engine e = order[(k + static_cast<size_t>(r)) % order.size()];
          if (o.reset_cache) ResetImageCache(path, cache, w.write);
          else SyncImage(path);  // the last run's dirty pages are not this run's work
          iops[e] = e == kThr     ? RunBackend(BlockAio::kThreads, cache, w, path, o)
                    : e == kUring ? RunBackend(BlockAio::kIoUring, cache, w, path, o)
                                  : RunFio(cache, w, path, o);
        }
        if (o.per_round)
          std::printf("  %s round %d: threads %.0f io_uring %.0f fio %.0f\n", label.c_str(), r, iops[kThr], iops[kUring],
                      iops[kFio]);
        thr.push_back(iops[kThr]), uring.push_back(iops[kUring]), fio.push_back(iops[kFio]);
        if (iops[kThr] > 0) u_t.push_back(iops[kUring] / iops[kThr]);
        if (iops[kFio] > 0) u_f.push_back(iops[kUring] / iops[kFio]);
        if (iops[kThr] > 0 && iops[kFio] > 0) f_t.push_back(iops[kFio] / iops[kThr]);
      }
      const double t = Median(thr), u = Median(uring), f = Median(fio);
      std::printf("%-18s %-9s %10.0f %10.0f %10.0f %-15s %-15s %-15s\n", w.name, BlockCacheName(cache), t, u, f,
                  RatioWithSpread(u_t).c_str(), RatioWithSpread(u_f).c_str(), RatioWithSpread(f_t).c_str());
      std::fflush(stdout);
    }
  }
  unlink(path.c_str());
  return 0;
}

}  // namespace
}  // namespace tapvm

int main(int argc, char** argv) { return tapvm::Main(argc, argv); }
