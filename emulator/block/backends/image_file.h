// Opening a disk image for a block backend: a regular file or a block
// device, read-only or read-write, and its size. Shared by the backends so
// they refuse the same things with the same messages.
#pragma once

#include <cstdint>
#include <string>

#include "emulator/base/status.h"

namespace tapvm {

// On success *fd is an open O_CLOEXEC descriptor the caller owns and *size
// the image's size in bytes. NotFound for a missing file, InvalidArgument
// for something that is neither a regular file nor a block device,
// IOError otherwise. The image is locked (flock) while the descriptor is
// open: exclusively when writable, shared when read-only; an image in use
// that way is refused (InvalidArgument).
Status OpenImageFile(const std::string& path, bool read_only, int* fd, uint64_t* size);
// The same with O_DIRECT when `direct` (cache=none); a file system that
// refuses O_DIRECT is NotSupported, with a message that says to use
// cache=writeback.
Status OpenImageFile(const std::string& path, bool read_only, bool direct, int* fd, uint64_t* size);
// A second, buffered descriptor for the file `fd` has open (what a
// cache=none backend uses for the partial block at the end of an image and
// for writing zeros from an unaligned buffer). IOError on failure.
Status ReopenBuffered(int fd, const std::string& path, bool read_only, int* out);

}  // namespace tapvm
