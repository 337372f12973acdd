#include "emulator/block/backends/open_block_backend.h"

#include "emulator/block/backends/io_uring_backend.h"
#include "emulator/block/backends/thread_pool_backend.h"

namespace tapvm {

Status OpenBlockBackend(const BlockBackendOptions& options, std::unique_ptr<BlockBackend>* out) {
  if (options.aio == BlockAio::kIoUring) {
    std::unique_ptr<IoUringBackend> b;
    TAPVM_RETURN_IF_ERROR(IoUringBackend::Open(options, &b));
    *out = std::move(b);
  } else {
    std::unique_ptr<ThreadPoolBackend> b;
    TAPVM_RETURN_IF_ERROR(ThreadPoolBackend::Open(options, &b));
    *out = std::move(b);
  }
  return Status::Ok();
}

}  // namespace tapvm
