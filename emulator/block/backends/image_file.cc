#include "emulator/block/backends/image_file.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tapvm {

namespace {
std::string ErrnoText(const std::string& what, int err) { return what + ": " + std::strerror(err); }
}  // namespace

Status OpenImageFile(const std::string& path, bool read_only, int* fd_out, uint64_t* size_out) {
  return OpenImageFile(path, read_only, false, fd_out, size_out);
}

Status ReopenBuffered(int fd, const std::string& path, bool read_only, int* out) {
  // Through /proc so that it is the same file even if `path` was renamed.
  const std::string self = "/proc/self/fd/" + std::to_string(fd);
  const int flags = (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
  int r = ::open(self.c_str(), flags);
  if (r < 0) r = ::open(path.c_str(), flags);
  if (r < 0) return Status::IOError(ErrnoText(path + ": reopening without O_DIRECT", errno));
  *out = r;
  return Status::Ok();
}

Status OpenImageFile(const std::string& path, bool read_only, bool direct, int* fd_out, uint64_t* size_out) {
  int fd = ::open(path.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | (direct ? O_DIRECT : 0));
  if (fd < 0) {
    int err = errno;
    std::string msg = ErrnoText(path, err);
    if (direct && err == EINVAL)
      return Status::NotSupported(path + ": the file system does not support O_DIRECT (cache=none); "
                                  "use cache=writeback for an image there");
    return err == ENOENT ? Status::NotFound(msg) : Status::IOError(msg);
  }
  struct stat st;
  uint64_t size = 0;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::IOError(ErrnoText(path, err));
  }
  if (S_ISREG(st.st_mode)) {
    size = static_cast<uint64_t>(st.st_size);
  } else if (S_ISBLK(st.st_mode)) {
    if (ioctl(fd, BLKGETSIZE64, &size) != 0) {
      int err = errno;
      ::close(fd);
      return Status::IOError(ErrnoText(path + ": BLKGETSIZE64", err));
    }
  } else {
    ::close(fd);
    return Status::InvalidArgument(path + ": not a regular file or block device");
  }
  // As QEMU does: a writable image is ours alone, a read-only one may be
  // shared with other readers. The same writable image attached twice, or
  // by two tapvm at once, would be corrupted by both.
  if (flock(fd, (read_only ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK)
      return Status::InvalidArgument(path + ": the image is in use (attached " +
                                     (read_only ? "writable elsewhere" : "elsewhere, or twice here") +
                                     "); give each drive its own image, or use readonly=on on every user");
    return Status::IOError(ErrnoText(path + ": cannot lock", err));
  }
  *fd_out = fd;
  *size_out = size;
  return Status::Ok();
}

}  // namespace tapvm
