#include "ft/socket.h"

#include "ft/channel_options.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

namespace tapvm::ft {
namespace {

constexpr size_t kReadBudget = 8u << 20;   // bytes per Read call, so the loop stays responsive
constexpr size_t kBodyStep = 64u << 10;    // first allocation of a frame body
constexpr size_t kStageBytes = 64u << 10;  // bytes one recv takes
constexpr size_t kSendIov = 64;            // frames one sendmsg takes
// A connecting side retries soon at first (the pair's two processes start
// together), then backs off to kConnectRetry.
constexpr auto kFirstConnectRetry = std::chrono::milliseconds(2);
constexpr auto kConnectRetry = std::chrono::milliseconds(10);

Status Errno(const std::string& what) { return Status::IOError(what + ": " + std::strerror(errno)); }

int PollMs(Clock::duration d) {
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(d).count();
  return static_cast<int>(std::clamp<int64_t>(ms, 0, 60'000));
}

Status Resolve(const std::string& host, uint16_t port, sockaddr_in* sa) {
  std::memset(sa, 0, sizeof *sa);
  sa->sin_family = AF_INET;
  sa->sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &sa->sin_addr) != 1) {
    return Status::InvalidArgument("not an IPv4 address: '" + host + "'");
  }
  return Status::Ok();
}

// Sleeps until `d` passed or the waker fired. True when woken.
bool SleepOrWake(Clock::duration d, Waker* waker) {
  pollfd p{waker->fd(), POLLIN, 0};
  return poll(&p, 1, PollMs(d)) > 0;
}

void SetNoDelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

Waker::Waker() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
Waker::~Waker() {
  if (fd_ >= 0) close(fd_);
}
void Waker::Wake() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(fd_, &one, sizeof one);
}
void Waker::Drain() {
  uint64_t v;
  [[maybe_unused]] ssize_t n = read(fd_, &v, sizeof v);
}

Status ListenTcp(const std::string& host, uint16_t port, int* fd, uint16_t* bound) {
  sockaddr_in sa;
  TAPVM_RETURN_IF_ERROR(Resolve(host, port, &sa));
  const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return Errno("socket");
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    Status st = Errno("binding " + host + ":" + std::to_string(port));
    close(s);
    return st;
  }
  if (listen(s, 4) != 0) {
    Status st = Errno("listen");
    close(s);
    return st;
  }
  socklen_t len = sizeof sa;
  getsockname(s, reinterpret_cast<sockaddr*>(&sa), &len);
  *bound = ntohs(sa.sin_port);
  *fd = s;
  return Status::Ok();
}

Status AcceptUntil(int listen_fd, Clock::time_point deadline, Waker* waker, const std::atomic<bool>* stop, int* fd) {
  for (;;) {
    const auto now = Clock::now();
    if (now >= deadline) return Status::IOError("no peer connected before the connect timeout");
    pollfd p[2] = {{listen_fd, POLLIN, 0}, {waker->fd(), POLLIN, 0}};
    if (poll(p, 2, PollMs(deadline - now)) < 0 && errno != EINTR) return Errno("poll");
    if (p[1].revents != 0) {
      waker->Drain();
      if (*stop) return Status::IOError("stopped before a peer connected");
    }
    if (p[0].revents != 0) {
      const int s = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (s >= 0) {
        SetNoDelay(s);
        *fd = s;
        return Status::Ok();
      }
      if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) return Errno("accept");
    }
  }
}

Status ConnectUntil(const std::string& host, uint16_t port, Clock::time_point deadline, Waker* waker,
                    const std::atomic<bool>* stop, int* fd) {
  sockaddr_in sa;
  TAPVM_RETURN_IF_ERROR(Resolve(host, port, &sa));
  Clock::duration retry = kFirstConnectRetry;
  for (;;) {
    if (*stop) return Status::IOError("stopped before connecting");
    const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return Errno("socket");
    if (connect(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
      SetNoDelay(s);
      *fd = s;
      return Status::Ok();
    }
    const int err = errno;
    close(s);
    if (err != ECONNREFUSED && err != EINTR && err != ETIMEDOUT && err != ECONNRESET) {
      errno = err;
      return Errno("connecting to " + host + ":" + std::to_string(port));
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      return Status::IOError("nobody listens on " + host + ":" + std::to_string(port) + " (connect timeout)");
    }
    if (SleepOrWake(std::min<Clock::duration>(retry, deadline - now), waker)) waker->Drain();
    retry = std::min<Clock::duration>(retry * 2, kConnectRetry);
  }
}

FrameConn::FrameConn(int fd, uint32_t max_frame_bytes) : fd_(fd), max_frame_bytes_(max_frame_bytes) {
  fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

FrameConn::~FrameConn() { close(fd_); }

void FrameConn::QueueFrame(std::vector<uint8_t> frame) {
  bytes_queued_ += frame.size();
  out_bytes_ += frame.size();
  out_.push_back(std::move(frame));
}

Status FrameConn::Flush() {
  // Frames go out many to a sendmsg: one system call per frame would cost
  // the CPU thread's core as much as the events themselves.
  while (!out_.empty()) {
    iovec iov[kSendIov];
    size_t count = 0;
    for (auto it = out_.begin(); it != out_.end() && count < kSendIov; ++it, ++count) {
      const size_t skip = count == 0 ? out_offset_ : 0;
      iov[count].iov_base = const_cast<uint8_t*>(it->data() + skip);
      iov[count].iov_len = it->size() - skip;
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = count;
    const ssize_t n = sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return Status::Ok();
      if (errno == EPIPE || errno == ECONNRESET) {
        // The peer is gone: what we had to say is moot. Read reports the
        // end (or the frame it cut).
        out_.clear();
        out_offset_ = out_bytes_ = 0;
        return Status::Ok();
      }
      return Errno("sending to the peer");
    }
    size_t sent = static_cast<size_t>(n);
    out_bytes_ -= sent;
    while (sent > 0) {
      const size_t left = out_.front().size() - out_offset_;
      if (sent < left) {
        out_offset_ += sent;
        break;
      }
      sent -= left;
      out_.pop_front();
      out_offset_ = 0;
    }
  }
  return Status::Ok();
}

void FrameConn::ShutdownWrite() { shutdown(fd_, SHUT_WR); }

Status FrameConn::Read(bool* eof) {
  *eof = false;
  if (!deferred_.ok()) return deferred_;
  Status st = ReadSome(eof);
  if (!st.ok() && !in_.empty()) {
    // The whole frames before the failure are reported first (a caller
    // checks and uses them); the next Read reports the failure.
    deferred_ = st;
    return Status::Ok();
  }
  return st;
}

Status FrameConn::ReadSome(bool* eof) {
  // One recv takes many small frames at once (an event stream is mostly
  // frames of ~100 bytes); the bytes are then cut into frames here.
  if (stage_.empty()) stage_.resize(kStageBytes);
  size_t budget = kReadBudget;
  while (budget > 0) {
    ssize_t n = recv(fd_, stage_.data(), std::min(stage_.size(), budget), 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return Status::Ok();
      if (errno != ECONNRESET) return Errno("receiving from the peer");
      n = 0;  // a reset ends the stream like a close
    }
    if (n == 0) {
      if (header_fill_ == 0) {
        *eof = true;
        return Status::Ok();
      }
      if (header_fill_ < kFrameHeaderSize) {
        return Status::IOError("connection cut in the middle of a frame header (" + std::to_string(header_fill_) +
                               " of " + std::to_string(kFrameHeaderSize) + " bytes, frame " +
                               std::to_string(frames_read_ + 1) + ")");
      }
      return Status::IOError("connection cut in the middle of a frame (" + std::to_string(body_fill_) + " of " +
                             std::to_string(body_len_) + " bytes, frame " + std::to_string(frames_read_ + 1) + ")");
    }
    budget -= static_cast<size_t>(n);
    bytes_read_ += static_cast<uint64_t>(n);
    TAPVM_RETURN_IF_ERROR(Consume(std::span<const uint8_t>(stage_.data(), static_cast<size_t>(n))));
    if (static_cast<size_t>(n) < stage_.size()) return Status::Ok();  // the socket is drained
  }
  return Status::Ok();
}

Status FrameConn::Consume(std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    if (header_fill_ < kFrameHeaderSize) {
      const size_t take = std::min(bytes.size(), kFrameHeaderSize - header_fill_);
      std::memcpy(header_ + header_fill_, bytes.data(), take);
      header_fill_ += take;
      bytes = bytes.subspan(take);
      if (header_fill_ < kFrameHeaderSize) return Status::Ok();
      uint32_t len = 0;
      TAPVM_RETURN_IF_ERROR(ParseFrameHeader(header_, max_frame_bytes_, &len));
      body_len_ = len;
      body_fill_ = 0;
      // The body grows with the bytes that came, never to a length the
      // peer only announced.
      body_.clear();
      body_.reserve(std::min(body_len_, kBodyStep));
    }
    const size_t take = std::min(bytes.size(), body_len_ - body_fill_);
    body_.insert(body_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
    body_fill_ += take;
    bytes = bytes.subspan(take);
    if (body_fill_ == body_len_) {
      in_.push_back(std::move(body_));
      body_ = {};
      header_fill_ = 0;
      ++frames_read_;
    }
  }
  return Status::Ok();
}

Status FrameConn::Pop(Message* m) {
  std::vector<uint8_t> body = std::move(in_.front());
  in_.pop_front();
  return DecodeMessage(body, m);
}

Status FrameConn::Wait(bool want_read, Clock::duration timeout, Waker* waker, bool* readable, bool* woken) {
  if (want_read && !deferred_.ok()) {  // Read has a failure to report now
    *readable = true;
    *woken = false;
    return Status::Ok();
  }
  pollfd p[2] = {{fd_, static_cast<short>((want_read ? POLLIN : 0) | (WantWrite() ? POLLOUT : 0)), 0},
                 {waker->fd(), POLLIN, 0}};
  // With nothing wanted from the socket, poll only the waker: a hung-up
  // socket would otherwise wake us in a loop.
  const bool use_sock = p[0].events != 0;
  const int n = use_sock ? poll(p, 2, PollMs(timeout)) : poll(&p[1], 1, PollMs(timeout));
  if (n < 0 && errno != EINTR) return Errno("poll");
  *readable = use_sock && want_read && (p[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
  *woken = p[1].revents != 0;
  if (*woken) waker->Drain();
  return Status::Ok();
}

namespace {

// One Hello exchange on a fresh connection. *dropped: the peer closed it
// before saying anything (a proxy or gateway whose far side is not up yet:
// a connecting side tries again).
Status ExchangeHellos(const ChannelOptions& o, Role my_role, int fd, Clock::time_point deadline, Waker* waker,
                      const std::atomic<bool>* stop, std::unique_ptr<FrameConn>* conn, RunId* run_id, bool* dropped) {
  *dropped = false;
  auto c = std::make_unique<FrameConn>(fd, o.max_frame_bytes);
  Hello mine;
  mine.run_id = o.run_id;
  mine.role = my_role;
  mine.config_hash = o.config_hash;
  mine.identity = o.identity;
  c->Queue(mine);
  while (!c->HasMessage()) {
    Status st = c->Flush();
    if (!st.ok()) {
      *dropped = c->bytes_read() == 0;
      return st;
    }
    const auto now = Clock::now();
    if (now >= deadline) return Status::IOError("no hello from the peer before the connect timeout");
    bool readable = false, woken = false;
    TAPVM_RETURN_IF_ERROR(c->Wait(true, deadline - now, waker, &readable, &woken));
    if (*stop) return Status::IOError("stopped during the hello exchange");
    if (readable) {
      bool eof = false;
      st = c->Read(&eof);
      if (!st.ok() || (eof && !c->HasMessage())) {
        *dropped = c->bytes_read() == 0;
        return st.ok() ? Status::IOError("the peer closed the connection during the hello exchange") : st;
      }
    }
  }
  Message m;
  TAPVM_RETURN_IF_ERROR(c->Pop(&m));
  const Hello* theirs = std::get_if<Hello>(&m);
  if (theirs == nullptr) return Status::Corruption(std::string("expected a hello from the peer, got ") + MessageName(m));
  TAPVM_RETURN_IF_ERROR(CheckHello(mine, *theirs, my_role == Role::kPrimary ? Role::kSecondary : Role::kPrimary));
  *run_id = mine.run_id.empty() ? theirs->run_id : mine.run_id;
  *conn = std::move(c);
  return Status::Ok();
}

}  // namespace

Status EstablishChannel(const ChannelOptions& o, Role my_role, int* listen_fd, Waker* waker,
                        const std::atomic<bool>* stop, std::unique_ptr<FrameConn>* conn, RunId* run_id) {
  const auto deadline = Clock::now() + o.connect_timeout;
  if (*listen_fd >= 0) {
    int fd = -1;
    Status st = AcceptUntil(*listen_fd, deadline, waker, stop, &fd);
    close(*listen_fd);  // one peer per channel: later ones are refused
    *listen_fd = -1;
    TAPVM_RETURN_IF_ERROR(st);
    bool dropped = false;
    return ExchangeHellos(o, my_role, fd, deadline, waker, stop, conn, run_id, &dropped);
  }
  for (;;) {
    int fd = -1;
    TAPVM_RETURN_IF_ERROR(ConnectUntil(o.host, o.port, deadline, waker, stop, &fd));
    bool dropped = false;
    Status st = ExchangeHellos(o, my_role, fd, deadline, waker, stop, conn, run_id, &dropped);
    if (st.ok() || !dropped || Clock::now() >= deadline) return st;
    if (SleepOrWake(std::min<Clock::duration>(kConnectRetry, deadline - Clock::now()), waker)) waker->Drain();
  }
}

}  // namespace tapvm::ft
