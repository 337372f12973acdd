// JournalWriter -> JournalReader round trips: every event kind, blobs and
// their dedup, images, batching, seeking, the header and the tail.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "gtest/gtest.h"
#include "journal/format.h"
#include "journal/reader.h"
#include "journal/writer.h"
#include "journal_test_util.h"

namespace tapvm::journal {
namespace {

using testutil::AllKinds;
using testutil::Bytes;
using testutil::SameEvent;
using testutil::SampleHeader;
using testutil::TempPath;

std::unique_ptr<JournalWriter> MustCreate(const std::string& path, const JournalHeader& h = SampleHeader(),
                                          const WriterOptions& o = WriterOptions()) {
  std::unique_ptr<JournalWriter> w;
  const Status st = JournalWriter::Create(path, h, o, &w);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return w;
}

std::unique_ptr<JournalReader> MustOpen(const std::string& path, const ReaderOptions& o = ReaderOptions()) {
  std::unique_ptr<JournalReader> r;
  const Status st = JournalReader::Open(path, o, &r);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return r;
}

std::vector<Event> ReadAll(JournalReader* r) {
  std::vector<Event> out;
  for (;;) {
    Event e;
    bool end = false;
    const Status st = r->Next(&e, &end);
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!st.ok() || end) break;
    out.push_back(std::move(e));
  }
  return out;
}

TEST(JournalRoundTrip, EveryKind) {
  const std::string path = TempPath("every_kind");
  const auto events = AllKinds();
  auto w = MustCreate(path);
  for (size_t i = 0; i < events.size(); ++i) {
    uint64_t seq = 0;
    ASSERT_TRUE(w->Append(events[i], &seq).ok());
    EXPECT_EQ(seq, i + 1);
  }
  const uint64_t chain = w->chain();
  ASSERT_TRUE(w->Close(999999).ok());

  auto r = MustOpen(path);
  const JournalHeader& h = r->header();
  EXPECT_EQ(h.format_version, kFormatVersion);
  EXPECT_EQ(h.writer_version, "tapvm-test 0.1");
  EXPECT_EQ(h.config, SampleHeader().config);
  EXPECT_EQ(h.digest_interval, 10'000'000u);
  EXPECT_EQ(h.inline_limit, 64u);
  EXPECT_TRUE(h.clean_close);
  EXPECT_EQ(h.final_seq, events.size());
  EXPECT_EQ(h.final_icount, 999999u);
  EXPECT_EQ(h.last_icount, events.back().icount);
  EXPECT_EQ(h.final_chain, chain);
  const auto back = ReadAll(r.get());
  ASSERT_EQ(back.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(back[i].seq, i + 1);
    EXPECT_TRUE(SameEvent(events[i], back[i]));
    const auto p = PayloadOf(events[i].body);
    if (p) {
      EXPECT_EQ(back[i].payload.in_blob, p->size() > 64) << i;
      EXPECT_EQ(back[i].payload.size, p->size());
    }
  }
  // Next() after the end keeps saying end.
  Event e;
  bool end = false;
  ASSERT_TRUE(r->Next(&e, &end).ok());
  EXPECT_TRUE(end);

  VerifyReport report;
  uint64_t calls = 0, last_done = 0, total = 0;
  const Status st = r->Verify(
      [&](uint64_t d, uint64_t t) {
        ++calls;
        last_done = d;
        total = t;
      },
      &report);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(report.problems, 0u);
  EXPECT_EQ(report.records, events.size());
  EXPECT_TRUE(report.clean_close);
  EXPECT_GE(calls, 2u);
  EXPECT_EQ(last_done, total);
  EXPECT_EQ(report.by_kind[static_cast<size_t>(EventKind::kBlockRequest)], 5u);
  EXPECT_EQ(report.by_kind[static_cast<size_t>(EventKind::kMmioWrite)], 1u);
  EXPECT_EQ(report.first_icount, events.front().icount);
  EXPECT_EQ(report.last_icount, events.back().icount);
  unlink(path.c_str());
}

TEST(JournalRoundTrip, PayloadsNotLoaded) {
  const std::string path = TempPath("no_payloads");
  auto w = MustCreate(path);
  Event e;
  e.icount = 1;
  e.body = NetFrameIn{2, Bytes(1500, 1)};
  ASSERT_TRUE(w->Append(e).ok());
  ASSERT_TRUE(w->Close(1).ok());
  ReaderOptions o;
  o.load_payloads = false;
  auto r = MustOpen(path, o);
  const auto back = ReadAll(r.get());
  ASSERT_EQ(back.size(), 1u);
  EXPECT_FALSE(back[0].payload.loaded);
  EXPECT_TRUE(back[0].payload.in_blob);
  EXPECT_EQ(back[0].payload.size, 1500u);
  EXPECT_NE(DescribeEvent(back[0]).find("len=1500 blob="), std::string::npos) << DescribeEvent(back[0]);
  std::vector<uint8_t> data;
  ASSERT_TRUE(r->GetBlob(back[0].payload.hash, &data).ok());
  EXPECT_EQ(data, Bytes(1500, 1));
  unlink(path.c_str());
}

TEST(JournalRoundTrip, BlobsAreStoredOnce) {
  const std::string path = TempPath("dedup");
  auto w = MustCreate(path);
  const auto frame = Bytes(1500, 7);
  for (int i = 0; i < 100; ++i) {
    Event e;
    e.icount = static_cast<uint64_t>(i);
    e.body = NetFrameOut{2, frame};
    ASSERT_TRUE(w->Append(e).ok());
  }
  Hash128 h1, h2;
  const auto blob = Bytes(100000, 3);
  ASSERT_TRUE(w->PutBlob(blob, &h1).ok());
  ASSERT_TRUE(w->PutBlob(blob, &h2).ok());
  EXPECT_EQ(h1, h2);
  EXPECT_EQ(h1, ContentHash(blob));
  EXPECT_EQ(w->stats().blobs_stored, 2u);
  EXPECT_EQ(w->stats().blobs_deduped, 100u);
  ASSERT_TRUE(w->Close(100).ok());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_LT(st.st_size, 200000);  // not 100 frames + 2 big blobs

  auto r = MustOpen(path);
  std::vector<uint8_t> got;
  ASSERT_TRUE(r->GetBlob(h1, &got).ok());
  EXPECT_EQ(got, blob);
  EXPECT_EQ(r->GetBlob(Hash128{1, 1}, &got).code(), Status::Code::kNotFound);
  const auto back = ReadAll(r.get());
  ASSERT_EQ(back.size(), 100u);
  for (const Event& e : back) EXPECT_EQ(std::get<NetFrameOut>(e.body).frame, frame);
  VerifyReport report;
  EXPECT_TRUE(r->Verify(nullptr, &report).ok());
  EXPECT_EQ(report.blobs, 2u);
  unlink(path.c_str());
}

TEST(JournalRoundTrip, ImagesChunkedAndDeduplicated) {
  const std::string path = TempPath("images");
  // A "disk" of 10 chunks, 6 of them zero, and a short tail chunk.
  WriterOptions o;
  o.image_chunk_size = 4096;
  std::vector<uint8_t> disk(4096 * 9 + 100, 0);
  for (size_t i = 0; i < 4096; ++i) disk[i] = static_cast<uint8_t>(i * 7);
  std::fill(disk.begin() + 4096 * 5, disk.begin() + 4096 * 6, 0x55);
  std::fill(disk.begin() + 4096 * 6, disk.begin() + 4096 * 7, 0x66);
  disk.back() = 1;
  const auto kernel = Bytes(50000, 2);
  JournalHeader h = SampleHeader();
  ImageInfo declared;
  declared.role = ImageRole::kKernel;
  declared.name = "Image";
  declared.size = kernel.size();
  declared.hash = ContentHash(kernel);
  h.images.push_back(declared);
  ImageInfo only_declared;
  only_declared.role = ImageRole::kFirmware;
  only_declared.name = "fw_dynamic.bin";
  only_declared.size = 3;
  only_declared.hash = Hash128{9, 9};
  h.images.push_back(only_declared);

  auto w = MustCreate(path, h, o);
  ASSERT_TRUE(w->PutImage(ImageRole::kDisk, "rootfs.img", disk).ok());
  EXPECT_EQ(w->stats().blobs_stored, 5u);  // data, zero, 2 distinct, tail
  EXPECT_EQ(w->stats().blobs_deduped, 5u);
  // The declared kernel must match its declaration.
  EXPECT_EQ(w->PutImage(ImageRole::kKernel, "Image", Bytes(50000, 3)).code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE(w->PutImage(ImageRole::kKernel, "Image", kernel).ok());
  EXPECT_EQ(w->PutImage(ImageRole::kKernel, "Image", kernel).code(), Status::Code::kInvalidArgument);
  // From a file.
  const std::string file = TempPath("initrd_src");
  const auto initrd = Bytes(10000, 4);
  testutil::WriteFile(file, initrd);
  ASSERT_TRUE(w->PutImageFile(ImageRole::kInitrd, "initrd.cpio", file).ok());
  EXPECT_EQ(w->PutImageFile(ImageRole::kOther, "x", file + ".missing").code(), Status::Code::kIOError);
  ASSERT_TRUE(w->PutImage(ImageRole::kOther, "empty", {}).ok());
  ASSERT_TRUE(w->Close(0).ok());

  auto r = MustOpen(path);
  const ImageInfo* d = r->header().FindImage(ImageRole::kDisk, "rootfs.img");
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(d->stored);
  EXPECT_EQ(d->chunks.size(), 10u);
  EXPECT_EQ(d->chunk_size, 4096u);
  EXPECT_EQ(d->hash, ContentHash(disk));
  std::vector<uint8_t> got;
  ASSERT_TRUE(r->ReadImage(ImageRole::kDisk, "rootfs.img", &got).ok());
  EXPECT_EQ(got, disk);
  ASSERT_TRUE(r->ReadImage(ImageRole::kKernel, "Image", &got).ok());
  EXPECT_EQ(got, kernel);
  ASSERT_TRUE(r->ReadImage(ImageRole::kInitrd, "initrd.cpio", &got).ok());
  EXPECT_EQ(got, initrd);
  ASSERT_TRUE(r->ReadImage(ImageRole::kOther, "empty", &got).ok());
  EXPECT_TRUE(got.empty());
  const Status st = r->ReadImage(ImageRole::kFirmware, "fw_dynamic.bin", &got);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_NE(st.message().find("not stored"), std::string::npos) << st.ToString();
  EXPECT_EQ(r->ReadImage(ImageRole::kDisk, "other.img", &got).code(), Status::Code::kNotFound);
  const ImageInfo* fw = r->header().FindImage(ImageRole::kFirmware, "fw_dynamic.bin");
  ASSERT_NE(fw, nullptr);
  EXPECT_FALSE(fw->stored);
  VerifyReport report;
  EXPECT_TRUE(r->Verify(nullptr, &report).ok());
  EXPECT_EQ(report.images, 4u);
  unlink(path.c_str());
  unlink(file.c_str());
}

TEST(JournalRoundTrip, BatchingCommitsByCountAndBytes) {
  const std::string path = TempPath("batching");
  WriterOptions o;
  o.batch_events = 100;
  auto w = MustCreate(path, SampleHeader(), o);
  const uint64_t base = w->stats().commits;  // Create's
  Event e;
  e.body = IrqLine{1, 2, true};
  for (int i = 0; i < 1050; ++i) ASSERT_TRUE(w->Append(e).ok());
  EXPECT_EQ(w->stats().commits - base, 10u);
  EXPECT_EQ(w->committed_seq(), 1000u);
  EXPECT_EQ(w->last_seq(), 1050u);
  ASSERT_TRUE(w->Commit().ok());
  EXPECT_EQ(w->committed_seq(), 1050u);
  ASSERT_TRUE(w->Commit().ok());  // nothing pending: no-op
  EXPECT_EQ(w->stats().commits - base, 11u);
  w.reset();  // no Close: the destructor commits, clean_close stays false

  auto r = MustOpen(path);
  EXPECT_FALSE(r->header().clean_close);
  EXPECT_EQ(r->header().final_seq, 1050u);
  EXPECT_EQ(ReadAll(r.get()).size(), 1050u);
  r.reset();

  const std::string path2 = TempPath("batching_bytes");
  o.batch_events = 1000000;
  o.batch_bytes = 64 * 1024;
  w = MustCreate(path2, SampleHeader(), o);
  const uint64_t base2 = w->stats().commits;
  e.body = NetFrameIn{2, Bytes(1000, 1)};
  for (int i = 0; i < 200; ++i) {
    std::get<NetFrameIn>(e.body).frame[0] = static_cast<uint8_t>(i);  // distinct blobs
    ASSERT_TRUE(w->Append(e).ok());
  }
  EXPECT_GE(w->stats().commits - base2, 2u);
  EXPECT_LE(w->stats().commits - base2, 4u);
  ASSERT_TRUE(w->Close(0).ok());
  unlink(path.c_str());
  unlink(path2.c_str());
}

TEST(JournalRoundTrip, SeekAndEmptyJournal) {
  const std::string path = TempPath("seek");
  auto w = MustCreate(path);
  ASSERT_TRUE(w->Close(0).ok());
  auto r = MustOpen(path);
  EXPECT_TRUE(r->header().clean_close);
  EXPECT_EQ(r->header().final_seq, 0u);
  EXPECT_TRUE(ReadAll(r.get()).empty());
  VerifyReport report;
  EXPECT_TRUE(r->Verify(nullptr, &report).ok());
  r.reset();
  unlink(path.c_str());

  w = MustCreate(path);
  for (uint64_t i = 0; i < 50; ++i) {
    Event e;
    e.icount = i * 10;
    e.body = StateDigest{i, std::nullopt};
    ASSERT_TRUE(w->Append(e).ok());
  }
  ASSERT_TRUE(w->Close(1000).ok());
  r = MustOpen(path);
  ASSERT_TRUE(r->Seek(30).ok());
  auto rest = ReadAll(r.get());
  ASSERT_EQ(rest.size(), 21u);
  EXPECT_EQ(rest[0].seq, 30u);
  EXPECT_EQ(rest[0].icount, 290u);
  ASSERT_TRUE(r->Seek(1).ok());
  EXPECT_EQ(ReadAll(r.get()).size(), 50u);
  ASSERT_TRUE(r->Seek(51).ok());
  EXPECT_TRUE(ReadAll(r.get()).empty());
  unlink(path.c_str());
}

TEST(JournalRoundTrip, WriterRefusals) {
  const std::string path = TempPath("refusals");
  auto w = MustCreate(path);
  std::unique_ptr<JournalWriter> w2;
  EXPECT_EQ(JournalWriter::Create(path, SampleHeader(), WriterOptions(), &w2).code(), Status::Code::kInvalidArgument);
  // A reader is refused while the writer holds the file.
  std::unique_ptr<JournalReader> r;
  const Status locked = JournalReader::Open(path, &r);
  EXPECT_EQ(locked.code(), Status::Code::kIOError) << locked.ToString();
  Event e;
  e.icount = 100;
  e.body = IrqLine{1, 2, true};
  ASSERT_TRUE(w->Append(e).ok());
  e.icount = 99;
  EXPECT_EQ(w->Append(e).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(w->Close(50).code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE(w->Close(100).ok());
  EXPECT_EQ(w->Append(e).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(w->Close(100).code(), Status::Code::kInvalidArgument);
  // Overwrite replaces.
  WriterOptions o;
  o.overwrite = true;
  ASSERT_TRUE(JournalWriter::Create(path, SampleHeader(), o, &w2).ok());
  ASSERT_TRUE(w2->Close(0).ok());
  r.reset();
  ASSERT_TRUE(JournalReader::Open(path, &r).ok());
  EXPECT_EQ(r->header().final_seq, 0u);
  EXPECT_EQ(JournalWriter::Create("/nonexistent-dir/x.tapj", SampleHeader(), WriterOptions(), &w2).code(),
            Status::Code::kIOError);
  unlink(path.c_str());
}

TEST(JournalRoundTrip, MapGrowsWhenFull) {
  const std::string path = TempPath("mapgrow");
  WriterOptions o;
  o.initial_map_size = 1 << 20;  // 1 MiB: must grow many times
  auto w = MustCreate(path, SampleHeader(), o);
  Event e;
  for (int i = 0; i < 3000; ++i) {
    e.icount = static_cast<uint64_t>(i);
    e.body = BlockCompletion{1, static_cast<uint64_t>(i), BlockCompletion::Status::kOk, ToIoBytes(Bytes(4096, static_cast<uint8_t>(i)))};
    std::get<BlockCompletion>(e.body).data[0] = static_cast<uint8_t>(i >> 8);
    const Status st = w->Append(e);
    ASSERT_TRUE(st.ok()) << i << " " << st.ToString();
  }
  Hash128 h;
  ASSERT_TRUE(w->PutBlob(Bytes(20 << 20, 9), &h).ok());  // bigger than the whole map
  ASSERT_TRUE(w->Close(3000).ok());
  auto r = MustOpen(path);
  VerifyReport report;
  const Status st = r->Verify(nullptr, &report);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(report.records, 3000u);
  unlink(path.c_str());
}

}  // namespace
}  // namespace tapvm::journal

namespace tapvm::journal {
namespace {

// A sparse image file: its holes are stored as zero chunks without being
// read (SEEK_DATA), and the image reads back byte for byte, holes and all.
TEST(JournalImages, SparseFileHolesReadBackAsZeros) {
  const std::string file = testutil::TempPath("sparse_src");
  const uint64_t size = 64ull << 20;  // 64 MiB, nearly all hole
  {
    const int fd = open(file.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(ftruncate(fd, static_cast<off_t>(size)), 0);
    const std::vector<uint8_t> data = testutil::Bytes(5000, 7);
    for (uint64_t at : {uint64_t{0}, uint64_t{3} << 20, size - 5000, uint64_t{40} << 20})  // straddles included
      ASSERT_EQ(pwrite(fd, data.data(), data.size(), static_cast<off_t>(at)), static_cast<ssize_t>(data.size()));
    close(fd);
  }
  const std::vector<uint8_t> expected = testutil::ReadFile(file);
  ASSERT_EQ(expected.size(), size);
  const std::string path = testutil::TempPath("sparse.tapj");
  WriterOptions o;
  o.overwrite = true;
  std::unique_ptr<JournalWriter> w;
  ASSERT_TRUE(JournalWriter::Create(path, testutil::SampleHeader(), o, &w).ok());
  ASSERT_TRUE(w->PutImageFile(ImageRole::kDisk, "sparse.img", file).ok());
  EXPECT_LE(w->stats().blobs_stored, 10u);  // a few data chunks and one zero chunk
  // The holes were not read: all but the chunks around the four writes.
  EXPECT_GE(w->stats().image_hole_bytes, size - 8 * o.image_chunk_size);
  ASSERT_TRUE(w->Close(0).ok());
  std::unique_ptr<JournalReader> r;
  ASSERT_TRUE(JournalReader::Open(path, &r).ok());
  const ImageInfo* d = r->header().FindImage(ImageRole::kDisk, "sparse.img");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->hash, ContentHash(expected));
  std::vector<uint8_t> got;
  ASSERT_TRUE(r->ReadImage(ImageRole::kDisk, "sparse.img", &got).ok());
  EXPECT_TRUE(got == expected);
  EXPECT_TRUE(r->ReadImage(ImageRole::kDisk, "sparse.img", nullptr).ok());  // check only
  unlink(file.c_str());
  unlink(path.c_str());
}

}  // namespace
}  // namespace tapvm::journal
