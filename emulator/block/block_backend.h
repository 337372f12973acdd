// BlockBackend: where a block device's requests go in run and record mode.
//
// A backend stores a disk image and serves BlockRequests (emulator/tap.h)
// asynchronously: Submit() queues a request and returns at once; the answer
// arrives later through the `done` callback, on any thread (typically one
// of the backend's I/O threads), never from inside Submit() unless the
// backend is stopped. Many requests may be in flight at once and they may
// complete in any order; a device that needs ordering (a flush after
// writes) waits for the earlier completions before submitting.
//
// Devices never see this interface: they submit through the event tap, and
// the run-mode tap (emulator/tap/backends/passthrough_tap.h) forwards to the
// backend attached for the device. Implementations live in
// emulator/block/backends/ (worker threads, io_uring); filters
// (throttling, copy-before-write, fault injection) wrap a BlockBackend and
// are BlockBackends themselves.
//
// Request contract, common to every implementation (CheckBlockRequest
// below is the shared validation):
//   kRead         reads `length` bytes at `offset`; completion.data holds
//                 exactly `length` bytes on kOk, nothing otherwise.
//   kWrite        writes `data` at `offset`; `length` must equal data.size().
//   kFlush        makes every write completed before it durable.
//   kDiscard      the range's contents become unspecified (reads return
//                 zeros with the current implementations).
//   kWriteZeroes  the range reads as zeros afterwards.
// A range that does not lie entirely inside the image, a read or write
// longer than kMaxBlockTransferBytes, or a modification of a read-only
// image completes with kIoError. The completion carries the request's dev
// and id.
//
// Thread-safety: Submit, Drain and Stop may be called from any thread, but
// Drain and Stop must not be called from inside a `done` callback.
#pragma once

#include <cstdint>
#include <functional>

#include "emulator/tap.h"

namespace tapvm {

// The largest read or write a backend accepts; bounds the buffer a guest
// can make the host allocate with one request (virtio-blk requests are far
// smaller in practice).
inline constexpr uint64_t kMaxBlockTransferBytes = 64ull << 20;

class BlockBackend {
 public:
  using DoneCallback = std::function<void(BlockCompletion)>;

  virtual ~BlockBackend() = default;

  // Queues `request`; `done` is called exactly once with its completion.
  // After Stop(), `done` is called at once with kIoError.
  virtual void Submit(BlockRequest request, DoneCallback done) = 0;

  // Image size in bytes, fixed for the backend's lifetime.
  virtual uint64_t size_bytes() const = 0;
  virtual bool read_only() const = 0;

  // Blocks until no request is in flight: every submitted request has
  // completed and its `done` has returned. A caller that keeps submitting
  // from another thread may keep it waiting.
  virtual void Drain() = 0;

  // A batching hint, not a request: between Plug() and the matching
  // Unplug() the caller is about to Submit several requests (all that one
  // guest notification made available), and the backend may hold them
  // back and hand them to the host together at Unplug (io_uring: one
  // io_uring_submit for the lot). Calls pair up and may nest; a backend
  // must not hold a request past the outermost Unplug. Called from the
  // submitting thread. The default does nothing.
  virtual void Plug() {}
  virtual void Unplug() {}

  // Stops the backend: requests not yet started complete with kIoError,
  // requests being served finish, and no `done` runs after Stop returns.
  // Idempotent; destructors of implementations call it.
  virtual void Stop() = 0;
};

// The completion of `request` with `status` and no data.
inline BlockCompletion CompletionFor(const BlockRequest& request, BlockCompletion::Status status) {
  BlockCompletion c;
  c.dev = request.dev;
  c.id = request.id;
  c.status = status;
  return c;
}

// Checks a request against the contract above for an image of
// `size_bytes`; returns kOk if the backend should serve it.
inline BlockCompletion::Status CheckBlockRequest(const BlockRequest& request, uint64_t size_bytes,
                                                 bool read_only) {
  using Type = BlockRequest::Type;
  using S = BlockCompletion::Status;
  switch (request.type) {
    case Type::kFlush:
      return S::kOk;
    case Type::kWrite:
      if (request.length != request.data.size()) return S::kIoError;
      [[fallthrough]];
    case Type::kDiscard:
    case Type::kWriteZeroes:
      if (read_only) return S::kIoError;
      break;
    case Type::kRead:
      break;
    default:
      return S::kUnsupported;
  }
  if ((request.type == Type::kRead || request.type == Type::kWrite) &&
      request.length > kMaxBlockTransferBytes) {
    return S::kIoError;
  }
  // offset + length <= size, written so that it cannot overflow.
  if (request.offset > size_bytes || request.length > size_bytes - request.offset) {
    return S::kIoError;
  }
  return S::kOk;
}

}  // namespace tapvm
