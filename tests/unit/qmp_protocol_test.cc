// The QMP library's pure parts: framing a byte stream into requests, the
// dispatcher's request rules (negotiation, error classes, id echo,
// argument checks) and block_set_io_throttle's validation.
#include <gtest/gtest.h>

#include "tools/qmp/block_io_throttle.h"
#include "tools/qmp/json_framer.h"
#include "tools/qmp/qmp_address.h"
#include "tools/qmp/qmp_dispatcher.h"

namespace tapvm::qmp {
namespace {

std::vector<std::string> Frame(JsonFramer& f, std::string_view bytes, bool* ok = nullptr) {
  std::vector<std::string> texts;
  std::string error;
  const bool fed = f.Feed(bytes, &texts, &error);
  if (ok) *ok = fed;
  return texts;
}

TEST(JsonFramerTest, CutsObjectsWithOrWithoutNewlines) {
  JsonFramer f(1024, 8);
  EXPECT_EQ(Frame(f, "{\"a\": 1}{\"b\": [2, {}]}\n  {\"c\""),
            (std::vector<std::string>{"{\"a\": 1}", "{\"b\": [2, {}]}"}));
  EXPECT_EQ(Frame(f, ": \"}{\\\"\"}"), (std::vector<std::string>{"{\"c\": \"}{\\\"\"}"}));
  // Bare text ends at the end of its line; a stray closer is a text of its own.
  EXPECT_EQ(Frame(f, "  hello 42 \n}"), (std::vector<std::string>{"hello 42 ", "}"}));
}

TEST(JsonFramerTest, BoundsLengthAndDepth) {
  JsonFramer f(16, 3);
  bool ok = true;
  Frame(f, "{\"abcdefghijklmnopq\": 1}", &ok);
  EXPECT_FALSE(ok);
  JsonFramer g(1024, 3);
  Frame(g, "[[[]]]", &ok);
  EXPECT_TRUE(ok);
  Frame(g, "[[[[", &ok);
  EXPECT_FALSE(ok);
}

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() : d_(Json{{"qemu", {{"major", 0}, {"minor", 1}, {"micro", 0}}}, {"package", "t"}}) {
    d_.Register("echo", {{"device", ArgType::kString, true}, {"n", ArgType::kInt, false}},
                [](const QmpArgs& a) { return QmpResult(Json{{"device", *a.str("device")}, {"n", a.integer("n").value_or(-1)}}); });
    d_.Register("boom", {}, [](const QmpArgs&) -> QmpResult { throw std::runtime_error("bad"); });
  }
  Json Run(const std::string& text) { return d_.Dispatch(Json::parse(text), &session_); }
  std::string Desc(const Json& r) { return r["error"]["desc"].get<std::string>(); }
  QmpDispatcher d_;
  QmpDispatcher::Session session_;
};

TEST_F(DispatcherTest, NegotiationComesFirst) {
  EXPECT_EQ(d_.Greeting()["QMP"]["capabilities"], Json::array());
  Json r = Run(R"({"execute": "echo", "arguments": {"device": "x"}, "id": 7})");
  EXPECT_EQ(r["error"]["class"], "CommandNotFound");
  EXPECT_EQ(r["id"], 7);
  EXPECT_EQ(Run(R"({"execute": "qmp_capabilities", "arguments": {"enable": ["oob"]}})")["error"]["class"],
            "GenericError");
  EXPECT_FALSE(session_.negotiated);
  EXPECT_EQ(Run(R"({"execute": "qmp_capabilities"})"), Json::parse(R"({"return": {}})"));
  EXPECT_EQ(Run(R"({"execute": "qmp_capabilities"})")["error"]["class"], "CommandNotFound");
  EXPECT_EQ(Run(R"({"execute": "echo", "arguments": {"device": "x"}, "id": {"a": [1]}})"),
            Json::parse(R"({"return": {"device": "x", "n": -1}, "id": {"a": [1]}})"));
}

TEST_F(DispatcherTest, MalformedRequestsGetQemusErrors) {
  session_.negotiated = true;
  EXPECT_EQ(Desc(Run("[1]")), "QMP input must be a JSON object");
  EXPECT_EQ(Desc(Run(R"({"id": 1})")), "QMP input lacks member 'execute'");
  EXPECT_EQ(Desc(Run(R"({"execute": 1})")), "QMP input member 'execute' must be a string");
  EXPECT_EQ(Desc(Run(R"({"execute": "echo", "arguments": []})")), "QMP input member 'arguments' must be an object");
  EXPECT_EQ(Desc(Run(R"({"execute": "echo", "foo": 1})")), "QMP input member 'foo' is unexpected");
  Json r = Run(R"({"execute": "nope", "id": "q"})");
  EXPECT_EQ(r["error"]["class"], "CommandNotFound");
  EXPECT_EQ(r["id"], "q");
  EXPECT_EQ(Desc(Run(R"({"execute": "echo"})")), "Parameter 'device' is missing");
  EXPECT_EQ(Desc(Run(R"({"execute": "echo", "arguments": {"device": 3}})")),
            "Invalid parameter type for 'device', expected: string");
  EXPECT_EQ(Desc(Run(R"({"execute": "echo", "arguments": {"device": "a", "n": 1.5}})")),
            "Invalid parameter type for 'n', expected: integer");
  EXPECT_EQ(Desc(Run(R"({"execute": "echo", "arguments": {"device": "a", "n": 9223372036854775808}})")),
            "Invalid parameter type for 'n', expected: integer");
  EXPECT_EQ(Desc(Run(R"({"execute": "echo", "arguments": {"device": "a", "zz": 1}})")), "Parameter 'zz' is unexpected");
  EXPECT_EQ(Desc(Run(R"({"execute": "boom"})")), "internal error: bad");
  EXPECT_EQ(QmpDispatcher::ParseError("x")["error"]["class"], "GenericError");
}

TEST_F(DispatcherTest, BuiltInQueries) {
  session_.negotiated = true;
  EXPECT_EQ(Run(R"({"execute": "query-version"})")["return"]["package"], "t");
  Json names = Run(R"({"execute": "query-commands"})")["return"];
  EXPECT_EQ(names[0]["name"], "qmp_capabilities");
  bool has_echo = false;
  for (const Json& n : names) has_echo = has_echo || n["name"] == "echo";
  EXPECT_TRUE(has_echo);
}

std::optional<QmpError> Throttle(const std::string& args, BlockIoThrottle* out) {
  Json j = Json::parse(args);
  std::vector<ArgSpec> specs = BlockIoThrottleArgs();
  for (const ArgSpec& s : specs)
    if (s.required && !j.contains(s.name)) j[s.name] = 0;
  return ParseBlockIoThrottle(QmpArgs(j), out);
}

TEST(BlockIoThrottleTest, ParsesAndValidatesLikeQemu) {
  BlockIoThrottle t;
  ASSERT_FALSE(Throttle(R"({"device": "drive0", "bps_rd": 1000, "iops_wr": 10, "iops_wr_max": 20,
                            "iops_wr_max_length": 5, "iops_size": 4096, "group": "g"})", &t));
  EXPECT_EQ(t.device, "drive0");
  EXPECT_EQ(t.limits[BlockIoThrottle::kBpsRead].avg, 1000);
  EXPECT_EQ(t.limits[BlockIoThrottle::kIopsWrite].max, 20);
  EXPECT_EQ(t.limits[BlockIoThrottle::kIopsWrite].max_length, 5);
  EXPECT_EQ(t.limits[BlockIoThrottle::kBpsTotal].max_length, 1);
  EXPECT_EQ(t.iops_size, 4096);
  EXPECT_EQ(t.group, "g");
  EXPECT_TRUE(t.enabled());
  ASSERT_FALSE(Throttle(R"({"id": "d"})", &t));
  EXPECT_FALSE(t.enabled());
  const std::pair<const char*, const char*> bad[] = {
      {R"({})", "Need exactly one of 'device' and 'id'"},
      {R"({"device": "a", "id": "b"})", "Need exactly one of 'device' and 'id'"},
      {R"({"device": "a", "bps": -1})", "bps/iops/max values must be within [0, 1000000000000000]"},
      {R"({"device": "a", "bps": 1000000000000001})", "bps/iops/max values must be within [0, 1000000000000000]"},
      {R"({"device": "a", "bps": 1, "bps_rd": 1})", "bps/iops/max total values and read/write values cannot be used at the same time"},
      {R"({"device": "a", "iops_size": 512})", "iops size requires an iops value to be set"},
      {R"({"device": "a", "bps": 10, "bps_max_length": 0})", "the burst length cannot be 0"},
      {R"({"device": "a", "bps": 10, "bps_max_length": 3})", "burst length set without burst rate"},
      {R"({"device": "a", "bps_max": 10})", "bps_max/iops_max require corresponding bps/iops values"},
      {R"({"device": "a", "bps": 10, "bps_max": 5})", "bps_max/iops_max cannot be lower than bps/iops"},
      {R"({"device": "a", "bps": 10, "bps_max": 1000000000000000, "bps_max_length": 2})",
       "burst length too high for this burst rate"},
  };
  for (const auto& [args, desc] : bad) {
    auto err = Throttle(args, &t);
    ASSERT_TRUE(err) << args;
    EXPECT_EQ(err->cls, "GenericError");
    EXPECT_EQ(err->desc, desc) << args;
  }
}

TEST(QmpAddressTest, ParsesQemuSyntax) {
  QmpAddress a;
  ASSERT_TRUE(QmpAddress::Parse("unix:/tmp/q.sock,server", &a).ok());
  EXPECT_EQ(a.kind, QmpAddress::Kind::kUnix);
  EXPECT_EQ(a.path, "/tmp/q.sock");
  EXPECT_TRUE(a.wait);
  ASSERT_TRUE(QmpAddress::Parse("tcp:127.0.0.1:4444,server,nowait", &a).ok());
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 4444);
  EXPECT_FALSE(a.wait);
  ASSERT_TRUE(QmpAddress::Parse("tcp::0,server=on,wait=off", &a).ok());
  EXPECT_EQ(a.host, "");
  for (const char* bad : {"unix:/x", "unix:,server", "tcp:1.2.3.4,server", "tcp:h:99999,server", "udp:h:1,server",
                          "unix:/x,server,bogus"})
    EXPECT_FALSE(QmpAddress::Parse(bad, &a).ok()) << bad;
}

}  // namespace
}  // namespace tapvm::qmp
