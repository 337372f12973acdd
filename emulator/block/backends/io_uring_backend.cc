#include "emulator/block/backends/io_uring_backend.h"

#include <unistd.h>

#include <algorithm>
#include <thread>
#include <utility>

#include "emulator/block/backends/image_file.h"

namespace tapvm {

Status IoUringBackend::Open(const std::string& path, bool read_only, std::unique_ptr<IoUringBackend>* out) {
  BlockBackendOptions o;
  o.path = path;
  o.read_only = read_only;
  o.aio = BlockAio::kIoUring;
  return Open(o, out);
}

unsigned IoUringBackend::DefaultRings(const BlockBackendOptions& options) {
  if (options.injector) return 1;
  return std::clamp(std::thread::hardware_concurrency(), 2u, 4u);
}

Status IoUringBackend::Open(const BlockBackendOptions& options, std::unique_ptr<IoUringBackend>* out) {
  if (options.rings > kMaxBlockRings)
    return Status::InvalidArgument("rings=" + std::to_string(options.rings) + ": at most " +
                                   std::to_string(kMaxBlockRings));
  if (options.rings > 1 && options.injector)
    return Status::InvalidArgument("fault injection needs rings=1 (its decisions follow submission order)");
  const bool direct = options.cache == BlockCache::kNone;
  std::unique_ptr<IoUringBackend> b(new IoUringBackend());
  IoUringImage& img = b->image_;
  TAPVM_RETURN_IF_ERROR(OpenImageFile(options.path, options.read_only, direct, &img.fd, &img.size_bytes));
  img.read_only = options.read_only;
  img.injector = options.injector;
  if (direct) {
    img.direct = true;
    img.align = ProbeDirectIoAlignment(img.fd);
    TAPVM_RETURN_IF_ERROR(ReopenBuffered(img.fd, options.path, options.read_only, &img.buffered_fd));
  }
  const unsigned n = options.rings ? options.rings : DefaultRings(options);
  img.async_large_reads = n == 1;
  img.registered_buffers = options.registered_buffers;
  for (unsigned i = 0; i < n; ++i) {
    std::unique_ptr<IoUringRing> ring;
    TAPVM_RETURN_IF_ERROR(IoUringRing::Open(&b->image_, &ring));
    b->rings_.push_back(std::move(ring));
  }
  *out = std::move(b);
  return Status::Ok();
}

IoUringBackend::~IoUringBackend() {
  Stop();
  rings_.clear();  // before the descriptors they use
  if (image_.buffered_fd >= 0) ::close(image_.buffered_fd);
  if (image_.fd >= 0) ::close(image_.fd);
}

IoUringRing* IoUringBackend::RingFor(const Op* op) {
  if (IoUringRing::OnWriteRing(op)) return rings_[0].get();
  // A request made by a completion callback stays on the callback's ring,
  // which is awake: no wake-up, and a closed loop keeps to one thread.
  if (IoUringRing* own = IoUringRing::CurrentFor(&image_)) return own;
  return rings_[LeastLoadedRing()].get();
}

size_t IoUringBackend::LeastLoadedRing() {
  const size_t n = rings_.size();
  const size_t start = next_ring_++ % n;  // ties go round robin
  size_t best = start;
  for (size_t k = 1; k < n; ++k) {
    const size_t i = (start + k) % n;
    if (rings_[i]->load() < rings_[best]->load()) best = i;
  }
  return best;
}

void IoUringBackend::Submit(BlockRequest request, DoneCallback done) {
  Op* op = IoUringRing::NewOp(std::move(request), std::move(done));
  IoUringRing* ring = nullptr;
  image_.unfinished.fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_ && plug_depth_ > 0) {
      plugged_.push_back(op);
      return;
    }
    if (!stopping_) ring = RingFor(op);
  }
  if (ring == nullptr) return IoUringRing::Cancel(&image_, op);  // stopped
  ring->Enqueue(op);  // cancels the op if that ring has just been stopped
}

void IoUringBackend::Plug() {
  std::lock_guard<std::mutex> lock(mu_);
  ++plug_depth_;
}

void IoUringBackend::Unplug() {
  std::vector<std::deque<Op*>> parts;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (plug_depth_ == 0 || --plug_depth_ > 0 || plugged_.empty()) return;
    parts = SplitBatch();
  }
  for (size_t i = 0; i < parts.size(); ++i)
    if (!parts[i].empty()) rings_[i]->Enqueue(&parts[i]);
}

std::vector<std::deque<IoUringRing::Op*>> IoUringBackend::SplitBatch() {
  std::vector<std::deque<Op*>> parts(rings_.size());
  const size_t n = rings_.size();
  // Whole batches of fewer than kSplitBatch requests go to one ring; larger
  // ones are cut into runs of consecutive requests, one run per ring, so
  // their host work (copies, allocations, callbacks) runs in parallel.
  const size_t runs = plugged_.size() >= kSplitBatch ? std::min(n, plugged_.size() / (kSplitBatch / 2)) : 1;
  const size_t per_run = (plugged_.size() + runs - 1) / runs;
  const size_t first = LeastLoadedRing();
  size_t i = 0;
  for (Op* op : plugged_) {
    const size_t ring = IoUringRing::OnWriteRing(op) ? 0 : (first + i++ / per_run) % n;
    parts[ring].push_back(op);
  }
  plugged_.clear();
  return parts;
}

void IoUringBackend::Drain() { image_.WaitIdle(); }

void IoUringBackend::Stop() {
  std::lock_guard<std::mutex> stop_lock(stop_mu_);
  std::deque<Op*> cancelled;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cancelled.swap(plugged_);
  }
  for (Op* op : cancelled) IoUringRing::Cancel(&image_, op);
  for (auto& ring : rings_) ring->Stop();
}

uint64_t IoUringBackend::submit_calls() const {
  uint64_t n = 0;
  for (const auto& ring : rings_) n += ring->submit_calls();
  return n;
}

uint64_t IoUringBackend::fixed_reads() const {
  uint64_t n = 0;
  for (const auto& ring : rings_) n += ring->fixed_reads();
  return n;
}

unsigned IoUringBackend::coop_taskrun_rings() const {
  unsigned n = 0;
  for (const auto& ring : rings_) n += ring->coop_taskrun() ? 1 : 0;
  return n;
}

uint64_t IoUringBackend::spin_hits() const {
  uint64_t n = 0;
  for (const auto& ring : rings_) n += ring->spin_hits();
  return n;
}

}  // namespace tapvm
