// OpenBlockBackend: the one way to open a block backend on an image from
// its host-side options (block_options.h): the engine (aio=threads or
// io_uring), the cache mode (writeback, or none for O_DIRECT), read-only,
// the worker count, and an optional FaultInjector (inject.h) that the
// backend consults before every host call.
//
// Used by the machine's drives (emulator/machine/backends/host_backends.cc)
// and by tools that replay block requests outside a machine (`tapvm
// journal reblock`). Errors name the image and the cause: NotFound for a
// missing image, NotSupported when the host has no io_uring or the file
// system refuses O_DIRECT, InvalidArgument for a bad option.
#pragma once

#include <memory>

#include "emulator/base/status.h"
#include "emulator/block/block_backend.h"
#include "emulator/block/block_options.h"

namespace tapvm {

Status OpenBlockBackend(const BlockBackendOptions& options, std::unique_ptr<BlockBackend>* out);

}  // namespace tapvm
