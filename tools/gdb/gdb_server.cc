#include "tools/gdb/gdb_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "tools/gdb/gdb_session.h"
#include "tools/gdb/rsp_packet.h"

namespace tapvm::gdb {

namespace {

Status ParseSpec(const std::string& spec, sockaddr_in* addr, std::string* host) {
  const size_t colon = spec.rfind(':');
  if (colon == std::string::npos)
    return Status::InvalidArgument("--gdb wants HOST:PORT (e.g. 127.0.0.1:1234), not '" + spec + "'");
  *host = spec.substr(0, colon);
  if (host->empty() || *host == "localhost") *host = "127.0.0.1";
  const std::string port = spec.substr(colon + 1);
  char* end = nullptr;
  const unsigned long p = std::strtoul(port.c_str(), &end, 10);
  if (port.empty() || *end || p > 65535) return Status::InvalidArgument("--gdb: bad port '" + port + "'");
  std::memset(addr, 0, sizeof *addr);
  addr->sin_family = AF_INET;
  addr->sin_port = htons(static_cast<uint16_t>(p));
  if (inet_pton(AF_INET, host->c_str(), &addr->sin_addr) != 1)
    return Status::InvalidArgument("--gdb: '" + *host + "' is not an IPv4 address");
  return Status::Ok();
}

bool SendAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// What the reader thread hands to Serve.
struct Inbox {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<RspEvent> events;
  bool closed = false;
};

}  // namespace

Status GdbServer::CheckSpec(const std::string& spec) {
  sockaddr_in addr;
  std::string host;
  return ParseSpec(spec, &addr, &host);
}

Status GdbServer::Listen(const std::string& spec, std::unique_ptr<GdbServer>* out) {
  sockaddr_in addr;
  std::unique_ptr<GdbServer> s(new GdbServer());
  TAPVM_RETURN_IF_ERROR(ParseSpec(spec, &addr, &s->host_));
  s->listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s->listen_fd_ < 0) return Status::IOError(std::string("gdb socket: ") + std::strerror(errno));
  const int one = 1;
  ::setsockopt(s->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(s->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || ::listen(s->listen_fd_, 1) < 0)
    return Status::IOError("cannot listen on " + spec + ": " + std::strerror(errno));
  socklen_t len = sizeof addr;
  ::getsockname(s->listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  s->port_ = ntohs(addr.sin_port);
  *out = std::move(s);
  return Status::Ok();
}

GdbServer::~GdbServer() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

Status GdbServer::Serve(DebugTarget* target, const std::function<void(const std::string&)>& log) {
  int fd;
  do {
    fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Status::IOError(std::string("gdb accept: ") + std::strerror(errno));
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  Inbox inbox;
  std::thread reader([fd, target, &inbox] {
    RspDecoder decoder(GdbSession::kPacketSize + 64);
    char buf[4096];
    std::vector<RspEvent> events;
    while (true) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      events.clear();
      decoder.Feed(std::string_view(buf, static_cast<size_t>(n)), &events);
      std::lock_guard<std::mutex> lock(inbox.mu);
      for (RspEvent& e : events) {
        if (e.kind == RspEvent::Kind::kInterrupt) {
          target->Interrupt();
        } else {
          inbox.events.push_back(std::move(e));
        }
      }
      inbox.cv.notify_one();
    }
    target->Interrupt();  // a run in progress stops: nobody waits for it
    std::lock_guard<std::mutex> lock(inbox.mu);
    inbox.closed = true;
    inbox.cv.notify_one();
  });

  GdbSession session(target, log);
  bool acks = true;
  std::string last_sent;
  bool ok = true;
  while (ok) {
    RspEvent e;
    {
      std::unique_lock<std::mutex> lock(inbox.mu);
      inbox.cv.wait(lock, [&] { return !inbox.events.empty() || inbox.closed; });
      if (inbox.events.empty()) break;  // closed, and nothing left
      e = std::move(inbox.events.front());
      inbox.events.pop_front();
    }
    switch (e.kind) {
      case RspEvent::Kind::kAck: case RspEvent::Kind::kInterrupt: break;
      case RspEvent::Kind::kNak:
        if (!last_sent.empty()) ok = SendAll(fd, last_sent);
        break;
      case RspEvent::Kind::kBadChecksum:
        if (acks) ok = SendAll(fd, "-");
        break;
      case RspEvent::Kind::kOversized:
        last_sent = EncodePacket("E01");
        ok = SendAll(fd, (acks ? "+" : "") + last_sent);
        break;
      case RspEvent::Kind::kPacket: {
        if (acks) ok = SendAll(fd, "+");
        const GdbSession::Reply r = session.Handle(e.payload);
        if (r.send && ok) {
          last_sent = EncodePacket(r.payload);
          ok = SendAll(fd, last_sent);
        }
        if (r.after == GdbSession::Reply::After::kStartNoAck) acks = false;
        if (r.after == GdbSession::Reply::After::kClose) ok = false;
        break;
      }
    }
  }
  ::shutdown(fd, SHUT_RDWR);
  reader.join();
  ::close(fd);
  return Status::Ok();
}

}  // namespace tapvm::gdb
