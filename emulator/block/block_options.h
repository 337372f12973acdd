// Host-side choices for a block backend: which engine serves the requests
// (aio) and whether the host page cache sits between the image and the
// guest (cache). The guest cannot tell them apart (except by timing), so
// they are not part of the machine a journal describes.
//
// Pure parsing, shared by `--drive aio=…,cache=…` (machine_config.cc) and by
// tools that open backends themselves (`tapvm journal reblock --aio …
// --cache …`): one spelling, one error message. Thread-safe (no state).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "emulator/base/status.h"
#include "emulator/block/inject.h"

namespace tapvm {

// threads: a pool of workers doing pread/pwrite (ThreadPoolBackend);
// io_uring: io_uring rings, each with a thread (IoUringBackend).
enum class BlockAio : uint8_t { kThreads, kIoUring };

// writeback: buffered I/O through the host page cache; a guest flush is an
//            fdatasync (the default, as in QEMU).
// none:      O_DIRECT, bypassing the host page cache; requests whose
//            buffers, offsets or lengths are not aligned to the image's
//            direct-I/O alignment go through aligned bounce buffers. A
//            guest flush is still an fdatasync (the device's own cache).
enum class BlockCache : uint8_t { kWriteback, kNone };

// Everything needed to open a block backend on an image
// (OpenBlockBackend, emulator/block/backends/open_block_backend.h).
struct BlockBackendOptions {
  std::string path;
  bool read_only = false;
  BlockAio aio = BlockAio::kThreads;
  BlockCache cache = BlockCache::kWriteback;
  unsigned threads = 4;                      // aio=threads: the pool's size
  unsigned rings = 0;                        // aio=io_uring: rings (0: IoUringBackend::DefaultRings)
  bool registered_buffers = true;            // aio=io_uring: large reads into registered buffers
  std::shared_ptr<FaultInjector> injector;   // optional; shared with the caller (stats)
};

constexpr unsigned kMaxBlockRings = 16;

// "threads" / "io_uring"; anything else is InvalidArgument naming it.
Status ParseBlockAio(const std::string& text, BlockAio* out);
// "writeback" / "none"; anything else is InvalidArgument naming it.
Status ParseBlockCache(const std::string& text, BlockCache* out);
const char* BlockAioName(BlockAio aio);
const char* BlockCacheName(BlockCache cache);

}  // namespace tapvm
