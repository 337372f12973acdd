// Fault injection (emulator/block/inject.h): the rule grammar and its
// errors, the injector's decisions and their determinism, and each fault
// kind through both backends at the host-call level — errors reach the
// request, short transfers and EAGAIN are absorbed by the backends' own
// continuation and retry (the data stays right).
#include "emulator/block/inject.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

#include "emulator/block/backends/open_block_backend.h"
#include "emulator/machine/backends/host_backends.h"
#include "emulator/machine/machine_config.h"
#include "tests/unit/block_test_util.h"

namespace tapvm {
namespace {

using namespace blocktest;
using S = BlockCompletion::Status;
using Type = BlockRequest::Type;
using K = Fault::Kind;

HostOp Op(HostOp::Kind kind, uint64_t offset = 0, uint64_t length = 4096, bool retry = false) {
  return HostOp{kind, offset, length, 1, retry};
}

std::shared_ptr<FaultInjector> Make(const std::string& rules, uint64_t seed = 0) {
  std::shared_ptr<FaultInjector> inj;
  Status st = FaultInjector::Create(rules, seed, &inj);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return inj;
}

TEST(FaultRulesTest, BadRulesAreRefusedNamingTheRule) {
  const char* bad[] = {"read",           "reed:eio",           "read:eioo",          "read:eio:every=0",
                       "read:eio:every=x", "read:eio:offset=2M-1M", "read:eio:offset=1Q", "flush:short",
                       "read:delay=5",   "read:delay=ms",      "read:eio:prob=1.5",  "read:eio:bogus",
                       "read:eio:after=", "write:eagain:prob=x"};
  for (const char* rule : bad) {
    std::shared_ptr<FaultInjector> inj;
    Status st = FaultInjector::Create(rule, 0, &inj);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << rule;
    EXPECT_NE(st.message().find(std::string("'") + rule + "'"), std::string::npos) << st.message();
    EXPECT_EQ(FaultInjector::Validate(rule).code(), Status::Code::kInvalidArgument) << rule;
  }
  // The bad one among good ones is the one named.
  Status st = FaultInjector::Validate("read:eio;write:bogus;flush:eio");
  EXPECT_NE(st.message().find("'write:bogus'"), std::string::npos) << st.message();
}

TEST(FaultRulesTest, GrammarSeparatorsCommentsAndSizes) {
  auto inj = Make(" read:eio:offset=1M-2M ; write:short:every=7\n# a comment\n\nflush:eio:once # trailing\n"
                  "any:delay=5ms:every=3;any:eagain:every=5:after=2:prob=50%");
  EXPECT_EQ(inj->num_rules(), 5u);
  FaultInjector::Rule r;
  ASSERT_TRUE(FaultInjector::ParseRule("read:eio:offset=1M-2M", &r).ok());
  EXPECT_EQ(r.begin, 1u << 20);
  EXPECT_EQ(r.end, 2u << 20);
  ASSERT_TRUE(FaultInjector::ParseRule("zeroes:eio:offset=4K", &r).ok());
  EXPECT_EQ(r.begin, 4096u);
  EXPECT_EQ(r.end, 4097u);
  ASSERT_TRUE(FaultInjector::ParseRule("any:delay=250us", &r).ok());
  EXPECT_EQ(r.fault.delay_ns, 250'000u);
  EXPECT_EQ(Make("")->num_rules(), 0u);
  EXPECT_EQ(Make("")->Decide(Op(HostOp::Kind::kRead)).kind, K::kNone);
}

TEST(FaultRulesTest, TriggersEveryAfterOnceOffset) {
  auto every = Make("read:eio:every=3");
  std::vector<int> fired;
  for (int i = 1; i <= 9; ++i)
    if (every->Decide(Op(HostOp::Kind::kRead)).kind == K::kError) fired.push_back(i);
  EXPECT_EQ(fired, (std::vector<int>{3, 6, 9}));
  EXPECT_EQ(every->Decide(Op(HostOp::Kind::kWrite)).kind, K::kNone);  // not counted either
  EXPECT_EQ(every->fired(0), 3u);

  auto after = Make("write:eio:after=2:every=2");
  fired.clear();
  for (int i = 1; i <= 8; ++i)
    if (after->Decide(Op(HostOp::Kind::kWrite)).kind == K::kError) fired.push_back(i);
  EXPECT_EQ(fired, (std::vector<int>{4, 6, 8}));

  auto once = Make("flush:eio:once");
  EXPECT_EQ(once->Decide(Op(HostOp::Kind::kFlush, 0, 0)).kind, K::kError);
  EXPECT_EQ(once->Decide(Op(HostOp::Kind::kFlush, 0, 0)).kind, K::kNone);

  auto range = Make("read:eio:offset=1M-2M");
  EXPECT_EQ(range->Decide(Op(HostOp::Kind::kRead, (1 << 20) - 4096, 4096)).kind, K::kNone);
  EXPECT_EQ(range->Decide(Op(HostOp::Kind::kRead, (1 << 20) - 4096, 4097)).kind, K::kError);  // overlaps
  EXPECT_EQ(range->Decide(Op(HostOp::Kind::kRead, (2 << 20) - 1, 1)).kind, K::kError);
  EXPECT_EQ(range->Decide(Op(HostOp::Kind::kRead, 2 << 20, 4096)).kind, K::kNone);
}

TEST(FaultRulesTest, ShortAndEagainNeverTwiceInARowAndShortKeepsTheGranularity) {
  auto inj = Make("any:eagain;read:short");
  EXPECT_EQ(inj->Decide(Op(HostOp::Kind::kFlush, 0, 0)).kind, K::kAgain);
  EXPECT_EQ(inj->Decide(Op(HostOp::Kind::kFlush, 0, 0, true)).kind, K::kNone);  // the retry goes through
  // The first rule (eagain) decides first; on the retry the short rule does.
  EXPECT_EQ(inj->Decide(Op(HostOp::Kind::kRead, 0, 8192)).kind, K::kAgain);
  EXPECT_EQ(inj->Decide(Op(HostOp::Kind::kRead, 0, 8192, true)).kind, K::kNone);  // no short on a retry either
  auto shorter = Make("read:short");
  Fault f = shorter->Decide(HostOp{HostOp::Kind::kRead, 0, 12288, 4096, false});
  EXPECT_EQ(f.kind, K::kShort);
  EXPECT_EQ(f.length, 4096u);  // half of 12 KiB is 6 KiB, down to whole 4 KiB blocks
  EXPECT_EQ(shorter->Decide(HostOp{HostOp::Kind::kRead, 0, 4096, 4096, false}).kind, K::kNone);  // cannot
  EXPECT_EQ(shorter->Decide(HostOp{HostOp::Kind::kRead, 0, 5, 1, false}).length, 2u);
}

TEST(FaultRulesTest, SameSeedSameFaults) {
  auto run = [](uint64_t seed) {
    auto inj = Make("read:eio:prob=0.5;write:eagain:prob=30%", seed);
    std::string trace;
    for (int i = 0; i < 200; ++i)
      trace += static_cast<char>('0' + static_cast<int>(inj->Decide(Op(i % 3 ? HostOp::Kind::kRead
                                                                             : HostOp::Kind::kWrite)).kind));
    return trace;
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
  const std::string t = run(7);
  const auto errors = std::count(t.begin(), t.end(), '0' + static_cast<int>(K::kError));
  EXPECT_GT(errors, 30);  // about half of 133 reads
  EXPECT_LT(errors, 105);
  EXPECT_EQ(Make("read:eio:prob=0")->Decide(Op(HostOp::Kind::kRead)).kind, K::kNone);
  EXPECT_EQ(Make("read:eio:prob=1")->Decide(Op(HostOp::Kind::kRead)).kind, K::kError);
}

// ---------------------------------------------------------------- backends

struct Variant {
  BlockAio aio;
  BlockCache cache;
};

class InjectedBackend : public ::testing::TestWithParam<Variant> {
 protected:
  std::unique_ptr<BlockBackend> Open(const std::string& path, const std::string& rules, unsigned threads = 1) {
    BlockBackendOptions o;
    o.path = path;
    o.aio = GetParam().aio;
    o.cache = GetParam().cache;
    o.threads = threads;
    injector_ = Make(rules, 1);
    o.injector = injector_;
    std::unique_ptr<BlockBackend> b;
    Status st = OpenBlockBackend(o, &b);
    if (st.code() == Status::Code::kNotSupported) return nullptr;
    EXPECT_TRUE(st.ok()) << st.ToString();
    return b;
  }
  std::shared_ptr<FaultInjector> injector_;
};

#define OPEN_OR_SKIP(b, ...)                                        \
  auto b = Open(__VA_ARGS__);                                       \
  if (!b) GTEST_SKIP() << "not supported here (io_uring or O_DIRECT)"

TEST_P(InjectedBackend, ErrorsReachTheRequestOnlyInTheirRange) {
  TempImage img(4 << 20);
  img.WriteRaw(0, Pattern(4 << 20, 1));
  OPEN_OR_SKIP(b, img.path(), "read:eio:offset=1M-2M");
  EXPECT_EQ(Execute(*b, Req(Type::kRead, 0, 65536)).data, img.ReadRaw(0, 65536));
  BlockCompletion c = Execute(*b, Req(Type::kRead, (1 << 20) + 4096, 4096, 9));
  EXPECT_EQ(c.status, S::kIoError);
  EXPECT_EQ(c.id, 9u);
  EXPECT_TRUE(c.data.empty());
  EXPECT_EQ(Execute(*b, Req(Type::kRead, 2 << 20, 4096)).status, S::kOk);
  EXPECT_EQ(Execute(*b, WriteReq((1 << 20) + 4096, Pattern(4096, 3))).status, S::kOk);  // writes unaffected
}

TEST_P(InjectedBackend, WriteErrorsAfterACountAndAFlushErrorOnce) {
  TempImage img(1 << 20);
  OPEN_OR_SKIP(b, img.path(), "write:eio:after=3;flush:eio:once");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Execute(*b, WriteReq(4096 * i, Pattern(4096, 2))).status, S::kOk) << i;
  EXPECT_EQ(Execute(*b, WriteReq(4096 * 3, Pattern(4096, 2))).status, S::kIoError);
  EXPECT_EQ(Execute(*b, Req(Type::kFlush, 0, 0)).status, S::kIoError);
  EXPECT_EQ(Execute(*b, Req(Type::kFlush, 0, 0)).status, S::kOk);
  EXPECT_EQ(img.ReadRaw(4096 * 3, 4096), std::vector<uint8_t>(4096, 0));  // the failed write never happened
}

// Short transfers and EAGAIN at the host are the backends' business: the
// data is right and the request succeeds.
TEST_P(InjectedBackend, ShortTransfersAndEagainAreInvisible) {
  TempImage img(1 << 20);
  OPEN_OR_SKIP(b, img.path(), "read:short;write:short:every=1;any:eagain:every=2");
  const std::vector<uint8_t> data = Pattern(65536 + 512, 5);
  EXPECT_EQ(Execute(*b, WriteReq(8192, data)).status, S::kOk);
  EXPECT_EQ(img.ReadRaw(8192, data.size()), data);
  BlockCompletion r = Execute(*b, Req(Type::kRead, 8192, data.size()));
  EXPECT_EQ(r.status, S::kOk);
  EXPECT_EQ(r.data, data);
  EXPECT_EQ(Execute(*b, Req(Type::kFlush, 0, 0)).status, S::kOk);
  EXPECT_EQ(Execute(*b, Req(Type::kWriteZeroes, 8192, 4096)).status, S::kOk);
  EXPECT_EQ(img.ReadRaw(8192, 4096), std::vector<uint8_t>(4096, 0));
  EXPECT_GT(injector_->fired(0), 0u);  // read short
  EXPECT_GT(injector_->fired(1), 0u);  // write short
  EXPECT_GT(injector_->fired(2), 2u);  // eagain
}

TEST_P(InjectedBackend, DelayIsOnlyTiming) {
  TempImage img(1 << 20);
  OPEN_OR_SKIP(b, img.path(), "read:delay=30ms:once");
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(Execute(*b, Req(Type::kRead, 0, 4096)).status, S::kOk);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(30));
  EXPECT_EQ(injector_->fired(0), 1u);
}

// One I/O thread asks in submission order: the same seed gives the same
// failed requests.
TEST_P(InjectedBackend, SameSeedFailsTheSameRequests) {
  TempImage img(1 << 20);
  auto failed_ids = [&] {
    auto b = Open(img.path(), "read:eio:prob=0.3");
    std::vector<uint64_t> ids;
    if (!b) return ids;
    for (uint64_t i = 0; i < 60; ++i)
      if (Execute(*b, Req(Type::kRead, 4096 * (i % 16), 4096, i)).status != S::kOk) ids.push_back(i);
    return ids;
  };
  const std::vector<uint64_t> first = failed_ids();
  if (first.empty() && !Open(img.path(), "")) GTEST_SKIP() << "not supported here";
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(failed_ids(), first);
}

INSTANTIATE_TEST_SUITE_P(Backends, InjectedBackend,
                         ::testing::Values(Variant{BlockAio::kThreads, BlockCache::kWriteback},
                                           Variant{BlockAio::kIoUring, BlockCache::kWriteback},
                                           Variant{BlockAio::kThreads, BlockCache::kNone},
                                           Variant{BlockAio::kIoUring, BlockCache::kNone}),
                         [](const ::testing::TestParamInfo<Variant>& info) {
                           return std::string(BlockAioName(info.param.aio)) + "_" + BlockCacheName(info.param.cache);
                         });

TEST(OpenBlockBackendTest, BadOptionsAreRefused) {
  TempImage img(4096);
  BlockBackendOptions o;
  o.path = img.path();
  o.threads = 0;
  std::unique_ptr<BlockBackend> b;
  EXPECT_EQ(OpenBlockBackend(o, &b).code(), Status::Code::kInvalidArgument);
  o.threads = 1;
  o.path = "/nonexistent/x.img";
  EXPECT_EQ(OpenBlockBackend(o, &b).code(), Status::Code::kNotFound);
  EXPECT_EQ(b, nullptr);
  BlockCache cache;
  BlockAio aio;
  EXPECT_NE(ParseBlockCache("directsync", &cache).message().find("'directsync'"), std::string::npos);
  EXPECT_NE(ParseBlockAio("native", &aio).message().find("'native'"), std::string::npos);
}

// A drive's inject-file is read when the drive opens; its rules join the
// inject= ones, and a bad one is named with the file.
TEST(OpenBlockBackendTest, DriveInjectFile) {
  TempImage rules_file(0);
  const std::string text = "# faults for the test\nread:eio:offset=1M-2M\nflush:eio:once ; write:short\n";
  {
    std::vector<uint8_t> bytes(text.begin(), text.end());
    rules_file.WriteRaw(0, bytes);
  }
  DriveConfig d;
  ASSERT_TRUE(MachineConfig::ParseDrive("file=x.img,inject=any:eagain:every=5,inject-seed=3,inject-file=" +
                                            rules_file.path(),
                                        &d)
                  .ok());
  BlockBackendOptions o;
  Status st = BlockBackendOptionsFor(d, &o);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_NE(o.injector, nullptr);
  EXPECT_EQ(o.injector->num_rules(), 4u);
  EXPECT_EQ(o.path, "x.img");

  TempImage bad_file(0);
  const std::string bad = "read:eio\nwrite:explode\n";
  bad_file.WriteRaw(0, std::vector<uint8_t>(bad.begin(), bad.end()));
  d.inject_file = bad_file.path();
  st = BlockBackendOptionsFor(d, &o);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("'write:explode'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(bad_file.path()), std::string::npos) << st.message();
  d.inject_file = "/nonexistent/rules";
  EXPECT_FALSE(BlockBackendOptionsFor(d, &o).ok());
}

}  // namespace
}  // namespace tapvm
