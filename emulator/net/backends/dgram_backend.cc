#include "emulator/net/backends/dgram_backend.h"

#include <arpa/inet.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string_view>

namespace tapvm {

namespace {

// The largest UDP payload per family (65535 minus the IP and UDP headers).
constexpr size_t kMaxUdpPayloadV4 = 65507;
constexpr size_t kMaxUdpPayloadV6 = 65527;

Status ParsePort(std::string_view text, uint16_t* port) {
  const Status bad = Status::InvalidArgument("bad port '" + std::string(text) + "'");
  if (text.empty() || text.size() > 5) return bad;
  unsigned value = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return bad;
    value = value * 10 + static_cast<unsigned>(ch - '0');
  }
  if (value > 65535) return bad;
  *port = static_cast<uint16_t>(value);
  return Status::Ok();
}

// Fills `out` from a numeric host (IPv4, or IPv6 with or without brackets)
// and a port.
Status MakeAddress(std::string_view host, uint16_t port, sockaddr_storage* out, socklen_t* len) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string h(host);
  *out = sockaddr_storage{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(out);
  if (inet_pton(AF_INET, h.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    *len = sizeof(sockaddr_in);
    return Status::Ok();
  }
  *out = sockaddr_storage{};
  auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
  if (inet_pton(AF_INET6, h.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    *len = sizeof(sockaddr_in6);
    return Status::Ok();
  }
  return Status::InvalidArgument("not a numeric IPv4 or IPv6 address: '" + h + "'");
}

// Resolves one end ("local" or "remote") from either `end=host:port` or
// `end.host=`/`end.port=` (with an optional `end.type=inet`).
Status ParseEnd(const std::map<std::string, std::string>& kv, const std::string& end,
                sockaddr_storage* out, socklen_t* len) {
  auto find = [&](const std::string& key) -> const std::string* {
    auto it = kv.find(key);
    return it == kv.end() ? nullptr : &it->second;
  };
  const std::string* combined = find(end);
  const std::string* type = find(end + ".type");
  const std::string* host = find(end + ".host");
  const std::string* port = find(end + ".port");
  if (type != nullptr && *type != "inet") {
    return Status::NotSupported(end + ".type=" + *type + " (only inet)");
  }
  std::string_view host_text, port_text;
  if (combined != nullptr) {
    if (host != nullptr || port != nullptr) {
      return Status::InvalidArgument(end + " given both as " + end + "= and " + end + ".host/port");
    }
    size_t colon = combined->rfind(':');
    if (colon == std::string::npos) {
      return Status::InvalidArgument(end + "=" + *combined + ": no port");
    }
    host_text = std::string_view(*combined).substr(0, colon);
    port_text = std::string_view(*combined).substr(colon + 1);
    // A bare IPv6 address needs brackets to tell its colons from the port's.
    if (host_text.find(':') != std::string_view::npos && host_text.front() != '[') {
      return Status::InvalidArgument(end + "=" + *combined + ": write IPv6 as [addr]:port");
    }
  } else if (host != nullptr && port != nullptr) {
    host_text = *host;
    port_text = *port;
  } else {
    return Status::InvalidArgument("missing " + end + "=host:port");
  }
  uint16_t p = 0;
  TAPVM_RETURN_IF_ERROR(ParsePort(port_text, &p));
  if (end == "remote" && p == 0) return Status::InvalidArgument("remote port must not be 0");
  return MakeAddress(host_text, p, out, len);
}

bool SameAddress(const sockaddr_storage& a, const sockaddr_storage& b) {
  if (a.ss_family != b.ss_family) return false;
  if (a.ss_family == AF_INET) {
    const auto& x = reinterpret_cast<const sockaddr_in&>(a);
    const auto& y = reinterpret_cast<const sockaddr_in&>(b);
    return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
  }
  if (a.ss_family == AF_INET6) {
    const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
    const auto& y = reinterpret_cast<const sockaddr_in6&>(b);
    return x.sin6_port == y.sin6_port &&
           std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
  }
  return false;
}

}  // namespace

Status DgramBackend::ParseSpec(const std::string& spec, DgramSpec* out) {
  static const char* const kKeys[] = {"local",      "local.type",  "local.host", "local.port",
                                      "remote",     "remote.type", "remote.host", "remote.port"};
  std::map<std::string, std::string> kv;
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string::npos) comma = spec.size();
    std::string item = spec.substr(pos, comma - pos);
    pos = comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument("dgram: '" + item + "' is not key=value");
    }
    std::string key = item.substr(0, eq);
    bool known = false;
    for (const char* k : kKeys) known = known || key == k;
    if (!known) return Status::InvalidArgument("dgram: unknown option '" + key + "'");
    if (!kv.emplace(key, item.substr(eq + 1)).second) {
      return Status::InvalidArgument("dgram: option '" + key + "' given twice");
    }
  }
  DgramSpec s;
  socklen_t remote_len = 0;
  Status st = ParseEnd(kv, "local", &s.local, &s.addr_len);
  if (st.ok()) st = ParseEnd(kv, "remote", &s.remote, &remote_len);
  if (!st.ok()) return Status::InvalidArgument("dgram: " + st.message());
  if (s.local.ss_family != s.remote.ss_family) {
    return Status::InvalidArgument("dgram: local and remote addresses are of different families");
  }
  *out = s;
  return Status::Ok();
}

Status DgramBackend::Create(const std::string& spec, std::unique_ptr<DgramBackend>* out) {
  DgramSpec s;
  TAPVM_RETURN_IF_ERROR(ParseSpec(spec, &s));
  int fd = socket(s.local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IOError(std::string("dgram: socket: ") + std::strerror(errno));
  if (bind(fd, reinterpret_cast<const sockaddr*>(&s.local), s.addr_len) != 0) {
    int err = errno;
    close(fd);
    return Status::IOError("dgram: bind " + spec + ": " + std::strerror(err));
  }
  out->reset(new DgramBackend(fd, s));
  return Status::Ok();
}

DgramBackend::~DgramBackend() {
  Stop();
  close(fd_);
}

void DgramBackend::Send(std::span<const uint8_t> frame) {
  size_t max = spec_.remote.ss_family == AF_INET ? kMaxUdpPayloadV4 : kMaxUdpPayloadV6;
  if (frame.empty() || frame.size() > max) {
    send_drops_.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("net dgram: dropping a {}-byte frame", frame.size());
    return;
  }
  for (;;) {
    ssize_t n = sendto(fd_, frame.data(), frame.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                       reinterpret_cast<const sockaddr*>(&spec_.remote), spec_.addr_len);
    if (n >= 0) return;
    if (errno == EINTR) continue;
    send_drops_.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("net dgram: frame dropped: {}", std::strerror(errno));
    return;
  }
}

void DgramBackend::Start(FrameCallback on_frame) {
  Status st = receiver_.Start(
      fd_, [this](uint8_t* buf, size_t cap) { return ReceiveOne(buf, cap); }, std::move(on_frame));
  if (!st.ok()) spdlog::error("{}", st.ToString());
}

void DgramBackend::Stop() { receiver_.Stop(); }

ssize_t DgramBackend::ReceiveOne(uint8_t* buf, size_t cap) {
  sockaddr_storage from{};
  socklen_t from_len = sizeof from;
  // MSG_TRUNC makes recvfrom return the datagram's real length, so an
  // oversized one is recognised and dropped rather than cut short.
  ssize_t n = recvfrom(fd_, buf, cap, MSG_TRUNC | MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from),
                       &from_len);
  if (n >= 0 && !SameAddress(from, spec_.remote)) return 0;  // dropped as a runt
  return n;
}

uint16_t DgramBackend::local_port() const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
}

}  // namespace tapvm
