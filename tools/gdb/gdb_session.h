// GdbSession: the commands of gdb's remote protocol, one packet payload in,
// one reply out, acted out on a DebugTarget. Framing, acks and the socket
// are the server's (gdb_server.h); this is the protocol's meaning.
//
// Supported: qSupported (PacketSize, qXfer:features:read, swbreak, hwbreak,
// QStartNoAckMode, ReverseStep/ReverseContinue on a replay), ?, g G p P,
// m M X, Z0-Z4 z0-z4, c s C S, vCont? vCont (c, C, s, S; one thread), bs
// bc, qXfer:features:read:target.xml, qAttached, qC, qfThreadInfo,
// qsThreadInfo, H, T, qRcmd (monitor), qSymbol, D, k. Anything else gets
// the empty reply (unsupported), as the protocol asks.
//
// Hostile input: every payload, however malformed, gets a reply (an error
// `E01`, or empty) and never more work than its size bounds; a failed
// command's reason goes to `log` (the person at tapvm's console reads it,
// since gdb only shows "E01").
//
// Not thread-safe: the machine's CPU thread, like the target.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "tools/gdb/debug_target.h"

namespace tapvm::gdb {

class GdbSession {
 public:
  // The largest packet payload the stub takes (qSupported's PacketSize).
  static constexpr size_t kPacketSize = 0x4000;

  struct Reply {
    std::string payload;
    bool send = true;  // false: the command has no reply (k)
    enum class After : uint8_t { kNone, kStartNoAck, kClose } after = After::kNone;
  };

  // `target` must outlive the session; `log` takes one line of text.
  GdbSession(DebugTarget* target, std::function<void(const std::string&)> log);

  Reply Handle(std::string_view packet);

  // The stop reply for `e` ("T05swbreak:;", "W00", ...).
  static std::string StopReply(const StopEvent& e);

 private:
  std::string Error(const Status& st);
  std::string ReadAllRegisters();
  std::string WriteAllRegisters(std::string_view hex);
  std::string ReadRegister(std::string_view args);
  std::string WriteRegister(std::string_view args);
  std::string ReadMemory(std::string_view args);
  std::string WriteMemory(std::string_view args, bool binary);
  std::string StopPoint(std::string_view args, bool insert);
  std::string Resume(ResumeKind kind);
  std::string VCont(std::string_view actions);
  std::string Query(std::string_view packet);
  std::string Xfer(std::string_view args);
  std::string Monitor(std::string_view hex);

  DebugTarget* target_;
  std::function<void(const std::string&)> log_;
  StopEvent last_stop_;
};

}  // namespace tapvm::gdb
