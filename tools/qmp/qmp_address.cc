#include "tools/qmp/qmp_address.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace tapvm::qmp {

namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  for (;;) {
    size_t next = s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (next == std::string::npos) return out;
    pos = next + 1;
  }
}

Status Errno(const std::string& what) { return Status::IOError(what + ": " + std::strerror(errno)); }

}  // namespace

Status QmpAddress::Parse(const std::string& spec, QmpAddress* out) {
  const std::string usage = " (use unix:PATH,server or tcp:HOST:PORT,server, optionally with ,nowait)";
  std::vector<std::string> parts = Split(spec, ',');
  QmpAddress a;
  const std::string& where = parts[0];
  if (where.rfind("unix:", 0) == 0) {
    a.kind = Kind::kUnix;
    a.path = where.substr(5);
    if (a.path.empty()) return Status::InvalidArgument("--qmp '" + spec + "': empty socket path" + usage);
    if (a.path.size() >= sizeof(sockaddr_un::sun_path))
      return Status::InvalidArgument("--qmp '" + spec + "': the socket path is too long");
  } else if (where.rfind("tcp:", 0) == 0) {
    a.kind = Kind::kTcp;
    const std::string hp = where.substr(4);
    const size_t colon = hp.rfind(':');
    if (colon == std::string::npos) return Status::InvalidArgument("--qmp '" + spec + "': no port" + usage);
    a.host = hp.substr(0, colon);
    if (a.host.size() > 2 && a.host.front() == '[' && a.host.back() == ']') a.host = a.host.substr(1, a.host.size() - 2);
    const std::string port = hp.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(port) > 65535)
      return Status::InvalidArgument("--qmp '" + spec + "': bad port '" + port + "'");
    a.port = static_cast<uint16_t>(std::stoul(port));
  } else {
    return Status::InvalidArgument("--qmp '" + spec + "': unknown address" + usage);
  }
  bool server = false;
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (p == "server" || p == "server=on") server = true;
    else if (p == "nowait" || p == "wait=off") a.wait = false;
    else if (p == "wait" || p == "wait=on") a.wait = true;
    else return Status::InvalidArgument("--qmp '" + spec + "': unknown option '" + p + "' (known: server, wait, nowait)");
  }
  if (!server) return Status::InvalidArgument("--qmp '" + spec + "': tapvm only listens: add ',server'");
  *out = a;
  return Status::Ok();
}

std::string QmpAddress::ToString() const {
  if (kind == Kind::kUnix) return "unix:" + path;
  return "tcp:" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Status Listen(const QmpAddress& address, int* fd_out, uint16_t* bound_port) {
  int fd = -1;
  if (address.kind == QmpAddress::Kind::kUnix) {
    struct stat st;
    if (lstat(address.path.c_str(), &st) == 0) {
      if (!S_ISSOCK(st.st_mode))
        return Status::InvalidArgument("--qmp: '" + address.path + "' exists and is not a socket");
      unlink(address.path.c_str());  // a socket left by an earlier run
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return Errno("socket");
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, address.path.c_str(), address.path.size() + 1);
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      Status s = Errno("--qmp: cannot bind '" + address.path + "'");
      close(fd);
      return s;
    }
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    const std::string port = std::to_string(address.port);
    int rc = getaddrinfo(address.host.empty() ? nullptr : address.host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0) return Status::InvalidArgument("--qmp: cannot resolve '" + address.host + "': " + gai_strerror(rc));
    Status last = Status::IOError("--qmp: no address to listen on");
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
      fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd < 0) continue;
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
      last = Errno("--qmp: cannot bind " + address.ToString());
      close(fd);
      fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) return last;
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    *bound_port = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                                 : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  }
  if (listen(fd, 128) != 0) {
    Status s = Errno("--qmp: listen");
    close(fd);
    return s;
  }
  *fd_out = fd;
  return Status::Ok();
}

}  // namespace tapvm::qmp
