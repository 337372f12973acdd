// The etcd arbiter's own cases (the contract suite is in
// ft_arbiter_test.cc): against a real etcd, the key and value it stores,
// the leases it leaves, keeping the winner's lease alive, endpoints that
// are down; against a fake etcd gateway, every kind of nonsense answer,
// which must be an error naming what was wrong, never a crash or a win.
#include "ft/etcd_arbiter.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <kj/encoding.h>

#include <atomic>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "ft/socket.h"
#include "tests/ft/arbiter_test_util.h"
#include "tests/ft/etcd_test_server.h"

namespace tapvm::ft {
namespace {

using std::chrono::milliseconds;
using testutil::EtcdTestServer;
using testutil::HttpPost;
using testutil::MustOpen;
using testutil::Wins;
using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

constexpr milliseconds kTimeout = testutil::kClaimTimeout;

std::string Base64(const std::string& s) {
  const kj::String text = kj::encodeBase64(kj::arrayPtr(reinterpret_cast<const kj::byte*>(s.data()), s.size()));
  return std::string(text.cStr(), text.size());
}

// The JSON body of an HTTP reply (null JSON when there is none).
Json Body(const std::string& reply) {
  const size_t at = reply.find("\r\n\r\n");
  return at == std::string::npos ? Json() : Json::parse(reply.substr(at + 4), nullptr, false);
}

// ------------------------------------------------------------ real etcd
class EtcdArbiterTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { etcd_ = EtcdTestServer::Start(&why_); }
  static void TearDownTestSuite() { etcd_.reset(); }
  void SetUp() override {
    ASSERT_NE(etcd_, nullptr) << why_;
    spec_ = "etcd:" + etcd_->endpoint();
    run_ = NewRunId();
  }

  // The key of run_ as etcd holds it (null JSON when absent).
  Json StoredKv() const {
    const Json kvs = Body(HttpPost(etcd_->port(), "/v3/kv/range",
                                   Json{{"key", Base64("tapvm/ft/" + run_.ToHex())}}.dump()))["kvs"];
    return kvs.is_array() && kvs.size() == 1 ? kvs[0] : Json();
  }
  size_t LeaseCount() const {
    const Json leases = Body(HttpPost(etcd_->port(), "/v3/lease/leases", "{}"))["leases"];
    return leases.is_array() ? leases.size() : 0;
  }

  static inline std::unique_ptr<EtcdTestServer> etcd_;
  static inline std::string why_;
  std::string spec_;
  RunId run_;
};

TEST_F(EtcdArbiterTest, StoresTheWinnersRoleUnderTheRunsKeyWithALease) {
  EXPECT_TRUE(Wins(*MustOpen(spec_), run_, Role::kSecondary));
  const Json kv = StoredKv();
  ASSERT_TRUE(kv.is_object()) << "no key tapvm/ft/" << run_.ToHex();
  EXPECT_EQ(kv["value"], Base64("secondary"));
  ASSERT_TRUE(kv["lease"].is_string());
  EXPECT_NE(kv["lease"], "0");
}

TEST_F(EtcdArbiterTest, LeavesOnlyTheWinnersLease) {
  const size_t before = LeaseCount();
  auto primary = MustOpen(spec_);
  auto secondary = MustOpen(spec_);
  EXPECT_TRUE(Wins(*primary, run_, Role::kPrimary));
  EXPECT_FALSE(Wins(*secondary, run_, Role::kSecondary));
  EXPECT_FALSE(Wins(*secondary, run_, Role::kSecondary));
  EXPECT_TRUE(Wins(*primary, run_, Role::kPrimary));
  EXPECT_EQ(LeaseCount(), before + 1) << "the leases of claims that put nothing are revoked";
}

TEST_F(EtcdArbiterTest, RunsAreIndependent) {
  const RunId other = NewRunId();
  EXPECT_TRUE(Wins(*MustOpen(spec_), run_, Role::kPrimary));
  EXPECT_TRUE(Wins(*MustOpen(spec_), other, Role::kSecondary));
  EXPECT_FALSE(Wins(*MustOpen(spec_), run_, Role::kSecondary));
  EXPECT_FALSE(Wins(*MustOpen(spec_), other, Role::kPrimary));
}

// 1 s leases outlive 2.5 s while the winner's arbiter keeps them (the
// claims of two runs); once that arbiter is gone the key expires and the
// other role can win (which shows the first half could fail).
TEST_F(EtcdArbiterTest, KeepsTheWinnersLeaseAliveUntilDestroyed) {
  EtcdArbiterOptions options;
  options.lease_ttl = std::chrono::seconds(1);
  auto winner = NewEtcdArbiter({etcd_->endpoint()}, options);
  auto other = MustOpen(spec_);
  const RunId second_run = NewRunId();
  ASSERT_TRUE(Wins(*winner, run_, Role::kPrimary));
  ASSERT_TRUE(Wins(*winner, second_run, Role::kPrimary));
  std::this_thread::sleep_for(milliseconds(2500));
  EXPECT_FALSE(Wins(*other, run_, Role::kSecondary)) << "the winner's claim expired while it was kept";
  EXPECT_FALSE(Wins(*other, second_run, Role::kSecondary)) << "the winner's first claim only was kept";

  winner.reset();
  const auto deadline = Clock::now() + std::chrono::seconds(6);
  bool won = false;
  while (!won && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(200));
    won = Wins(*other, run_, Role::kSecondary);
  }
  EXPECT_TRUE(won) << "the claim outlived its lease by more than 6 s";
}

TEST_F(EtcdArbiterTest, AnUnreachableEndpointFailsWithinTheTimeout) {
  const std::string closed = "http://127.0.0.1:" + std::to_string(testutil::FreePort());
  bool won = true;
  const auto start = Clock::now();
  const Status st = MustOpen("etcd:" + closed)->Claim(run_, Role::kPrimary, milliseconds(300), &won);
  const auto spent = Clock::now() - start;
  EXPECT_EQ(st.code(), Status::Code::kIOError);
  EXPECT_EQ(st.message().rfind("etcd arbiter " + closed + ": lease grant: cannot connect: Connection refused", 0), 0u)
      << st.message();
  EXPECT_FALSE(won);
  EXPECT_GE(spent, milliseconds(250)) << "gave up before the timeout";
  EXPECT_LT(spent, milliseconds(1300));
}

TEST_F(EtcdArbiterTest, ALaterEndpointServesWhenTheFirstIsDown) {
  const std::string closed = "http://127.0.0.1:" + std::to_string(testutil::FreePort());
  EXPECT_TRUE(Wins(*MustOpen("etcd:" + closed + "," + etcd_->endpoint()), run_, Role::kPrimary));
  EXPECT_FALSE(Wins(*MustOpen("etcd:" + etcd_->endpoint() + "," + closed), run_, Role::kSecondary));
}

TEST_F(EtcdArbiterTest, AKeyHoldingNoRoleIsAnError) {
  const Json put = {{"key", Base64("tapvm/ft/" + run_.ToHex())}, {"value", Base64("garbage")}};
  ASSERT_NE(HttpPost(etcd_->port(), "/v3/kv/put", put.dump()).find("\"header\""), std::string::npos);
  bool won = true;
  const Status st = MustOpen(spec_)->Claim(run_, Role::kPrimary, kTimeout, &won);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_EQ(st.message(), "etcd arbiter " + etcd_->endpoint() + ": claim transaction: the key holds \"garbage\", not a role");
  EXPECT_FALSE(won);
}

// ------------------------------------------------------------ fake etcd
// A fake etcd gateway on a loopback port: answers each POST by its path,
// one request per connection, from a table of answers (a 404 for a path
// not in it).
struct Answer {
  enum class Mode { kReply, kHang, kDrop };
  std::string raw;  // the whole HTTP reply
  Mode mode = Mode::kReply;
};

Answer Http(int status, const std::string& body) {
  return {"HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body};
}
Answer Ok(const std::string& body) { return Http(200, body); }

class FakeEtcd {
 public:
  explicit FakeEtcd(std::map<std::string, Answer> answers) : answers_(std::move(answers)) {
    const Status st = ListenTcp("127.0.0.1", 0, &listen_, &port_);
    EXPECT_TRUE(st.ok()) << st.ToString();
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeEtcd() {
    stop_ = true;
    thread_.join();
    for (int fd : held_) close(fd);
    close(listen_);
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{listen_, POLLIN, 0};
      if (poll(&p, 1, 20) != 1) continue;
      const int fd = accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      const Answer answer = AnswerFor(ReadRequestPath(fd));
      if (answer.mode == Answer::Mode::kHang) {
        held_.push_back(fd);
        continue;
      }
      if (answer.mode == Answer::Mode::kReply) send(fd, answer.raw.data(), answer.raw.size(), MSG_NOSIGNAL);
      close(fd);
    }
  }

  // Reads one request (headers and a Content-Length body): its path.
  static std::string ReadRequestPath(int fd) {
    timeval tv{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string in;
    char buf[4096];
    for (;;) {
      const size_t end = in.find("\r\n\r\n");
      if (end != std::string::npos) {
        const size_t cl = in.find("Content-Length: ");
        const size_t body = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
        if (in.size() >= end + 4 + body) break;
      }
      const ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
    }
    const size_t sp1 = in.find(' ');
    const size_t sp2 = in.find(' ', sp1 + 1);
    return sp1 == std::string::npos || sp2 == std::string::npos ? "" : in.substr(sp1 + 1, sp2 - sp1 - 1);
  }

  Answer AnswerFor(const std::string& path) const {
    const auto it = answers_.find(path);
    return it != answers_.end() ? it->second : Http(404, "{}");
  }

  const std::map<std::string, Answer> answers_;
  int listen_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::vector<int> held_;  // hung connections (the serving thread's)
  std::thread thread_;
};

const Answer kGoodGrant = Ok(R"({"header":{"revision":"1"},"ID":"7587","TTL":"60"})");
const char kPutWins[] = R"({"header":{"revision":"2"},"succeeded":true,"responses":[{"response_put":{}}]})";

// A fake etcd with `grant` and `txn` answers (revoke and keepalive fine).
std::map<std::string, Answer> Answers(Answer grant, Answer txn) {
  return {{"/v3/lease/grant", std::move(grant)},
          {"/v3/kv/txn", std::move(txn)},
          {"/v3/lease/revoke", Ok("{}")},
          {"/v3/lease/keepalive", Ok(R"({"result":{"ID":"7587","TTL":"60"}})")}};
}

// A failed transaction's answer: the key holds `kv`.
Answer Holds(const std::string& kv) { return Ok(R"({"responses":[{"response_range":{"kvs":[)" + kv + "]}}]}"); }

struct Outcome {
  Status status;
  bool won = true;
  Clock::duration spent{};
};

Outcome ClaimAgainst(const std::map<std::string, Answer>& answers, Role role = Role::kPrimary) {
  FakeEtcd fake(answers);
  Outcome out;
  const auto start = Clock::now();
  out.status = MustOpen("etcd:" + fake.endpoint())->Claim(NewRunId(), role, milliseconds(400), &out.won);
  out.spent = Clock::now() - start;
  return out;
}

// The fake speaks well enough to be believed: the hostile cases below fail
// for what they break, not for the fake.
TEST(EtcdArbiterFakeTest, WellFormedAnswersDecide) {
  Outcome o = ClaimAgainst(Answers(kGoodGrant, Ok(kPutWins)));
  EXPECT_TRUE(o.status.ok()) << o.status.ToString();
  EXPECT_TRUE(o.won);
  o = ClaimAgainst(Answers(kGoodGrant, Holds(R"({"value":"c2Vjb25kYXJ5","lease":"99"})")));
  EXPECT_TRUE(o.status.ok()) << o.status.ToString();
  EXPECT_FALSE(o.won);
  // int64 as JSON numbers is fine too.
  o = ClaimAgainst(Answers(Ok(R"({"ID":7587})"), Holds(R"({"value":"cHJpbWFyeQ==","lease":99})")));
  EXPECT_TRUE(o.status.ok()) << o.status.ToString();
  EXPECT_TRUE(o.won);
}

struct HostileCase {
  const char* name;
  Answer grant;
  Answer txn;
  Status::Code code;
  const char* says;  // a part of the message
};

void PrintTo(const HostileCase& c, std::ostream* os) { *os << c.name; }

std::string Deep(int levels) {
  std::string s;
  for (int i = 0; i < levels; ++i) s += R"({"a":)";
  s += "1";
  s += std::string(levels, '}');
  return s;
}

const Answer kDrop{"", Answer::Mode::kDrop};
const Answer kHang{"", Answer::Mode::kHang};
using C = Status::Code;

const HostileCase kHostile[] = {
    {"GrantNotJson", Ok("not json"), Ok(kPutWins), C::kCorruption, "lease grant: the answer (HTTP 200, 8 bytes) is not a JSON object: not json"},
    {"GrantEmpty", Ok(""), Ok(kPutWins), C::kCorruption, "is not a JSON object"},
    {"GrantArray", Ok("[1,2]"), Ok(kPutWins), C::kCorruption, "is not a JSON object"},
    {"GrantTruncated", Ok(R"({"ID":"75)"), Ok(kPutWins), C::kCorruption, "is not a JSON object"},
    {"GrantNoId", Ok("{}"), Ok(kPutWins), C::kCorruption, "lease grant: the answer has no lease ID: {}"},
    {"GrantIdNotANumber", Ok(R"({"ID":"12ab"})"), Ok(kPutWins), C::kCorruption, "no lease ID"},
    {"GrantIdNegative", Ok(R"({"ID":-5})"), Ok(kPutWins), C::kCorruption, "no lease ID"},
    {"GrantIdZero", Ok(R"({"ID":"0"})"), Ok(kPutWins), C::kCorruption, "no lease ID"},
    {"GrantIdOverflows", Ok(R"({"ID":"99999999999999999999"})"), Ok(kPutWins), C::kCorruption, "no lease ID"},
    {"GrantIdHuge", Ok(R"({"ID":18446744073709551615})"), Ok(kPutWins), C::kCorruption, "no lease ID"},
    {"GrantIdFloat", Ok(R"({"ID":1.5})"), Ok(kPutWins), C::kCorruption, "no lease ID"},
    {"GrantIdObject", Ok(R"({"ID":{"x":1}})"), Ok(kPutWins), C::kCorruption, "no lease ID"},
    {"GrantBadUtf8", Ok("{\"ID\":\"\xff\xfe\"}"), Ok(kPutWins), C::kCorruption, "is not a JSON object"},
    {"GrantNestedDeep", Ok(Deep(100000)), Ok(kPutWins), C::kCorruption, "nests deeper than"},
    {"GrantHuge", Ok(R"({"x":")" + std::string(2 << 20, 'a') + "\"}"), Ok(kPutWins), C::kCorruption, "is over 1048576 bytes"},
    {"GrantEtcdError", Ok(R"({"error":"etcdserver: too many requests","code":8})"), Ok(kPutWins), C::kIOError,
     "lease grant: etcd answered an error (code 8): etcdserver: too many requests"},
    {"GrantStreamError", Ok(R"({"error":{"grpc_code":7,"message":"permission denied"}})"), Ok(kPutWins), C::kIOError,
     "(code 7): permission denied"},
    {"GrantHttp404", Http(404, "{}"), Ok(kPutWins), C::kIOError, "lease grant: HTTP status 404: {}"},
    {"GrantHttp500Text", Http(500, "oops"), Ok(kPutWins), C::kCorruption, "(HTTP 500, 4 bytes) is not a JSON object"},
    {"GrantDropped", kDrop, Ok(kPutWins), C::kIOError, "lease grant: connection lost"},
    {"GrantHangs", kHang, Ok(kPutWins), C::kIOError, "lease grant: no answer in time"},
    {"GrantUnavailable", Ok(R"({"error":"etcdserver: no leader","code":14})"), Ok(kPutWins), C::kIOError,
     "no leader (gave up after"},
    {"TxnEmpty", kGoodGrant, Ok("{}"), C::kCorruption, "claim transaction: the transaction neither put the key nor read it"},
    {"TxnSucceededNotBool", kGoodGrant, Ok(R"({"succeeded":"yes"})"), C::kCorruption, "\"succeeded\" is not a boolean"},
    {"TxnResponsesNotArray", kGoodGrant, Ok(R"({"responses":"x"})"), C::kCorruption, "neither put the key nor read it"},
    {"TxnResponseNotObject", kGoodGrant, Ok(R"({"responses":[7]})"), C::kCorruption, "neither put the key nor read it"},
    {"TxnNoKvs", kGoodGrant, Ok(R"({"responses":[{"response_range":{}}]})"), C::kCorruption, "neither put"},
    {"TxnKvsEmpty", kGoodGrant, Holds(""), C::kCorruption, "neither put the key nor read it"},
    {"TxnKvNotObject", kGoodGrant, Holds("\"x\""), C::kCorruption, "neither put the key nor read it"},
    {"TxnValueNotBase64", kGoodGrant, Holds(R"({"value":"!!!"})"), C::kCorruption, "the key's value is not base64"},
    {"TxnValueNumber", kGoodGrant, Holds(R"({"value":5})"), C::kCorruption, "the key's value is not base64"},
    {"TxnValueAbsent", kGoodGrant, Holds("{}"), C::kCorruption, "the key holds \"\", not a role"},
    {"TxnValueBinary", kGoodGrant, Holds(R"({"value":"Af8K"})"), C::kCorruption, "the key holds \"???\", not a role"},
    {"TxnValueCase", kGoodGrant, Holds(R"({"value":"UHJpbWFyeQ=="})"), C::kCorruption, "holds \"Primary\""},
    {"TxnLeaseNotInteger", kGoodGrant, Holds(R"({"value":"cHJpbWFyeQ==","lease":{}})"), C::kCorruption,
     "the key's lease is not an integer"},
    {"TxnDropped", kGoodGrant, kDrop, C::kIOError, "claim transaction: connection lost"},
    {"TxnHangs", kGoodGrant, kHang, C::kIOError, "claim transaction: no answer in time"},
};

class EtcdArbiterHostileTest : public testing::TestWithParam<HostileCase> {};

TEST_P(EtcdArbiterHostileTest, IsAnErrorNamingWhatWasWrong) {
  const HostileCase& c = GetParam();
  const Outcome o = ClaimAgainst(Answers(c.grant, c.txn));
  EXPECT_EQ(o.status.code(), c.code) << o.status.ToString();
  EXPECT_NE(o.status.message().find(c.says), std::string::npos) << o.status.message().substr(0, 400);
  EXPECT_EQ(o.status.message().rfind("etcd arbiter http://127.0.0.1:", 0), 0u) << o.status.message().substr(0, 400);
  EXPECT_FALSE(o.won);
  EXPECT_LT(o.spent, milliseconds(1500));
}

INSTANTIATE_TEST_SUITE_P(Answers, EtcdArbiterHostileTest, testing::ValuesIn(kHostile),
                         [](const testing::TestParamInfo<HostileCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace tapvm::ft
