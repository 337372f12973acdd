#include "emulator/net/backends/tap_backend.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tapvm {

Status TapBackend::Create(const std::string& ifname, std::unique_ptr<TapBackend>* out) {
  if (ifname.size() >= IFNAMSIZ) {
    return Status::InvalidArgument("tap: interface name '" + ifname + "' is too long");
  }
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string msg = std::string("tap: /dev/net/tun: ") + std::strerror(err);
    return err == ENOENT ? Status::NotSupported(msg) : Status::IOError(msg);
  }
  ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::memcpy(ifr.ifr_name, ifname.data(), ifname.size());
  if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
    int err = errno;
    close(fd);
    return Status::IOError("tap: TUNSETIFF " + ifname + ": " + std::strerror(err));
  }
  ifr.ifr_name[IFNAMSIZ - 1] = '\0';
  out->reset(new TapBackend(fd, std::string(ifr.ifr_name)));
  return Status::Ok();
}

TapBackend::~TapBackend() {
  Stop();
  close(fd_);
}

void TapBackend::Send(std::span<const uint8_t> frame) {
  if (frame.size() < kMinFrameBytes || frame.size() > kMaxFrameBytes) {
    send_drops_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  for (;;) {
    ssize_t n = write(fd_, frame.data(), frame.size());
    if (n >= 0) return;
    if (errno == EINTR) continue;
    // EIO while the interface is down; EAGAIN when its queue is full.
    send_drops_.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("net tap {}: frame dropped: {}", ifname_, std::strerror(errno));
    return;
  }
}

void TapBackend::Start(FrameCallback on_frame) {
  Status st = receiver_.Start(
      fd_, [this](uint8_t* buf, size_t cap) { return read(fd_, buf, cap); }, std::move(on_frame));
  if (!st.ok()) spdlog::error("{}", st.ToString());
}

void TapBackend::Stop() { receiver_.Stop(); }

}  // namespace tapvm
