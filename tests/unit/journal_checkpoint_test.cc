// Checkpoints in a journal (format 3): the writer's refusals, lookups at,
// between and before checkpoints, a seek bound to a checkpoint's chain,
// adding checkpoints to a copy of a journal, and damage.
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "journal/reader.h"
#include "journal/writer.h"
#include "tests/unit/journal_test_util.h"

namespace tapvm::journal {
namespace {

using testutil::SampleHeader;
using testutil::TempPath;

// Ten console events at icounts 100, 200, ... 1000; returns the chain after
// each (index = seq).
std::vector<uint64_t> AppendEvents(JournalWriter* w) {
  std::vector<uint64_t> chains{w->chain()};
  for (int i = 1; i <= 10; ++i) {
    Event e;
    e.icount = 100 * static_cast<uint64_t>(i);
    e.body = ConsoleOut{0, testutil::Text("line " + std::to_string(i))};
    EXPECT_TRUE(w->Append(e).ok());
    chains.push_back(w->chain());
  }
  return chains;
}

CheckpointRecord Record(JournalWriter* w, uint64_t icount, bool full, uint64_t parent, uint8_t seed) {
  CheckpointRecord c;
  c.icount = icount;
  c.full = full;
  c.parent_icount = parent;
  c.tap_position = w->last_seq();
  c.chain = w->chain();
  c.state = testutil::Bytes(40, seed);
  PageRef p;
  p.addr = 0x80000000;
  EXPECT_TRUE(w->PutBlob(testutil::Bytes(4096, seed), &p.hash).ok());
  c.pages.push_back(p);
  return c;
}

TEST(JournalCheckpoint, WrittenFoundAndBoundToTheEvents) {
  const std::string path = TempPath("ckpt");
  std::unique_ptr<JournalWriter> w;
  ASSERT_TRUE(JournalWriter::Create(path, SampleHeader(), WriterOptions(), &w).ok());
  std::vector<uint64_t> chains = AppendEvents(w.get());  // events 1..10
  ASSERT_TRUE(w->PutCheckpoint(Record(w.get(), 1000, true, 0, 1)).ok());
  // Refused: not after the last, a parent that is not there, a chain that
  // is not the journal's.
  EXPECT_EQ(w->PutCheckpoint(Record(w.get(), 1000, false, 500, 2)).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(w->PutCheckpoint(Record(w.get(), 1500, false, 700, 2)).code(), Status::Code::kInvalidArgument);
  CheckpointRecord bad = Record(w.get(), 1500, true, 0, 2);
  bad.chain ^= 1;
  EXPECT_EQ(w->PutCheckpoint(bad).code(), Status::Code::kInvalidArgument);
  Event e;
  e.icount = 2000;
  e.body = ConsoleOut{0, testutil::Text("after")};
  ASSERT_TRUE(w->Append(e).ok());  // event 11
  ASSERT_TRUE(w->PutCheckpoint(Record(w.get(), 2000, false, 1000, 3)).ok());
  ASSERT_TRUE(w->Close(2000).ok());

  std::unique_ptr<JournalReader> r;
  ASSERT_TRUE(JournalReader::Open(path, &r).ok());
  EXPECT_TRUE(r->has_checkpoints());
  std::vector<CheckpointSummary> list;
  ASSERT_TRUE(r->ListCheckpoints(&list).ok());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_TRUE(list[0].full);
  EXPECT_FALSE(list[1].full);
  EXPECT_EQ(list[1].parent_icount, 1000u);
  CheckpointRecord c;
  bool found = true;
  ASSERT_TRUE(r->FindCheckpoint(999, &c, &found).ok());
  EXPECT_FALSE(found);  // before the first
  ASSERT_TRUE(r->FindCheckpoint(1000, &c, &found).ok());
  ASSERT_TRUE(found);
  EXPECT_EQ(c.icount, 1000u);  // exactly at one
  EXPECT_EQ(c.tap_position, 10u);
  EXPECT_EQ(c.chain, chains[10]);
  EXPECT_EQ(c.state, testutil::Bytes(40, 1));
  ASSERT_TRUE(r->FindCheckpoint(1999, &c, &found).ok());
  EXPECT_EQ(c.icount, 1000u);  // between
  ASSERT_TRUE(r->FindCheckpoint(UINT64_MAX, &c, &found).ok());
  EXPECT_EQ(c.icount, 2000u);  // past the last
  std::span<const uint8_t> page;
  ASSERT_TRUE(r->ViewBlob(c.pages[0].hash, 4096, &page).ok());
  EXPECT_TRUE(std::equal(page.begin(), page.end(), testutil::Bytes(4096, 3).begin()));
  uint64_t chain = 0;
  ASSERT_TRUE(r->ChainAfter(10, &chain).ok());
  EXPECT_EQ(chain, chains[10]);

  // A seek after the checkpoint reads on from event 11; with another
  // chain, the first event read is a chain break.
  ASSERT_TRUE(r->Seek(11, chains[10]).ok());
  bool end = false;
  ASSERT_TRUE(r->Next(&e, &end).ok());
  EXPECT_EQ(e.seq, 11u);
  ASSERT_TRUE(r->Next(&e, &end).ok());
  EXPECT_TRUE(end);
  std::unique_ptr<JournalReader> r2;
  ASSERT_TRUE(JournalReader::Open(path, &r2).ok());
  ASSERT_TRUE(r2->Seek(11, chains[9]).ok());
  Status st = r2->Next(&e, &end);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find("chain break"), std::string::npos) << st.message();
  VerifyReport rep;
  EXPECT_TRUE(r->Verify({}, &rep).ok());
  EXPECT_EQ(rep.checkpoints, 2u);
  unlink(path.c_str());
}

TEST(JournalCheckpoint, AddedToACopyOfAnOldJournal) {
  const std::string path = TempPath("plain"), copy = TempPath("plain_copy");
  std::unique_ptr<JournalWriter> w;
  ASSERT_TRUE(JournalWriter::Create(path, SampleHeader(), WriterOptions(), &w).ok());
  std::vector<uint64_t> chains = AppendEvents(w.get());
  ASSERT_TRUE(w->Close(1000, "power-off").ok());
  std::unique_ptr<JournalReader> r;
  ASSERT_TRUE(JournalReader::Open(path, &r).ok());
  EXPECT_FALSE(r->has_checkpoints());
  ASSERT_TRUE(r->CopyCompact(copy).ok());
  ASSERT_TRUE(JournalWriter::OpenForCheckpoints(copy, WriterOptions(), &w).ok());
  Event e;
  e.icount = 2000;
  e.body = ConsoleOut{0, testutil::Text("no")};
  EXPECT_FALSE(w->Append(e).ok());  // checkpoints only
  CheckpointRecord c = Record(w.get(), 450, true, 0, 7);
  c.tap_position = 4;  // in the middle: the chain is the caller's
  c.chain = chains[4];
  ASSERT_TRUE(w->PutCheckpoint(c).ok());
  ASSERT_TRUE(w->Close(0).ok());
  std::unique_ptr<JournalReader> r2;
  ASSERT_TRUE(JournalReader::Open(copy, &r2).ok());
  EXPECT_TRUE(r2->has_checkpoints());
  // The events and the end are the original's.
  EXPECT_EQ(r2->header().final_chain, r->header().final_chain);
  EXPECT_EQ(r2->header().end_reason, "power-off");
  EXPECT_EQ(r2->header().format_version, r->header().format_version);
  VerifyReport rep;
  EXPECT_TRUE(r2->Verify({}, &rep).ok());
  // Once indexed, not twice.
  r2.reset();
  EXPECT_FALSE(JournalWriter::OpenForCheckpoints(copy, WriterOptions(), &w).ok());
  unlink(path.c_str());
  unlink(copy.c_str());
}

TEST(JournalCheckpoint, DamagedRecordIsCorruption) {
  const std::string path = TempPath("ckpt_damage");
  std::unique_ptr<JournalWriter> w;
  ASSERT_TRUE(JournalWriter::Create(path, SampleHeader(), WriterOptions(), &w).ok());
  AppendEvents(w.get());
  CheckpointRecord c = Record(w.get(), 1000, true, 0, 1);
  c.state = testutil::Text("a state no event or blob holds: find me");
  ASSERT_TRUE(w->PutCheckpoint(c).ok());
  ASSERT_TRUE(w->Close(1000).ok());
  std::vector<uint8_t> bytes = testutil::ReadFile(path);
  const size_t at = testutil::Find(bytes, testutil::Text("find me"));
  ASSERT_NE(at, std::string::npos);
  bytes[at] ^= 0x20;
  testutil::WriteFile(path, bytes);
  std::unique_ptr<JournalReader> r;
  ASSERT_TRUE(JournalReader::Open(path, &r).ok());
  CheckpointRecord out;
  bool found = false;
  Status st = r->FindCheckpoint(1000, &out, &found);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find("checkpoint record at icount 1000"), std::string::npos) << st.message();
  VerifyReport rep;
  EXPECT_FALSE(r->Verify({}, &rep).ok());
  EXPECT_EQ(rep.bad_checkpoints, 1u);
  unlink(path.c_str());
}

}  // namespace
}  // namespace tapvm::journal
