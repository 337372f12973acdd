// DiffJournals: identical journals, a changed event, a shorter journal,
// header differences, and the last state digest both runs shared.
#include <memory>

#include "gtest/gtest.h"
#include "journal/diff.h"
#include "journal/reader.h"
#include "journal/writer.h"
#include "journal_test_util.h"

namespace tapvm::journal {
namespace {

using testutil::AllKinds;
using testutil::SampleHeader;
using testutil::TempPath;

void Write(const std::string& path, const JournalHeader& h, const std::vector<Event>& events, uint64_t final_icount) {
  std::unique_ptr<JournalWriter> w;
  ASSERT_TRUE(JournalWriter::Create(path, h, WriterOptions(), &w).ok());
  for (const Event& e : events) ASSERT_TRUE(w->Append(e).ok());
  ASSERT_TRUE(w->Close(final_icount).ok());
}

JournalDiff Diff(const std::string& a, const std::string& b) {
  std::unique_ptr<JournalReader> ra, rb;
  EXPECT_TRUE(JournalReader::Open(a, &ra).ok());
  EXPECT_TRUE(JournalReader::Open(b, &rb).ok());
  JournalDiff d;
  const Status st = DiffJournals(ra.get(), rb.get(), &d);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return d;
}

class JournalDiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    events_ = AllKinds();
    Write(a_, SampleHeader(), events_, 99999);
  }
  void TearDown() override {
    unlink(a_.c_str());
    unlink(b_.c_str());
  }
  std::string a_ = TempPath("diff_a"), b_ = TempPath("diff_b");
  std::vector<Event> events_;
};

TEST_F(JournalDiffTest, IdenticalJournalsAgreeEverywhere) {
  Write(b_, SampleHeader(), events_, 99999);
  JournalDiff d = Diff(a_, b_);
  EXPECT_TRUE(d.identical());
  EXPECT_EQ(d.common_events, events_.size());
  ASSERT_TRUE(d.last_common_digest.has_value());
  EXPECT_EQ(std::get<StateDigest>(d.last_common_digest->body).value, 0xfedcba0987654321ull);
}

TEST_F(JournalDiffTest, FindsTheFirstChangedPayloadByte) {
  std::vector<Event> changed = events_;
  MutablePayloadOf(changed[3].body).bytes()[1000] ^= 0x40;  // the 1514-byte frame: a blob
  MutablePayloadOf(changed[5].body).bytes()[0] ^= 1;        // a later change: not reported
  Write(b_, SampleHeader(), changed, 99999);
  JournalDiff d = Diff(a_, b_);
  EXPECT_FALSE(d.identical());
  EXPECT_TRUE(d.header_differences.empty());
  EXPECT_EQ(d.common_events, 3u);
  ASSERT_TRUE(d.first_a && d.first_b);
  EXPECT_EQ(d.first_a->seq, 4u);
  EXPECT_EQ(d.first_b->seq, 4u);
  EXPECT_TRUE(SameBody(d.first_b->body, changed[3].body));
  EXPECT_FALSE(d.last_common_digest.has_value());
}

TEST_F(JournalDiffTest, FindsAnIcountShift) {
  std::vector<Event> changed = events_;
  for (size_t i = 10; i < changed.size(); ++i) changed[i].icount += 1;
  Write(b_, SampleHeader(), changed, 99999);
  JournalDiff d = Diff(a_, b_);
  EXPECT_EQ(d.common_events, 10u);
  ASSERT_TRUE(d.first_a && d.first_b);
  EXPECT_EQ(d.first_b->icount, d.first_a->icount + 1);
}

TEST_F(JournalDiffTest, AShorterJournalEndsFirst) {
  std::vector<Event> prefix(events_.begin(), events_.end() - 1);  // without the last digest
  Write(b_, SampleHeader(), prefix, 99999);
  JournalDiff d = Diff(a_, b_);
  EXPECT_EQ(d.common_events, prefix.size());
  EXPECT_TRUE(d.first_a.has_value());
  EXPECT_FALSE(d.first_b.has_value());
  ASSERT_TRUE(d.last_common_digest.has_value());
  EXPECT_EQ(std::get<StateDigest>(d.last_common_digest->body).value, 0x1234567890abcdefull);
}

TEST_F(JournalDiffTest, ReportsHeaderAndFinalIcountDifferences) {
  JournalHeader h = SampleHeader();
  h.config[0].second = "512";
  h.config.emplace_back("netdev", "dgram");
  h.digest_interval = 5;
  Write(b_, h, events_, 100000);
  JournalDiff d = Diff(a_, b_);
  EXPECT_FALSE(d.identical());
  EXPECT_FALSE(d.first_a || d.first_b);
  EXPECT_TRUE(d.final_icount_differs);
  ASSERT_EQ(d.header_differences.size(), 3u);
  EXPECT_EQ(d.header_differences[0], "digest interval 10000000 vs 5");
  EXPECT_EQ(d.header_differences[1], "config ram_mib: 256 vs 512");
  EXPECT_EQ(d.header_differences[2], "config netdev: (absent) vs dgram");
}

// A throttled against an unthrottled recording: the same request, held
// back; diff names it and both icounts.
TEST_F(JournalDiffTest, NamesTheBlockRequestWhoseTimingChanged) {
  auto event = [](uint64_t icount, EventBody body) {
    Event e;
    e.icount = icount;
    e.body = std::move(body);
    return e;
  };
  const BlockRequest first{1, 4, BlockRequest::Type::kRead, 0, 4096, {}};
  const BlockRequest held{1, 5, BlockRequest::Type::kRead, 4096, 65536, {}};
  const std::vector<Event> fast = {event(100, first), event(200, BlockCompletion{1, 4, BlockCompletion::Status::kOk, IoBytes(4096, 0)}),
                                   event(300, held), event(400, IrqLine{1, 1, true})};
  // Throttled: the guest notified at 300 and idled at 350; the request left
  // when the clock warped to its release time.
  const std::vector<Event> slow = {event(100, first), event(200, BlockCompletion{1, 4, BlockCompletion::Status::kOk, IoBytes(4096, 0)}),
                                   event(350, ClockWarp{21, 62521}), event(350, held), event(450, IrqLine{1, 1, true})};
  unlink(a_.c_str());
  Write(a_, SampleHeader(), fast, 1000);
  Write(b_, SampleHeader(), slow, 1000);
  JournalDiff d = Diff(a_, b_);
  EXPECT_EQ(d.common_events, 2u);
  ASSERT_TRUE(d.request_shift.has_value());
  EXPECT_EQ(d.request_shift->request.id, 5u);
  EXPECT_EQ(d.request_shift->request.offset, 4096u);
  EXPECT_EQ(d.request_shift->icount_a, 300u);
  EXPECT_EQ(d.request_shift->seq_a, 3u);
  EXPECT_EQ(d.request_shift->icount_b, 350u);
  EXPECT_EQ(d.request_shift->seq_b, 4u);
  // Another request first on one side: no shift claimed.
  std::vector<Event> other = slow;
  std::get<BlockRequest>(other[3].body).id = 6;
  unlink(b_.c_str());
  Write(b_, SampleHeader(), other, 1000);
  EXPECT_FALSE(Diff(a_, b_).request_shift.has_value());
}

}  // namespace
}  // namespace tapvm::journal
