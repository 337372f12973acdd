// GdbSession over a fake target: each command's reply, the stop replies,
// and a dispatcher fed malformed and random packets.
#include "tools/gdb/gdb_session.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "tools/gdb/rsp_packet.h"
#include "tools/gdb/target_description.h"

namespace tapvm::gdb {
namespace {

class FakeTarget : public DebugTarget {
 public:
  std::map<unsigned, uint64_t> regs;
  std::map<uint64_t, uint8_t> mem;  // readable bytes
  std::vector<std::string> calls;
  StopEvent next_stop;
  bool replay = true;
  int resumes = 0;

  Status ReadRegister(unsigned regnum, uint64_t* v) override {
    *v = regs.count(regnum) ? regs[regnum] : regnum;
    return Status::Ok();
  }
  Status WriteRegister(unsigned regnum, uint64_t v) override {
    if (replay) return Status::NotSupported("replay: refused");
    regs[regnum] = v;
    return Status::Ok();
  }
  Status ReadMemory(uint64_t addr, size_t len, std::vector<uint8_t>* out) override {
    out->clear();
    for (size_t i = 0; i < len && mem.count(addr + i); ++i) out->push_back(mem[addr + i]);
    return out->empty() ? Status::NotFound("unmapped") : Status::Ok();
  }
  Status WriteMemory(uint64_t addr, const std::vector<uint8_t>& data) override {
    if (replay) return Status::NotSupported("replay: refused");
    for (size_t i = 0; i < data.size(); ++i) mem[addr + i] = data[i];
    return Status::Ok();
  }
  Status InsertStopPoint(StopPointKind k, uint64_t addr, uint64_t len) override {
    calls.push_back("Z" + std::to_string(static_cast<int>(k)) + "@" + std::to_string(addr) + "/" +
                    std::to_string(len));
    return Status::Ok();
  }
  Status RemoveStopPoint(StopPointKind k, uint64_t addr, uint64_t len) override {
    calls.push_back("z" + std::to_string(static_cast<int>(k)) + "@" + std::to_string(addr));
    return Status::Ok();
  }
  Status Resume(ResumeKind kind, StopEvent* stop) override {
    ++resumes;
    calls.push_back("resume" + std::to_string(static_cast<int>(kind)));
    if (!replay && (kind == ResumeKind::kReverseStep || kind == ResumeKind::kReverseContinue))
      return Status::NotSupported("no reverse");
    *stop = next_stop;
    return Status::Ok();
  }
  void Interrupt() override {}
  bool reverse_supported() const override { return replay; }
  Status Monitor(std::string_view command, std::string* out) override {
    if (command == "icount") {
      *out = "icount 42\n";
      return Status::Ok();
    }
    return Status::InvalidArgument("unknown monitor command");
  }
};

struct SessionTest : ::testing::Test {
  FakeTarget target;
  std::vector<std::string> log;
  GdbSession session{&target, [this](const std::string& s) { log.push_back(s); }};
  std::string Ask(std::string_view p) { return session.Handle(p).payload; }
};

TEST_F(SessionTest, Supported) {
  const std::string s = Ask("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386");
  EXPECT_NE(s.find("PacketSize=4000"), std::string::npos);
  for (const char* f : {"qXfer:features:read+", "swbreak+", "hwbreak+", "QStartNoAckMode+", "ReverseStep+",
                        "ReverseContinue+"})
    EXPECT_NE(s.find(f), std::string::npos) << f;
  target.replay = false;
  EXPECT_EQ(Ask("qSupported").find("Reverse"), std::string::npos);
}

TEST_F(SessionTest, NoAckModeIsAnnounced) {
  GdbSession::Reply r = session.Handle("QStartNoAckMode");
  EXPECT_EQ(r.payload, "OK");
  EXPECT_EQ(r.after, GdbSession::Reply::After::kStartNoAck);
}

TEST_F(SessionTest, ThreadQueries) {
  EXPECT_EQ(Ask("qAttached"), "1");
  EXPECT_EQ(Ask("qC"), "QC1");
  EXPECT_EQ(Ask("qfThreadInfo"), "m1");
  EXPECT_EQ(Ask("qsThreadInfo"), "l");
  EXPECT_EQ(Ask("Hg0"), "OK");
  EXPECT_EQ(Ask("?"), "T05thread:1;");
}

TEST_F(SessionTest, TargetXmlInPieces) {
  std::string xml;
  for (uint64_t off = 0;;) {
    char q[64];
    std::snprintf(q, sizeof q, "qXfer:features:read:target.xml:%llx,100", static_cast<unsigned long long>(off));
    const std::string r = Ask(q);
    ASSERT_FALSE(r.empty());
    ASSERT_TRUE(r[0] == 'm' || r[0] == 'l') << r;
    xml += r.substr(1);
    off += r.size() - 1;
    if (r[0] == 'l') break;
  }
  EXPECT_EQ(xml, TargetXml());
  EXPECT_NE(xml.find("<architecture>riscv:rv64</architecture>"), std::string::npos);
  EXPECT_NE(xml.find("name=\"mstatus\""), std::string::npos);
  EXPECT_NE(xml.find("name=\"priv\""), std::string::npos);
  EXPECT_EQ(Ask("qXfer:features:read:other.xml:0,100"), "E00");
}

TEST_F(SessionTest, Registers) {
  target.regs[32] = 0x80000010;
  const std::string g = Ask("g");
  size_t bytes = 0;
  for (const RegisterInfo& r : Registers()) bytes += r.bytes;
  EXPECT_EQ(g.size(), 2 * bytes);
  EXPECT_EQ(g.substr(32 * 16, 16), "1000008000000000");  // pc, little-endian, after x0..x31
  EXPECT_EQ(Ask("p20"), "1000008000000000");
  EXPECT_EQ(Ask("p42"), "42000000");  // fflags (66): 4 bytes
  EXPECT_EQ(Ask("p9999"), "E01");
  EXPECT_EQ(Ask("P20=0000000000000000"), "E01") << "a replay refuses";
  EXPECT_FALSE(log.empty());
  target.replay = false;
  EXPECT_EQ(Ask("P20=0400000000000000"), "OK");
  EXPECT_EQ(target.regs[32], 4u);
  EXPECT_EQ(Ask("P20=04"), "E01") << "wrong size";
}

TEST_F(SessionTest, Memory) {
  for (uint64_t a = 0x1000; a < 0x1004; ++a) target.mem[a] = static_cast<uint8_t>(a);
  EXPECT_EQ(Ask("m1000,4"), "00010203");
  EXPECT_EQ(Ask("m1002,8"), "0203") << "a partial read returns what could be read";
  EXPECT_EQ(Ask("m2000,4"), "E14");
  EXPECT_EQ(Ask("M1000,2:ffff"), "E01") << "a replay refuses";
  EXPECT_EQ(Ask("X1000,0:"), "OK") << "gdb's probe";
  target.replay = false;
  EXPECT_EQ(Ask("M1000,2:aabb"), "OK");
  EXPECT_EQ(target.mem[0x1001], 0xbb);
  EXPECT_EQ(Ask("X1000,2:}\x03}\x04"), "OK");
  EXPECT_EQ(target.mem[0x1000], '#');
  EXPECT_EQ(target.mem[0x1001], '$');
  EXPECT_EQ(Ask("M1000,3:aabb"), "E01") << "length mismatch";
}

TEST_F(SessionTest, StopPointsAndResumes) {
  EXPECT_EQ(Ask("Z0,80000000,4"), "OK");
  EXPECT_EQ(Ask("Z1,80000004,2"), "OK");
  EXPECT_EQ(Ask("Z2,80001000,8"), "OK");
  EXPECT_EQ(Ask("z0,80000000,4"), "OK");
  EXPECT_EQ(Ask("Z9,0,0"), "") << "unknown types are unsupported";
  EXPECT_EQ(Ask("Z0,zz,4"), "E01");
  target.next_stop.kind = StopEvent::Kind::kBreakpoint;
  target.next_stop.point = StopPointKind::kHardware;
  EXPECT_EQ(Ask("c"), "T05hwbreak:;thread:1;");
  target.next_stop.kind = StopEvent::Kind::kWatchpoint;
  target.next_stop.point = StopPointKind::kWrite;
  target.next_stop.address = 0x80001000;
  EXPECT_EQ(Ask("vCont;s:1;c"), "T05watch:80001000;thread:1;");
  EXPECT_EQ(Ask("?"), "T05watch:80001000;thread:1;");
  target.next_stop.point = StopPointKind::kRead;
  EXPECT_EQ(Ask("s"), "T05rwatch:80001000;thread:1;");
  target.next_stop.point = StopPointKind::kAccess;
  EXPECT_EQ(Ask("bc"), "T05awatch:80001000;thread:1;");
  target.next_stop.kind = StopEvent::Kind::kReplayBegin;
  EXPECT_EQ(Ask("bs"), "T05replaylog:begin;thread:1;");
  target.next_stop.kind = StopEvent::Kind::kInterrupted;
  EXPECT_EQ(Ask("vCont;c"), "T02thread:1;");
  target.next_stop.kind = StopEvent::Kind::kExited;
  target.next_stop.code = 3;
  EXPECT_EQ(Ask("C05"), "W03");
  EXPECT_EQ(Ask("vCont?"), "vCont;c;C;s;S");
  EXPECT_EQ(Ask("vCont;r0,4"), "E01") << "range stepping is not offered";
  target.replay = false;
  EXPECT_EQ(Ask("bs"), "E01");
}

TEST_F(SessionTest, MonitorCommands) {
  EXPECT_EQ(Ask("qRcmd," + ToHex("icount")), ToHex("icount 42\n"));
  EXPECT_EQ(Ask("qRcmd," + ToHex("frobnicate")), ToHex("unknown monitor command\n"));
  EXPECT_EQ(Ask("qRcmd,zz"), "E01");
}

TEST_F(SessionTest, DetachAndKill) {
  EXPECT_EQ(session.Handle("D").after, GdbSession::Reply::After::kClose);
  GdbSession::Reply k = session.Handle("k");
  EXPECT_FALSE(k.send);
  EXPECT_EQ(k.after, GdbSession::Reply::After::kClose);
}

TEST_F(SessionTest, UnknownPacketsGetTheEmptyReply) {
  for (const char* p : {"vMustReplyEmpty", "qTStatus", "!", "QNonStop:1", "jThreadsInfo", "b", "bz", "x"})
    EXPECT_EQ(Ask(p), "") << p;
}

TEST_F(SessionTest, MalformedPacketsGetErrors) {
  for (const char* p : {"m", "m1000", "m,4", "mzz,4", "M1000,2", "M1000,2:zz", "X1000,1:}", "P", "P20",
                        "p", "pxyz", "Z", "Z0", "Z0,1", "z2,,", "G123"})
    EXPECT_EQ(Ask(p).substr(0, 1), "E") << p;
}

// Random payloads, biased towards real command letters: every one gets a
// reply, and nothing crashes or resumes more than once per packet.
TEST_F(SessionTest, FuzzedPackets) {
  std::mt19937_64 rng(99);
  const char* heads[] = {"m", "M", "X", "p", "P", "Z", "z", "g", "G", "q", "Q", "v", "vCont;", "qXfer:features:read:",
                         "qRcmd,", "c", "s", "b", "H", "T", "D", "?", "qSupported:"};
  const char alphabet[] = "0123456789abcdefABCDEF,:;=}#$*xyz-";
  for (int i = 0; i < 20000; ++i) {
    std::string p = heads[rng() % (sizeof heads / sizeof *heads)];
    const size_t n = rng() % 40;
    for (size_t k = 0; k < n; ++k)
      p.push_back(rng() % 8 == 0 ? static_cast<char>(rng()) : alphabet[rng() % (sizeof alphabet - 1)]);
    const int before = target.resumes;
    const GdbSession::Reply r = session.Handle(p);
    EXPECT_LE(target.resumes - before, 1);
    EXPECT_LE(r.payload.size(), 2 * GdbSession::kPacketSize);
  }
}

}  // namespace
}  // namespace tapvm::gdb
