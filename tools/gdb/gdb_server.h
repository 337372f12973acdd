// GdbServer: the TCP side of the gdb stub. Listens on HOST:PORT, takes one
// client, and serves it with a GdbSession over a DebugTarget.
//
// Threads: Serve runs on the calling thread, which must be the machine's
// CPU thread (every command, and a resume's run, happen there). A reader
// thread per client takes its bytes off the socket: packets are queued for
// Serve, and Ctrl-C (0x03) goes to DebugTarget::Interrupt at once, so a
// running resume stops. A client that goes away (even in the middle of a
// command or a run) interrupts the target too, and Serve returns.
//
// Acks: `+` for every good packet and `-` for a bad checksum, until
// QStartNoAckMode; a `-` from the client resends the last reply. A packet
// past GdbSession::kPacketSize is answered E01.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "emulator/base/status.h"
#include "tools/gdb/debug_target.h"

namespace tapvm::gdb {

class GdbServer {
 public:
  // `spec` is HOST:PORT (an IPv4 address or localhost; PORT 0: any free
  // port, see port()).
  static Status Listen(const std::string& spec, std::unique_ptr<GdbServer>* out);
  // Checks a spec without listening (command-line validation).
  static Status CheckSpec(const std::string& spec);
  ~GdbServer();

  uint16_t port() const { return port_; }
  const std::string& host() const { return host_; }

  // Waits for a client and serves it until it detaches (D), kills (k) or
  // disconnects. `log` gets messages for the person at tapvm's console.
  Status Serve(DebugTarget* target, const std::function<void(const std::string&)>& log);

 private:
  GdbServer() = default;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::string host_;
};

}  // namespace tapvm::gdb
