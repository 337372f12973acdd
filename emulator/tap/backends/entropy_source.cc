#include "emulator/tap/backends/entropy_source.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace tapvm {

EntropySource::~EntropySource() {
  if (urandom_fd_ >= 0) close(urandom_fd_);
}

Status EntropySource::Fill(std::span<uint8_t> out) {
  bool use_getrandom;
  {
    std::lock_guard<std::mutex> lock(mu_);
    use_getrandom = use_getrandom_;
  }
  size_t done = 0;
  while (use_getrandom && done < out.size()) {
    // getrandom returns at most 32 MiB per call and may be cut short by a
    // signal for requests over 256 bytes: loop.
    ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == ENOSYS) {
      spdlog::debug("entropy: getrandom unavailable, using /dev/urandom");
      std::lock_guard<std::mutex> lock(mu_);
      use_getrandom_ = false;
      use_getrandom = false;
    } else {
      return Status::IOError(std::string("entropy: getrandom: ") + std::strerror(errno));
    }
  }
  if (done == out.size()) return Status::Ok();
  return FillFromUrandom(out.subspan(done));
}

Status EntropySource::FillFromUrandom(std::span<uint8_t> out) {
  int fd;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (urandom_fd_ < 0) {
      urandom_fd_ = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
      if (urandom_fd_ < 0) {
        return Status::IOError(std::string("entropy: /dev/urandom: ") + std::strerror(errno));
      }
    }
    fd = urandom_fd_;  // stays open until the destructor
  }
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = read(fd, out.data() + done, out.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return Status::IOError(std::string("entropy: /dev/urandom read: ") +
                             (n == 0 ? "end of file" : std::strerror(errno)));
    }
  }
  return Status::Ok();
}

}  // namespace tapvm
