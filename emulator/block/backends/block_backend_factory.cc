#include "emulator/block/backends/block_backend_factory.h"

#include "emulator/block/backends/io_uring_backend.h"
#include "emulator/block/backends/thread_pool_backend.h"

namespace tapvm {

bool ParseAio(std::string_view name, BlockBackendChoice::Aio* out) {
  if (name == "threads") *out = BlockBackendChoice::Aio::kThreads;
  else if (name == "io_uring") *out = BlockBackendChoice::Aio::kIoUring;
  else return false;
  return true;
}

bool ParseCache(std::string_view name, BlockBackendChoice::Cache* out) {
  if (name == "writeback") *out = BlockBackendChoice::Cache::kWriteback;
  else if (name == "none") *out = BlockBackendChoice::Cache::kNone;
  else return false;
  return true;
}

const char* AioName(BlockBackendChoice::Aio aio) {
  return aio == BlockBackendChoice::Aio::kIoUring ? "io_uring" : "threads";
}

const char* CacheName(BlockBackendChoice::Cache cache) {
  return cache == BlockBackendChoice::Cache::kNone ? "none" : "writeback";
}

Status CheckBlockBackendChoice(const BlockBackendChoice& choice) {
  // Neither exists in this build's backends yet; refusing keeps a run that
  // asked for them from passing without having exercised them.
  if (choice.cache != BlockBackendChoice::Cache::kWriteback)
    return Status::InvalidArgument(std::string("cache=") + CacheName(choice.cache) +
                                   " is not available in this build (only cache=writeback)");
  if (!choice.inject.empty())
    return Status::InvalidArgument("fault injection (inject=" + choice.inject +
                                   ") is not available in this build");
  return Status::Ok();
}

Status OpenBlockBackend(const BlockBackendChoice& choice, const std::string& path, bool read_only,
                        std::unique_ptr<BlockBackend>* out) {
  TAPVM_RETURN_IF_ERROR(CheckBlockBackendChoice(choice));
  if (choice.aio == BlockBackendChoice::Aio::kIoUring) {
    std::unique_ptr<IoUringBackend> u;
    TAPVM_RETURN_IF_ERROR(IoUringBackend::Open(path, read_only, &u));
    *out = std::move(u);
    return Status::Ok();
  }
  std::unique_ptr<ThreadPoolBackend> t;
  TAPVM_RETURN_IF_ERROR(ThreadPoolBackend::Open(path, read_only, choice.threads, &t));
  *out = std::move(t);
  return Status::Ok();
}

}  // namespace tapvm
