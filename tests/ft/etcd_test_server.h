// A real etcd for the FT tests: /usr/bin/etcd (Debian's etcd-server) on
// loopback ports that were free, its data in a fresh temporary folder.
// The destructor kills it and removes the folder; if the test process dies
// first, the kernel kills etcd with it (PR_SET_PDEATHSIG).
//
// Its election is tuned fast (10 ms heartbeat, 100 ms election timeout):
// it answers within a fraction of a second, and leases as short as 1 s
// are honoured (etcd's minimum TTL is 1.5 election timeouts).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/ft/ft_test_util.h"

namespace tapvm::ft::testutil {

// One HTTP/1.0 POST to 127.0.0.1:`port` with 5 s socket timeouts: the
// whole reply (status line, headers, body), or "" when nothing came.
inline std::string HttpPost(uint16_t port, const std::string& path, const std::string& body) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string reply;
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
    const std::string request = "POST " + path + " HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body;
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = recv(fd, buf, sizeof buf, 0)) > 0) reply.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  return reply;
}

class EtcdTestServer {
 public:
  // Starts etcd and waits (up to 20 s) until it answers; null with *why.
  static std::unique_ptr<EtcdTestServer> Start(std::string* why) {
    char dir[] = "/tmp/tapvm_etcd_XXXXXX";
    if (mkdtemp(dir) == nullptr) {
      *why = "mkdtemp failed";
      return nullptr;
    }
    std::unique_ptr<EtcdTestServer> server(new EtcdTestServer(dir));
    // A port found free may be taken before etcd binds it: then etcd
    // exits, and we try other ports.
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (server->Launch(why)) return server;
    }
    return nullptr;
  }

  ~EtcdTestServer() {
    Stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  uint16_t port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  explicit EtcdTestServer(std::string dir) : dir_(std::move(dir)) {}

  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  bool Launch(std::string* why) {
    port_ = FreePort();
    uint16_t peer = FreePort();
    while (peer == port_) peer = FreePort();
    const std::string client_url = "http://127.0.0.1:" + std::to_string(port_);
    const std::string peer_url = "http://127.0.0.1:" + std::to_string(peer);
    const std::string log = dir_ + "/etcd.log";
    std::vector<std::string> args = {"/usr/bin/etcd",
                                     "--data-dir=" + dir_ + "/data",
                                     "--listen-client-urls=" + client_url,
                                     "--advertise-client-urls=" + client_url,
                                     "--listen-peer-urls=" + peer_url,
                                     "--initial-advertise-peer-urls=" + peer_url,
                                     "--initial-cluster=default=" + peer_url,
                                     "--heartbeat-interval=10",
                                     "--election-timeout=100",
                                     "--logger=zap",
                                     "--log-level=warn"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) {
      *why = "fork failed";
      return false;
    }
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(126);
      const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (out >= 0) {
        dup2(out, 1);
        dup2(out, 2);
      }
      execv(argv[0], argv.data());
      _exit(127);
    }

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        *why = "etcd exited at start (status " + std::to_string(status) + "): " + Tail(log);
        return false;
      }
      // Any answer of etcd's gateway carries a header.
      if (HttpPost(port_, "/v3/kv/range", R"({"key":"eA=="})").find("\"header\"") != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Stop();
    *why = "etcd did not answer on " + client_url + " within 20 s: " + Tail(log);
    return false;
  }

  // The end of etcd's log, for a failure message (the folder goes).
  static std::string Tail(const std::string& path) {
    std::ifstream in(path);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.size() > 1500 ? text.substr(text.size() - 1500) : text;
  }

  std::string dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace tapvm::ft::testutil
