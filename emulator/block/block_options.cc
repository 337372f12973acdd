#include "emulator/block/block_options.h"

namespace tapvm {

Status ParseBlockAio(const std::string& text, BlockAio* out) {
  if (text == "threads") return *out = BlockAio::kThreads, Status::Ok();
  if (text == "io_uring") return *out = BlockAio::kIoUring, Status::Ok();
  return Status::InvalidArgument("aio must be threads or io_uring (got '" + text + "')");
}

Status ParseBlockCache(const std::string& text, BlockCache* out) {
  if (text == "writeback") return *out = BlockCache::kWriteback, Status::Ok();
  if (text == "none") return *out = BlockCache::kNone, Status::Ok();
  return Status::InvalidArgument("cache must be writeback or none (got '" + text + "')");
}

const char* BlockAioName(BlockAio aio) { return aio == BlockAio::kIoUring ? "io_uring" : "threads"; }

const char* BlockCacheName(BlockCache cache) { return cache == BlockCache::kNone ? "none" : "writeback"; }

}  // namespace tapvm
