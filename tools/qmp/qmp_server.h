// QmpServer: a QMP control socket — QEMU's wire protocol on a unix or TCP
// socket, any number of clients (up to a bound), each its own session.
//
// Threads. One I/O thread polls the listening socket and every client
// (non-blocking sockets: a client that does not read or write stalls
// nobody), frames requests (JsonFramer) and writes answers and events. One
// command thread runs requests one at a time, in arrival order, through
// the QmpDispatcher: a command that waits (for the machine's CPU thread)
// delays other commands, never other clients' I/O. Emit may be called from
// any thread, the machine's CPU thread included: it only appends to
// buffers and never blocks on a client.
//
// Bounds, so a hostile client costs little and never takes the process
// down: a request longer than max_message bytes or nested deeper than
// max_depth gets an error and the connection is closed; a client with
// max_queued requests waiting is not read from until they are answered; a
// client whose unread output passes max_output (it never reads its
// events) is disconnected; a client beyond max_clients gets one error
// line and is closed. A client that disconnects mid-command has the
// command run and the answer dropped.
//
// Stop (or the destructor) stops accepting, lets the command thread finish
// the requests it holds, writes what is still buffered for up to `flush`,
// and closes every connection (a unix socket file is removed).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "emulator/base/status.h"
#include "tools/qmp/qmp_address.h"
#include "tools/qmp/qmp_dispatcher.h"

namespace tapvm::qmp {

struct QmpServerLimits {
  size_t max_clients = 32;
  size_t max_message = 64 << 10;
  unsigned max_depth = 64;
  size_t max_queued = 8;
  size_t max_output = 1 << 20;
};

class QmpServer {
 public:
  // `dispatcher` must outlive the server.
  explicit QmpServer(const QmpDispatcher* dispatcher, QmpServerLimits limits = {});
  ~QmpServer();
  QmpServer(const QmpServer&) = delete;
  QmpServer& operator=(const QmpServer&) = delete;

  // Listens at `address` and starts the threads.
  Status Start(const QmpAddress& address);
  // The address listened on, with a TCP port 0 resolved.
  std::string address() const;

  // Blocks until a first client has connected (QEMU's `wait`), or until
  // `give_up` (polled) says to stop waiting; true when a client came.
  bool WaitForClient(const std::function<bool()>& give_up);

  // Sends the event {"event": NAME, "data": DATA, "timestamp": {...}} to
  // every client that has left capabilities negotiation. Thread-safe,
  // never blocks on a client.
  void Emit(const std::string& name, Json data);

  void Stop(std::chrono::milliseconds flush = std::chrono::milliseconds(500));

 private:
  struct Client;
  struct Request {
    uint64_t client;
    std::string text;  // the request, or the framing error to answer
    bool fatal;        // `text` is a framing error: answer it, then close
  };
  void IoLoop();
  void CommandLoop();
  void Accept();
  // Reads what `c` sent; false when the connection is over.
  bool ReadFrom(Client& c);
  bool WriteTo(Client& c);
  void Pump(Client& c);
  // Appends one JSON text to a client's output (mu_ held).
  void Send(Client& c, const Json& message);
  void Wake();

  const QmpDispatcher* dispatcher_;
  QmpServerLimits limits_;
  QmpAddress address_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: work for the I/O thread
  std::thread io_thread_, command_thread_;

  mutable std::mutex mu_;
  std::condition_variable cv_;  // requests for the command thread; a first client
  std::map<uint64_t, std::unique_ptr<Client>> clients_;
  std::deque<Request> requests_;
  uint64_t next_client_ = 1;
  bool any_client_ = false;
  bool stopping_ = false;       // no more accepting, requests or reads
  bool commands_done_ = false;  // the command thread has finished
  std::chrono::steady_clock::time_point flush_deadline_;
  bool started_ = false;
};

}  // namespace tapvm::qmp
