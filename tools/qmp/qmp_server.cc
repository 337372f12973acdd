#include "tools/qmp/qmp_server.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "tools/qmp/json_framer.h"

namespace tapvm::qmp {

namespace {

constexpr size_t kReadChunk = 16 << 10;

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace

struct QmpServer::Client {
  Client(int fd, const QmpServerLimits& l) : fd(fd), framer(l.max_message, l.max_depth) {}
  ~Client() { close(fd); }
  int fd;
  uint64_t id = 0;
  JsonFramer framer;
  QmpDispatcher::Session session;   // the command thread's, kept here between requests
  std::deque<std::string> pending;  // framed, not yet handed to the command thread
  std::string fatal;                // a framing error, answered after what came before it
  size_t queued = 0;                // requests with the command thread
  std::string out;
  size_t out_off = 0;
  bool read_closed = false;  // end of input (or a framing error): no more reads
  bool dead = false;         // the connection is unusable: drop it once nothing is queued
};

QmpServer::QmpServer(const QmpDispatcher* dispatcher, QmpServerLimits limits)
    : dispatcher_(dispatcher), limits_(limits) {}

QmpServer::~QmpServer() { Stop(std::chrono::milliseconds(0)); }

Status QmpServer::Start(const QmpAddress& address) {
  address_ = address;
  uint16_t port = 0;
  TAPVM_RETURN_IF_ERROR(Listen(address, &listen_fd_, &port));
  if (address_.kind == QmpAddress::Kind::kTcp) address_.port = port;
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    close(listen_fd_);
    return Status::IOError(std::string("eventfd: ") + std::strerror(errno));
  }
  started_ = true;
  io_thread_ = std::thread([this] { IoLoop(); });
  command_thread_ = std::thread([this] { CommandLoop(); });
  return Status::Ok();
}

std::string QmpServer::address() const { return address_.ToString(); }

void QmpServer::Wake() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
}

bool QmpServer::WaitForClient(const std::function<bool()>& give_up) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!any_client_) {
    if (give_up && give_up()) return false;
    cv_.wait_for(lock, std::chrono::milliseconds(100));
  }
  return true;
}

void QmpServer::Send(Client& c, const Json& message) {
  if (c.dead) return;
  c.out += Dump(message);
  c.out += '\n';
  if (c.out.size() - c.out_off > limits_.max_output) {
    spdlog::warn("qmp: a client does not read its output ({} bytes waiting); disconnecting it",
                 c.out.size() - c.out_off);
    c.dead = true;
  }
}

void QmpServer::Emit(const std::string& name, Json data) {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  const Json event{{"timestamp", {{"seconds", static_cast<int64_t>(tv.tv_sec)},
                                  {"microseconds", static_cast<int64_t>(tv.tv_usec)}}},
                   {"event", name},
                   {"data", std::move(data)}};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!started_) return;
    for (auto& [id, c] : clients_)
      if (c->session.negotiated) Send(*c, event);
  }
  Wake();
}

// Hands a client's framed requests to the command thread, at most
// max_queued at a time (mu_ held).
void QmpServer::Pump(Client& c) {
  bool added = false;
  while (!stopping_ && c.queued < limits_.max_queued && !c.pending.empty()) {
    requests_.push_back(Request{c.id, std::move(c.pending.front()), false});
    c.pending.pop_front();
    ++c.queued;
    added = true;
  }
  if (!stopping_ && c.pending.empty() && !c.fatal.empty() && c.queued < limits_.max_queued) {
    requests_.push_back(Request{c.id, std::move(c.fatal), true});
    c.fatal.clear();
    ++c.queued;
    added = true;
  }
  if (added) cv_.notify_all();
}

void QmpServer::Accept() {
  for (;;) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) spdlog::warn("qmp: accept: {}", std::strerror(errno));
      return;
    }
    if (clients_.size() >= limits_.max_clients) {
      const std::string line = Dump(ErrorResponse(QmpError::Generic(
                                   "too many QMP clients (at most " + std::to_string(limits_.max_clients) + ")"))) +
                               "\n";
      [[maybe_unused]] ssize_t n = send(fd, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      close(fd);
      continue;
    }
    auto c = std::make_unique<Client>(fd, limits_);
    c->id = next_client_++;
    Send(*c, dispatcher_->Greeting());
    clients_[c->id] = std::move(c);
    any_client_ = true;
    cv_.notify_all();
  }
}

bool QmpServer::ReadFrom(Client& c) {
  char buf[kReadChunk];
  ssize_t n;
  do n = recv(c.fd, buf, sizeof buf, MSG_DONTWAIT); while (n < 0 && errno == EINTR);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
  if (n == 0) {
    c.read_closed = true;  // answer what it sent, then close
    return true;
  }
  std::vector<std::string> texts;
  std::string error;
  const bool ok = c.framer.Feed(std::string_view(buf, static_cast<size_t>(n)), &texts, &error);
  for (std::string& t : texts) c.pending.push_back(std::move(t));
  if (!ok) {
    c.fatal = error + "; closing the connection";
    c.read_closed = true;
  }
  Pump(c);
  return true;
}

bool QmpServer::WriteTo(Client& c) {
  while (c.out_off < c.out.size()) {
    ssize_t n = send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return false;
    }
    c.out_off += static_cast<size_t>(n);
  }
  if (c.out_off == c.out.size()) {
    c.out.clear();
    c.out_off = 0;
  } else if (c.out_off > (64 << 10)) {
    c.out.erase(0, c.out_off);
    c.out_off = 0;
  }
  return true;
}

void QmpServer::IoLoop() {
  std::vector<pollfd> fds;
  std::vector<uint64_t> ids;
  for (;;) {
    fds.clear();
    ids.clear();
    int timeout = -1;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_ && commands_done_) {
        bool flushed = true;
        for (auto& [id, c] : clients_) flushed = flushed && (c->dead || c->out_off == c->out.size());
        const auto now = std::chrono::steady_clock::now();
        if (flushed || now >= flush_deadline_) break;
        timeout = static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(flush_deadline_ - now).count() + 1);
      }
      fds.push_back({wake_fd_, POLLIN, 0});
      if (!stopping_) fds.push_back({listen_fd_, POLLIN, 0});
      for (auto& [id, c] : clients_) {
        if (c->dead) continue;
        short events = 0;
        if (!stopping_ && !c->read_closed && c->pending.empty() && c->queued < limits_.max_queued) events |= POLLIN;
        if (c->out_off < c->out.size()) events |= POLLOUT;
        fds.push_back({c->fd, events, 0});
        ids.push_back(id);
      }
    }
    if (poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
      spdlog::error("qmp: poll: {}", std::strerror(errno));
      break;
    }
    uint64_t drained;
    if (fds[0].revents & POLLIN) [[maybe_unused]] ssize_t n = read(wake_fd_, &drained, sizeof drained);
    std::lock_guard<std::mutex> lock(mu_);
    size_t first_client = 1;
    if (fds.size() > 1 && fds[1].fd == listen_fd_) {
      first_client = 2;
      if (fds[1].revents & POLLIN) Accept();
    }
    for (size_t i = first_client; i < fds.size(); ++i) {
      auto it = clients_.find(ids[i - first_client]);
      if (it == clients_.end()) continue;
      Client& c = *it->second;
      const short re = fds[i].revents;
      if ((re & POLLIN) && !ReadFrom(c)) c.dead = true;
      if ((re & POLLERR) || ((re & POLLHUP) && !(re & POLLIN))) c.dead = true;
      if (!c.dead && c.out_off < c.out.size() && !WriteTo(c)) c.dead = true;
    }
    for (auto it = clients_.begin(); it != clients_.end();) {
      Client& c = *it->second;
      const bool finished = c.read_closed && c.queued == 0 && c.pending.empty() && c.fatal.empty() &&
                            c.out_off == c.out.size();
      if ((c.dead || finished) && c.queued == 0) it = clients_.erase(it);
      else ++it;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  clients_.clear();
}

void QmpServer::CommandLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return !requests_.empty() || stopping_; });
    if (requests_.empty()) break;
    Request r = std::move(requests_.front());
    requests_.pop_front();
    auto it = clients_.find(r.client);
    QmpDispatcher::Session session = it != clients_.end() ? it->second->session : QmpDispatcher::Session{};
    lock.unlock();
    Json answer;
    if (r.fatal) {
      answer = ErrorResponse(QmpError::Generic(r.text));
    } else {
      try {
        answer = dispatcher_->Dispatch(Json::parse(r.text), &session);
      } catch (const Json::exception& e) {
        // nlohmann's "[json.exception.parse_error.101] parse error at ...":
        // the part after the tag says what and where.
        std::string what = e.what();
        if (size_t tag = what.find("] "); tag != std::string::npos) what.erase(0, tag + 2);
        answer = QmpDispatcher::ParseError(what);
      }
    }
    lock.lock();
    it = clients_.find(r.client);
    if (it != clients_.end()) {
      Client& c = *it->second;
      c.session = session;
      --c.queued;
      Send(c, answer);
      Pump(c);
    }
    Wake();
  }
  commands_done_ = true;
  Wake();
}

void QmpServer::Stop(std::chrono::milliseconds flush) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
    flush_deadline_ = std::chrono::steady_clock::now() + flush;
    cv_.notify_all();
  }
  Wake();
  command_thread_.join();
  io_thread_.join();
  close(listen_fd_);
  close(wake_fd_);
  if (address_.kind == QmpAddress::Kind::kUnix) unlink(address_.path.c_str());
}

}  // namespace tapvm::qmp
