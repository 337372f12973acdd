// JournalPump: work is written in queue order on the pump's thread, the
// queue is bounded, the first error sticks, and a pump dropped without
// Close leaves a readable, not cleanly closed journal.
#include "recorder/journal_pump.h"

#include <gtest/gtest.h>

#include "journal/reader.h"
#include "journal_test_util.h"

namespace tapvm {
namespace {

using journal::testutil::AllKinds;
using journal::testutil::Bytes;
using journal::testutil::SameEvent;
using journal::testutil::SampleHeader;
using journal::testutil::TempPath;

std::unique_ptr<journal::JournalWriter> NewWriter(const std::string& path) {
  std::unique_ptr<journal::JournalWriter> w;
  EXPECT_TRUE(journal::JournalWriter::Create(path, SampleHeader(), journal::WriterOptions(), &w).ok());
  return w;
}

std::vector<journal::Event> ReadAll(const std::string& path, journal::JournalHeader* header = nullptr) {
  std::unique_ptr<journal::JournalReader> r;
  const Status st = journal::JournalReader::Open(path, &r);
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::vector<journal::Event> out;
  if (!r) return out;
  if (header) *header = r->header();
  for (;;) {
    journal::Event e;
    bool end = false;
    if (!r->Next(&e, &end).ok() || end) break;
    out.push_back(std::move(e));
  }
  return out;
}

TEST(JournalPump, WritesImagesAndEventsInOrderAndClosesCleanly) {
  const std::string path = TempPath("pump_order");
  const std::vector<uint8_t> image = Bytes(300000, 7);
  const std::vector<journal::Event> events = AllKinds();
  {
    JournalPump pump(NewWriter(path));
    ASSERT_TRUE(pump.PutImage(journal::ImageRole::kKernel, "Image", image).ok());
    for (const auto& e : events) ASSERT_TRUE(pump.Append(e).ok());
    ASSERT_TRUE(pump.Close(999999).ok());
  }
  journal::JournalHeader h;
  const std::vector<journal::Event> got = ReadAll(path, &h);
  ASSERT_EQ(got.size(), events.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].seq, i + 1);
    EXPECT_TRUE(SameEvent(got[i], events[i]));
  }
  EXPECT_TRUE(h.clean_close);
  EXPECT_EQ(h.final_icount, 999999u);
  const journal::ImageInfo* img = h.FindImage(journal::ImageRole::kKernel, "Image");
  ASSERT_NE(img, nullptr);
  EXPECT_TRUE(img->stored);
  EXPECT_EQ(img->size, image.size());
  unlink(path.c_str());
}

TEST(JournalPump, BoundedQueueStillDeliversEverything) {
  const std::string path = TempPath("pump_bounded");
  constexpr uint64_t kEvents = 20000;
  {
    // Room for a handful of events: Append must wait for the pump.
    JournalPump pump(NewWriter(path), 8 * JournalPump::kEventCostBytes + 4096);
    for (uint64_t i = 0; i < kEvents; ++i) {
      journal::Event e;
      e.icount = i;
      e.body = journal::ConsoleOut{0, Bytes(1 + i % 200, static_cast<uint8_t>(i))};
      ASSERT_TRUE(pump.Append(std::move(e)).ok());
    }
    ASSERT_TRUE(pump.Close(kEvents).ok());
  }
  const auto got = ReadAll(path);
  ASSERT_EQ(got.size(), kEvents);
  EXPECT_EQ(got.back().icount, kEvents - 1);
  EXPECT_EQ(journal::PayloadOf(got.back().body)->size(), 1 + (kEvents - 1) % 200);
  unlink(path.c_str());
}

TEST(JournalPump, FirstWriterErrorSticks) {
  const std::string path = TempPath("pump_error");
  JournalPump pump(NewWriter(path));
  journal::Event e;
  e.icount = 100;
  e.body = journal::IrqLine{1, 2, true};
  ASSERT_TRUE(pump.Append(e).ok());
  e.icount = 50;  // backwards: the writer refuses it, on the pump's thread
  ASSERT_TRUE(pump.Append(e).ok());
  const Status st = pump.Close(200);
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(pump.status().ok());
  EXPECT_FALSE(pump.Append(e).ok()) << "nothing is accepted after an error";
  journal::JournalHeader h;
  const auto got = ReadAll(path, &h);
  EXPECT_EQ(got.size(), 1u) << "what came before the error is committed";
  EXPECT_FALSE(h.clean_close);
  unlink(path.c_str());
}

TEST(JournalPump, DroppedWithoutCloseLeavesACommittedPrefix) {
  const std::string path = TempPath("pump_drop");
  {
    JournalPump pump(NewWriter(path));
    for (const auto& e : AllKinds()) ASSERT_TRUE(pump.Append(e).ok());
  }
  journal::JournalHeader h;
  EXPECT_EQ(ReadAll(path, &h).size(), AllKinds().size());
  EXPECT_FALSE(h.clean_close);
  unlink(path.c_str());
}

}  // namespace
}  // namespace tapvm
