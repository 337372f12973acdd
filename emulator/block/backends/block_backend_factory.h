// OpenBlockBackend: the one place that turns a choice of host I/O (aio
// engine, host cache mode, fault-injection rules) into a BlockBackend over
// an image file. `tapvm journal reblock` opens its backends here, so a new
// backend option (cache=none, inject=RULES) is wired once, in
// block_backend_factory.cc, and every user gets it.
//
// Refuses, with InvalidArgument naming the choice, what this build cannot
// do yet (cache=none, fault injection): never silently ignores an option.
// Open errors are the backends' own (NotFound for a missing image,
// NotSupported when the host has no io_uring, ...). Thread-safe: no
// shared state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "emulator/base/status.h"
#include "emulator/block/block_backend.h"

namespace tapvm {

struct BlockBackendChoice {
  enum class Aio : uint8_t { kThreads, kIoUring } aio = Aio::kThreads;
  // writeback: through the host page cache; none: O_DIRECT (bypasses it).
  enum class Cache : uint8_t { kWriteback, kNone } cache = Cache::kWriteback;
  // Host fault-injection rules (short transfers, EAGAIN, delays, EIO), in
  // the syntax of the block layer's fault injector; empty: none.
  std::string inject;
  // Worker threads of the thread-pool backend (run mode uses 4 too).
  unsigned threads = 4;
};

// "threads" / "io_uring"; "writeback" / "none". False for anything else.
bool ParseAio(std::string_view name, BlockBackendChoice::Aio* out);
bool ParseCache(std::string_view name, BlockBackendChoice::Cache* out);
const char* AioName(BlockBackendChoice::Aio aio);
const char* CacheName(BlockBackendChoice::Cache cache);

// OK if this build can open `choice`; else InvalidArgument saying what it
// cannot do. OpenBlockBackend checks it too; callers may check it before
// doing any work.
Status CheckBlockBackendChoice(const BlockBackendChoice& choice);

// Opens `path` (read-write unless `read_only`) as `choice` says.
Status OpenBlockBackend(const BlockBackendChoice& choice, const std::string& path, bool read_only,
                        std::unique_ptr<BlockBackend>* out);

}  // namespace tapvm
