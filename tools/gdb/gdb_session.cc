#include "tools/gdb/gdb_session.h"

#include <cstdio>

#include "tools/gdb/rsp_packet.h"
#include "tools/gdb/target_description.h"

namespace tapvm::gdb {

namespace {

constexpr unsigned kSigInt = 2, kSigTrap = 5;

// Splits "a,b" (or "a,b:rest") at the first `sep`.
bool Split(std::string_view s, char sep, std::string_view* a, std::string_view* b) {
  const size_t i = s.find(sep);
  if (i == std::string_view::npos) return false;
  *a = s.substr(0, i);
  *b = s.substr(i + 1);
  return true;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string Hex2(unsigned v) {
  char b[8];
  std::snprintf(b, sizeof b, "%02x", v & 0xff);
  return b;
}

std::string HexNum(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(v));
  return b;
}

}  // namespace

GdbSession::GdbSession(DebugTarget* target, std::function<void(const std::string&)> log)
    : target_(target), log_(std::move(log)) {
  last_stop_.kind = StopEvent::Kind::kStep;
}

std::string GdbSession::StopReply(const StopEvent& e) {
  const std::string trap = "T" + Hex2(kSigTrap);
  switch (e.kind) {
    case StopEvent::Kind::kStep: return trap + "thread:1;";
    case StopEvent::Kind::kBreakpoint:
      return trap + (e.point == StopPointKind::kHardware ? "hwbreak:;" : "swbreak:;") + "thread:1;";
    case StopEvent::Kind::kWatchpoint: {
      const char* what = e.point == StopPointKind::kRead ? "rwatch" : e.point == StopPointKind::kAccess ? "awatch"
                                                                                                         : "watch";
      return trap + what + ":" + HexNum(e.address) + ";thread:1;";
    }
    case StopEvent::Kind::kInterrupted: return "T" + Hex2(kSigInt) + "thread:1;";
    case StopEvent::Kind::kReplayBegin: return trap + "replaylog:begin;thread:1;";
    case StopEvent::Kind::kReplayEnd: return trap + "replaylog:end;thread:1;";
    case StopEvent::Kind::kExited: return "W" + Hex2(static_cast<unsigned>(e.code));
    case StopEvent::Kind::kError: return trap + "thread:1;";
  }
  return trap;
}

std::string GdbSession::Error(const Status& st) {
  if (log_) log_("gdb: " + st.message());
  return "E01";
}

GdbSession::Reply GdbSession::Handle(std::string_view p) {
  Reply r;
  if (p.empty()) return r;  // empty reply
  const char c = p[0];
  const std::string_view args = p.substr(1);
  switch (c) {
    case '?': r.payload = StopReply(last_stop_); break;
    case 'g': r.payload = ReadAllRegisters(); break;
    case 'G': r.payload = WriteAllRegisters(args); break;
    case 'p': r.payload = ReadRegister(args); break;
    case 'P': r.payload = WriteRegister(args); break;
    case 'm': r.payload = ReadMemory(args); break;
    case 'M': r.payload = WriteMemory(args, false); break;
    case 'X': r.payload = WriteMemory(args, true); break;
    case 'Z': r.payload = StopPoint(args, true); break;
    case 'z': r.payload = StopPoint(args, false); break;
    case 'c': case 'C': case 's': case 'S': {
      // A resume address (c ADDR) is a pc write first; a signal (C sig) is
      // ignored: the guest has no signals to deliver.
      const bool step = c == 's' || c == 'S';
      std::string_view addr = args;
      if (c == 'C' || c == 'S') {
        const size_t semi = args.find(';');
        addr = semi == std::string_view::npos ? std::string_view() : args.substr(semi + 1);
      }
      if (!addr.empty()) {
        uint64_t pc;
        if (!ParseHex(addr, &pc)) return {"E01"};
        if (Status st = target_->WriteRegister(32, pc); !st.ok()) return {Error(st)};
      }
      r.payload = Resume(step ? ResumeKind::kStep : ResumeKind::kContinue);
      break;
    }
    case 'b':
      if (p == "bs") {
        r.payload = Resume(ResumeKind::kReverseStep);
      } else if (p == "bc") {
        r.payload = Resume(ResumeKind::kReverseContinue);
      }
      break;
    case 'H': r.payload = "OK"; break;  // one thread: every thread is it
    case 'T': r.payload = "OK"; break;  // thread alive
    case 'D':
      r.payload = "OK";
      r.after = Reply::After::kClose;
      break;
    case 'k':
      r.send = false;
      r.after = Reply::After::kClose;
      break;
    case 'q': case 'Q':
      r.payload = Query(p);
      if (p == "QStartNoAckMode") r.after = Reply::After::kStartNoAck;
      break;
    case 'v':
      if (p == "vCont?") {
        r.payload = "vCont;c;C;s;S";
      } else if (StartsWith(p, "vCont;")) {
        r.payload = VCont(p.substr(6));
      } else if (StartsWith(p, "vKill")) {
        r.payload = "OK";
        r.after = Reply::After::kClose;
      }
      break;  // vMustReplyEmpty and the rest: empty
    default: break;
  }
  return r;
}

std::string GdbSession::Query(std::string_view p) {
  if (StartsWith(p, "qSupported")) {
    std::string s = "PacketSize=" + HexNum(kPacketSize) +
                    ";qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;vContSupported+";
    if (target_->reverse_supported()) s += ";ReverseStep+;ReverseContinue+";
    return s;
  }
  if (p == "QStartNoAckMode") return "OK";
  if (p == "qAttached" || StartsWith(p, "qAttached:")) return "1";
  if (p == "qC") return "QC1";
  if (p == "qfThreadInfo") return "m1";
  if (p == "qsThreadInfo") return "l";
  if (StartsWith(p, "qSymbol")) return "OK";
  if (StartsWith(p, "qXfer:features:read:")) return Xfer(p.substr(20));
  if (StartsWith(p, "qRcmd,")) return Monitor(p.substr(6));
  return "";
}

std::string GdbSession::Xfer(std::string_view args) {
  std::string_view annex, range, off_s, len_s;
  if (!Split(args, ':', &annex, &range) || !Split(range, ',', &off_s, &len_s)) return "E01";
  if (annex != "target.xml") return "E00";
  uint64_t off, len;
  if (!ParseHex(off_s, &off) || !ParseHex(len_s, &len)) return "E01";
  const std::string& xml = TargetXml();
  if (off >= xml.size()) return "l";
  len = std::min<uint64_t>(len, kPacketSize - 16);
  const std::string part = xml.substr(off, len);
  return (off + part.size() >= xml.size() ? "l" : "m") + part;
}

std::string GdbSession::Monitor(std::string_view hex) {
  std::vector<uint8_t> bytes;
  if (!FromHex(hex, &bytes)) return "E01";
  std::string out;
  const Status st = target_->Monitor(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                                     &out);
  if (!st.ok()) out = st.message() + "\n";
  if (out.empty()) return "OK";
  return ToHex(out);
}

std::string GdbSession::ReadAllRegisters() {
  std::string out;
  for (const RegisterInfo& r : Registers()) {
    uint64_t v = 0;
    if (!target_->ReadRegister(r.regnum, &v).ok()) {
      out.append(2 * r.bytes, 'x');  // unavailable
      continue;
    }
    out += LittleEndianHex(v, r.bytes);
  }
  return out;
}

std::string GdbSession::WriteAllRegisters(std::string_view hex) {
  std::vector<uint8_t> bytes;
  if (!FromHex(hex, &bytes)) return "E01";
  size_t at = 0;
  for (const RegisterInfo& r : Registers()) {
    if (at + r.bytes > bytes.size()) break;  // a shorter G sets the first registers only
    uint64_t v = 0;
    for (unsigned i = 0; i < r.bytes; ++i) v |= static_cast<uint64_t>(bytes[at + i]) << (8 * i);
    at += r.bytes;
    uint64_t old = 0;
    if (target_->ReadRegister(r.regnum, &old).ok() && old == v) continue;  // gdb resends them all
    if (Status st = target_->WriteRegister(r.regnum, v); !st.ok()) return Error(st);
  }
  return "OK";
}

std::string GdbSession::ReadRegister(std::string_view args) {
  uint64_t n;
  if (!ParseHex(args, &n) || n > 0xffff) return "E01";
  const RegisterInfo* r = FindRegister(static_cast<unsigned>(n));
  if (!r) return "E01";
  uint64_t v;
  if (Status st = target_->ReadRegister(r->regnum, &v); !st.ok()) return std::string(2 * r->bytes, 'x');
  return LittleEndianHex(v, r->bytes);
}

std::string GdbSession::WriteRegister(std::string_view args) {
  std::string_view n_s, v_s;
  uint64_t n;
  std::vector<uint8_t> bytes;
  if (!Split(args, '=', &n_s, &v_s) || !ParseHex(n_s, &n) || n > 0xffff || !FromHex(v_s, &bytes)) return "E01";
  const RegisterInfo* r = FindRegister(static_cast<unsigned>(n));
  if (!r || bytes.size() != r->bytes) return "E01";
  uint64_t v = 0;
  for (unsigned i = 0; i < r->bytes; ++i) v |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  if (Status st = target_->WriteRegister(r->regnum, v); !st.ok()) return Error(st);
  return "OK";
}

std::string GdbSession::ReadMemory(std::string_view args) {
  std::string_view a_s, l_s;
  uint64_t addr, len;
  if (!Split(args, ',', &a_s, &l_s) || !ParseHex(a_s, &addr) || !ParseHex(l_s, &len)) return "E01";
  len = std::min<uint64_t>(len, kPacketSize / 2 - 8);
  if (len == 0) return "";
  std::vector<uint8_t> data;
  if (!target_->ReadMemory(addr, len, &data).ok() || data.empty()) return "E14";  // EFAULT, quietly: gdb probes
  return ToHex(data.data(), data.size());
}

std::string GdbSession::WriteMemory(std::string_view args, bool binary) {
  std::string_view head, body, a_s, l_s;
  uint64_t addr, len;
  if (!Split(args, ':', &head, &body) || !Split(head, ',', &a_s, &l_s) || !ParseHex(a_s, &addr) ||
      !ParseHex(l_s, &len))
    return "E01";
  std::vector<uint8_t> data;
  if (!(binary ? UnescapeBinary(body, &data) : FromHex(body, &data)) || data.size() != len) return "E01";
  if (len == 0) return "OK";  // gdb's probe for X support
  if (Status st = target_->WriteMemory(addr, data); !st.ok()) return Error(st);
  return "OK";
}

std::string GdbSession::StopPoint(std::string_view args, bool insert) {
  std::string_view t_s, rest, a_s, k_s;
  uint64_t type, addr, kind;
  if (!Split(args, ',', &t_s, &rest) || !Split(rest, ',', &a_s, &k_s)) return "E01";
  const size_t semi = k_s.find(';');  // conditions and commands: not supported, ignored
  if (semi != std::string_view::npos) k_s = k_s.substr(0, semi);
  if (!ParseHex(t_s, &type) || !ParseHex(a_s, &addr) || !ParseHex(k_s, &kind)) return "E01";
  if (type > 4) return "";
  const auto k = static_cast<StopPointKind>(type);
  const Status st = insert ? target_->InsertStopPoint(k, addr, kind) : target_->RemoveStopPoint(k, addr, kind);
  return st.ok() ? "OK" : Error(st);
}

std::string GdbSession::Resume(ResumeKind kind) {
  StopEvent e;
  if (Status st = target_->Resume(kind, &e); !st.ok()) return Error(st);
  if (e.kind == StopEvent::Kind::kError && log_) log_("gdb: " + e.message);
  last_stop_ = e;
  return StopReply(e);
}

std::string GdbSession::VCont(std::string_view actions) {
  // One thread: the first action decides (gdb puts the specific one first).
  const std::string_view first = actions.substr(0, actions.find(';'));
  if (first.empty()) return "E01";
  switch (first[0]) {
    case 's': case 'S': return Resume(ResumeKind::kStep);
    case 'c': case 'C': return Resume(ResumeKind::kContinue);
    default: return "E01";
  }
}

}  // namespace tapvm::gdb
