// TCP plumbing of the FT log channel: listening, accepting and connecting
// with deadlines, a waker for poll loops, and FrameConn, one framed
// connection (ft/wire.h frames) on a non-blocking socket.
//
// Contract:
// - Nothing here blocks past its deadline, or past a Wake() of the
//   waker it is given.
// - FrameConn buffers what it cannot write yet (the caller bounds how much
//   it queues, out_bytes()) and reads whole frames only: a frame's buffer
//   grows as its bytes arrive, never past the frame cap, so a peer cannot
//   make it allocate what it does not send.
// - A close or reset by the peer at a frame boundary is an end (*eof);
//   one in the middle of a frame is an error naming how much was missing.
//   Writing to a peer that is gone drops the output (the read side then
//   reports the end).
// Not thread-safe: each object belongs to one thread, except
// Waker::Wake, which any thread may call.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <span>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "emulator/base/status.h"
#include "ft/wire.h"

namespace tapvm::ft {

using Clock = std::chrono::steady_clock;

// Wakes a thread sleeping in poll (an eventfd).
class Waker {
 public:
  Waker();
  ~Waker();
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;
  int fd() const { return fd_; }
  void Wake();
  void Drain();

 private:
  int fd_ = -1;
};

// A listening socket on host:port (port 0: an ephemeral one, see *bound).
Status ListenTcp(const std::string& host, uint16_t port, int* fd, uint16_t* bound);
// Accepts one connection before `deadline`. IOError on timeout, or when
// `waker` fires with *stop set.
Status AcceptUntil(int listen_fd, Clock::time_point deadline, Waker* waker, const std::atomic<bool>* stop, int* fd);
// Connects to host:port, retrying while nobody listens there, until
// `deadline`.
Status ConnectUntil(const std::string& host, uint16_t port, Clock::time_point deadline, Waker* waker,
                    const std::atomic<bool>* stop, int* fd);

class FrameConn {
 public:
  // Takes ownership of `fd` and makes it non-blocking.
  FrameConn(int fd, uint32_t max_frame_bytes);
  ~FrameConn();
  FrameConn(const FrameConn&) = delete;
  FrameConn& operator=(const FrameConn&) = delete;

  int fd() const { return fd_; }

  void Queue(const Message& m) { QueueFrame(EncodeFrame(m)); }
  void QueueFrame(std::vector<uint8_t> frame);
  size_t out_bytes() const { return out_bytes_; }
  // Bytes of all frames queued so far.
  uint64_t bytes_queued() const { return bytes_queued_; }
  bool WantWrite() const { return out_bytes_ != 0; }
  // Writes what the socket takes now.
  Status Flush();
  // Half-closes the write side (after the last message).
  void ShutdownWrite();

  // Reads what the socket has now; complete messages queue up for Pop. A
  // failure (a frame cut short, a bad frame header) with complete messages
  // still queued is reported by the next Read, so those come first.
  Status Read(bool* eof);
  bool HasMessage() const { return !in_.empty(); }
  // Bytes received so far (any progress is a sign of life).
  uint64_t bytes_read() const { return bytes_read_; }
  // The next complete message (HasMessage() must be true), decoded.
  Status Pop(Message* m);

  // Waits (poll) until the socket is readable or writable as wanted, the
  // waker fires, or `timeout` passes. Sets what happened.
  Status Wait(bool want_read, Clock::duration timeout, Waker* waker, bool* readable, bool* woken);

 private:
  Status ReadSome(bool* eof);
  // Cuts received bytes into frames (header, then body).
  Status Consume(std::span<const uint8_t> bytes);

  int fd_;
  const uint32_t max_frame_bytes_;
  std::deque<std::vector<uint8_t>> out_;
  size_t out_offset_ = 0;  // bytes of out_.front() already written
  size_t out_bytes_ = 0;
  uint64_t bytes_queued_ = 0;
  // The frame being read: header, then the message.
  uint8_t header_[kFrameHeaderSize];
  size_t header_fill_ = 0;
  std::vector<uint8_t> body_;
  size_t body_len_ = 0;
  size_t body_fill_ = 0;
  std::deque<std::vector<uint8_t>> in_;
  std::vector<uint8_t> stage_;  // what one recv read
  Status deferred_;
  uint64_t frames_read_ = 0;
  uint64_t bytes_read_ = 0;
};

// Accepts on `listen_fd` (>= 0; it is closed after) or connects as `o`
// says, then exchanges Hellos: ours with `my_role`, the peer's checked by
// CheckHello. All before now + o.connect_timeout. *run_id is the pair's
// run id (o.run_id, or the primary's when o.run_id is zero).
struct ChannelOptions;
Status EstablishChannel(const ChannelOptions& o, Role my_role, int* listen_fd, Waker* waker,
                        const std::atomic<bool>* stop, std::unique_ptr<FrameConn>* conn, RunId* run_id);

}  // namespace tapvm::ft
