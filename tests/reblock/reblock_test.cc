// Reblock's checker, shown able to fail: synthetic recordings (a journal
// holding a disk image and block events written here, so every scenario is
// exact) reblocked through the thread-pool backend, alone and wrapped in
// test-only backends that break things on purpose — a short-read
// continuation that loses the rest of the read yet reports ok, a read
// returned truncated, an EIO the recording did not have, a write that never
// lands. Each must be reported, naming the first bad request. Also the
// schedule: never more concurrency than recorded, never a request before
// the completions the recording saw before it, races serialized.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "emulator/block/backends/open_block_backend.h"
#include "journal/reader.h"
#include "journal/writer.h"
#include "tools/reblock/reblock.h"

namespace tapvm::reblock {
namespace {

// A thread-pool backend on `path`, as reblock opens by default.
BlockBackendOptions BackendOn(const std::string& path, bool read_only) {
  BlockBackendOptions o;
  o.path = path;
  o.read_only = read_only;
  return o;
}

namespace fs = std::filesystem;
using Type = BlockRequest::Type;
using S = BlockCompletion::Status;

constexpr TapDeviceId kDev = 1;
constexpr uint64_t kDiskSize = 1 << 20;

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  uint32_t x = seed * 2654435761u + 7;
  for (auto& b : v) x = x * 1103515245u + 12345u, b = static_cast<uint8_t>(x >> 16);
  return v;
}

// Writes a recording: the disk image, then requests and completions in the
// order the test gives, the recorded read data taken from a model of the
// disk (writes land in it when they complete, as on a host).
class Recording {
 public:
  explicit Recording(const std::string& path) : path_(path), disk_(Pattern(kDiskSize, 1)) {
    std::fill(disk_.begin() + kDiskSize / 2, disk_.end(), 0);  // a sparse half
    journal::JournalHeader h;
    h.writer_version = "reblock_test";
    journal::WriterOptions wo;
    wo.overwrite = true;
    EXPECT_TRUE(journal::JournalWriter::Create(path, h, wo, &w_).ok());
    EXPECT_TRUE(w_->PutImage(journal::ImageRole::kDisk, "disk.img", disk_).ok());
  }
  uint64_t Submit(uint64_t id, Type type, uint64_t offset, uint64_t length, std::vector<uint8_t> data = {}) {
    BlockRequest r{kDev, id, type, offset, length, ToIoBytes(data)};
    requests_[id] = r;
    return Append(std::move(r));
  }
  // Completes request `id`; a read gets the model's bytes unless `data`.
  uint64_t Complete(uint64_t id, S status = S::kOk, std::optional<std::vector<uint8_t>> data = {}) {
    const BlockRequest r = requests_.at(id);
    BlockCompletion c{kDev, id, status, {}};
    if (status == S::kOk) {
      if (r.type == Type::kRead)
        c.data = data ? ToIoBytes(*data) : IoBytes(disk_.begin() + r.offset, disk_.begin() + r.offset + r.length);
      if (r.type == Type::kWrite) std::copy(r.data.begin(), r.data.end(), disk_.begin() + r.offset);
      if (r.type == Type::kDiscard || r.type == Type::kWriteZeroes)
        std::fill(disk_.begin() + r.offset, disk_.begin() + r.offset + r.length, 0);
    }
    return Append(std::move(c));
  }
  void Close() { ASSERT_TRUE(w_->Close(icount_ + 1, "power-off").ok()); }
  const std::vector<uint8_t>& disk() const { return disk_; }

 private:
  template <typename Body>
  uint64_t Append(Body b) {
    journal::Event e;
    e.icount = icount_ += 100;
    e.body = std::move(b);
    uint64_t seq = 0;
    EXPECT_TRUE(w_->Append(e, &seq).ok());
    return seq;
  }
  std::string path_;
  std::vector<uint8_t> disk_;
  std::unique_ptr<journal::JournalWriter> w_;
  std::map<uint64_t, BlockRequest> requests_;
  uint64_t icount_ = 0;
};

// A backend that forwards to another and may break each completion.
class BreakingBackend final : public BlockBackend {
 public:
  using Breaker = std::function<void(const BlockRequest&, BlockCompletion*)>;
  BreakingBackend(std::unique_ptr<BlockBackend> inner, Breaker breaker)
      : inner_(std::move(inner)), breaker_(std::move(breaker)) {}
  void Submit(BlockRequest r, DoneCallback done) override {
    BlockRequest copy = r;
    copy.data.clear();
    inner_->Submit(std::move(r), [this, copy, done](BlockCompletion c) {
      breaker_(copy, &c);
      done(std::move(c));
    });
  }
  uint64_t size_bytes() const override { return inner_->size_bytes(); }
  bool read_only() const override { return inner_->read_only(); }
  void Drain() override { inner_->Drain(); }
  void Stop() override { inner_->Stop(); }

 private:
  std::unique_ptr<BlockBackend> inner_;
  Breaker breaker_;
};

class ReblockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("reblock_test." + std::to_string(::getpid()) + "." +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    rec_ = std::make_unique<Recording>((dir_ / "j.tapj").string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Reblocks the recording through threads (wrapped by `breaker` if given).
  Status Run(ReblockReport* report, BreakingBackend::Breaker breaker = {}) {
    rec_->Close();
    std::unique_ptr<journal::JournalReader> reader;
    TAPVM_RETURN_IF_ERROR(journal::JournalReader::Open((dir_ / "j.tapj").string(), &reader));
    const journal::ImageInfo* img = reader->header().FindImage(journal::ImageRole::kDisk, "disk.img");
    if (img == nullptr) return Status::NotFound("no disk image");
    std::vector<RecordedDrive> drives{RecordedDrive{kDev, false, *img}};
    BackendOpener open = [&](const RecordedDrive& d, const std::string& path, std::unique_ptr<BlockBackend>* out) {
      std::unique_ptr<BlockBackend> b;
      TAPVM_RETURN_IF_ERROR(OpenBlockBackend(BackendOn(path, d.read_only), &b));
      *out = breaker ? std::make_unique<BreakingBackend>(std::move(b), breaker) : std::move(b);
      return Status::Ok();
    };
    ReblockOptions o;
    o.image_dir = (dir_ / "images").string();
    return Reblock(reader.get(), drives, open, o, report);
  }

  // A workload: reads, overlapping writes, a flush, discard, write-zeroes,
  // a failed out-of-range read, with up to three requests in flight.
  void Workload() {
    rec_->Submit(1, Type::kRead, 0, 4096);
    rec_->Submit(2, Type::kRead, 65536, 8192);
    rec_->Submit(3, Type::kWrite, 4096, 4096, Pattern(4096, 9));
    rec_->Complete(2);
    rec_->Complete(1);
    rec_->Complete(3);
    seq_read_written_ = rec_->Submit(4, Type::kRead, 4096, 8192);  // sees write 3
    rec_->Submit(5, Type::kDiscard, 131072, 65536);
    rec_->Complete(4);
    rec_->Complete(5);
    rec_->Submit(6, Type::kFlush, 0, 0);
    rec_->Complete(6);
    rec_->Submit(7, Type::kWriteZeroes, 200000, 1000);
    rec_->Submit(8, Type::kRead, kDiskSize - 512, 4096);  // past the end: io_error
    rec_->Complete(8, S::kIoError);
    rec_->Complete(7);
    rec_->Submit(9, Type::kRead, 131072 - 512, 4096);  // straddles the discard
    rec_->Complete(9);
  }

  fs::path dir_;
  std::unique_ptr<Recording> rec_;
  uint64_t seq_read_written_ = 0;
};

TEST_F(ReblockTest, FaithfulBackendPasses) {
  Workload();
  ReblockReport r;
  ASSERT_TRUE(Run(&r).ok());
  EXPECT_TRUE(r.passed()) << (r.schedule.listed.empty() ? "" : r.schedule.listed[0].ToString());
  EXPECT_EQ(r.schedule.requests, 9u);
  EXPECT_EQ(r.schedule.checked, 9u);
  EXPECT_EQ(r.schedule.recorded_max_in_flight, 3u);
  EXPECT_LE(r.schedule.max_in_flight, 3u);
  EXPECT_EQ(r.expected.applied, 3u);  // write, discard, write-zeroes
  ASSERT_EQ(r.drives.size(), 1u);
  EXPECT_TRUE(r.drives[0].equal);
  // The model of the recording's disk is what the reblock left.
  std::vector<uint8_t> got(kDiskSize);
  FILE* f = std::fopen(r.drives[0].image.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(std::fread(got.data(), 1, got.size(), f), got.size());
  std::fclose(f);
  EXPECT_TRUE(got == rec_->disk());
}

TEST_F(ReblockTest, BrokenShortReadContinuationIsReported) {
  Workload();
  // A read served in two parts whose second part is lost, reported as ok
  // with the buffer's tail left as zeros: the first read of more than one
  // 4 KiB part is request 2 (#2).
  ReblockReport r;
  ASSERT_TRUE(Run(&r, [](const BlockRequest& q, BlockCompletion* c) {
                if (q.type == Type::kRead && c->status == S::kOk && q.length > 4096)
                  std::fill(c->data.begin() + 4096, c->data.end(), 0);
              }).ok());
  EXPECT_FALSE(r.passed());
  ASSERT_FALSE(r.schedule.listed.empty());
  const Mismatch& m = r.schedule.listed[0];
  EXPECT_EQ(m.request.seq, 2u);
  EXPECT_EQ(m.request.id, 2u);
  EXPECT_EQ(m.request.offset, 65536u);
  const std::string text = m.ToString();
  EXPECT_NE(text.find("request #2 @200 dev=1 id=2 read offset=65536 length=8192"), std::string::npos) << text;
  EXPECT_NE(text.find("data differ from the recording at byte 4096 (disk offset 69632)"), std::string::npos) << text;
  EXPECT_EQ(r.schedule.mismatches, 2u);  // requests 2 and 4: the only ok reads longer than 4 KiB
  EXPECT_TRUE(r.drives[0].equal);  // only reads were broken
}

TEST_F(ReblockTest, TruncatedReadIsReported) {
  Workload();
  ReblockReport r;
  ASSERT_TRUE(Run(&r, [](const BlockRequest& q, BlockCompletion* c) {
                if (q.type == Type::kRead && c->status == S::kOk && q.id == 4) c->data.resize(q.length / 2);
              }).ok());
  ASSERT_EQ(r.schedule.mismatches, 1u);
  EXPECT_EQ(r.schedule.listed[0].request.seq, seq_read_written_);
  EXPECT_NE(r.schedule.listed[0].what.find("read returned 4096 bytes as ok (length 8192)"), std::string::npos)
      << r.schedule.listed[0].what;
}

TEST_F(ReblockTest, InjectedEioWhereTheRecordingHadOkIsReported) {
  Workload();
  ReblockReport r;
  ASSERT_TRUE(Run(&r, [](const BlockRequest& q, BlockCompletion* c) {
                if (q.id == 3) c->status = S::kIoError;
              }).ok());
  EXPECT_FALSE(r.passed());
  ASSERT_GE(r.schedule.mismatches, 1u);
  EXPECT_EQ(r.schedule.listed[0].ToString(),
            "request #3 @300 dev=1 id=3 write offset=4096 length=4096: status: recorded ok, got io_error");
}

TEST_F(ReblockTest, LostWriteShowsInTheFinalImage) {
  rec_->Submit(1, Type::kWrite, 300000, 512, Pattern(512, 5));
  rec_->Complete(1);
  // A backend that acknowledges the write without doing it: turn it into
  // a harmless read of the same range at the source.
  ReblockReport r;
  rec_->Close();
  std::unique_ptr<journal::JournalReader> reader;
  ASSERT_TRUE(journal::JournalReader::Open((dir_ / "j.tapj").string(), &reader).ok());
  std::vector<RecordedDrive> drives{
      RecordedDrive{kDev, false, *reader->header().FindImage(journal::ImageRole::kDisk, "disk.img")}};
  BackendOpener open = [](const RecordedDrive&, const std::string& path, std::unique_ptr<BlockBackend>* out) {
    std::unique_ptr<BlockBackend> b;
    TAPVM_RETURN_IF_ERROR(OpenBlockBackend(BackendOn(path, false), &b));
    class Liar final : public BlockBackend {
     public:
      explicit Liar(std::unique_ptr<BlockBackend> in) : in_(std::move(in)) {}
      void Submit(BlockRequest q, DoneCallback done) override {
        if (q.type == Type::kWrite) return done(BlockCompletion{q.dev, q.id, S::kOk, {}});
        in_->Submit(std::move(q), std::move(done));
      }
      uint64_t size_bytes() const override { return in_->size_bytes(); }
      bool read_only() const override { return false; }
      void Drain() override { in_->Drain(); }
      void Stop() override { in_->Stop(); }
      std::unique_ptr<BlockBackend> in_;
    };
    *out = std::make_unique<Liar>(std::move(b));
    return Status::Ok();
  };
  ReblockOptions o;
  ASSERT_TRUE(Reblock(reader.get(), drives, open, o, &r).ok());
  EXPECT_EQ(r.schedule.mismatches, 0u);
  ASSERT_FALSE(r.drives[0].equal);
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.drives[0].first_difference, 300000u);
}

TEST_F(ReblockTest, RaceIsSerializedAndNamed) {
  // The recording read a range while a write to it was in flight, and the
  // host ran the read first (old bytes). Reblock orders the race by
  // submission (write first), so the read differs, and says it raced.
  rec_->Submit(1, Type::kWrite, 8192, 4096, Pattern(4096, 3));
  rec_->Submit(2, Type::kRead, 8192, 4096);
  std::vector<uint8_t> old(rec_->disk().begin() + 8192, rec_->disk().begin() + 8192 + 4096);
  rec_->Complete(2, S::kOk, old);
  rec_->Complete(1);
  ReblockReport r;
  ASSERT_TRUE(Run(&r).ok());
  EXPECT_EQ(r.schedule.races, 1u);
  ASSERT_EQ(r.schedule.mismatches, 1u);
  EXPECT_NE(r.schedule.listed[0].what.find("concurrently with an overlapping write"), std::string::npos);
  EXPECT_TRUE(r.drives[0].equal);
}

TEST_F(ReblockTest, ImpossibleJournalIsAnError) {
  rec_->Submit(1, Type::kRead, 0, 512);
  rec_->Complete(1);
  rec_->Complete(1);  // answered twice
  ReblockReport r;
  Status st = Run(&r);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find("completion #3 @300 answers no request in flight (device 1, id 1)"), std::string::npos)
      << st.ToString();
}

// A backend that completes requests on its own thread in a scrambled
// order, a little later, and notes what was in flight at each submission.
class SlowBackend final : public BlockBackend {
 public:
  SlowBackend(std::unique_ptr<BlockBackend> in, std::map<uint64_t, std::set<uint64_t>>* snapshots)
      : in_(std::move(in)), snapshots_(snapshots), t_([this] { Loop(); }) {}
  ~SlowBackend() override { Stop(); }
  void Submit(BlockRequest q, DoneCallback done) override {
    std::lock_guard<std::mutex> l(mu_);
    (*snapshots_)[q.id] = in_flight_;
    in_flight_.insert(q.id);
    held_.push_back({std::move(q), std::move(done)});
    cv_.notify_one();
  }
  uint64_t size_bytes() const override { return in_->size_bytes(); }
  bool read_only() const override { return false; }
  void Drain() override {}
  void Stop() override {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
      cv_.notify_one();
    }
    if (t_.joinable()) t_.join();
    in_->Stop();
  }
 private:
  void Loop() {
    std::unique_lock<std::mutex> l(mu_);
    for (;;) {
      cv_.wait_for(l, std::chrono::milliseconds(2), [this] { return stop_ || held_.size() >= 3; });
      if (held_.empty()) {
        if (stop_) return;
        continue;
      }
      auto [q, done] = std::move(held_.back());  // the newest first
      held_.pop_back();
      const uint64_t id = q.id;
      l.unlock();
      std::mutex m;
      std::condition_variable cv;
      bool finished = false;
      BlockCompletion got;
      in_->Submit(std::move(q), [&](BlockCompletion c) {
        std::lock_guard<std::mutex> g(m);
        got = std::move(c), finished = true;
        cv.notify_one();
      });
      {
        std::unique_lock<std::mutex> g(m);
        cv.wait(g, [&] { return finished; });
      }
      l.lock();
      in_flight_.erase(id);
      l.unlock();
      done(std::move(got));
      l.lock();
    }
  }
  std::unique_ptr<BlockBackend> in_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<BlockRequest, DoneCallback>> held_;
  std::set<uint64_t> in_flight_;
  std::map<uint64_t, std::set<uint64_t>>* snapshots_;
  bool stop_ = false;
  std::thread t_;
};

TEST_F(ReblockTest, ScheduleKeepsTheRecordedConcurrency) {
  // Waves of reads with up to four in flight, completions out of order;
  // what was in flight at each recorded submission is the bound.
  std::map<uint64_t, std::set<uint64_t>> recorded_in_flight;
  std::set<uint64_t> in_flight;
  uint64_t id = 1;
  for (int wave = 0; wave < 6; ++wave) {
    const int n = 1 + wave % 4;
    std::vector<uint64_t> ids;
    for (int i = 0; i < n; ++i, ++id) {
      recorded_in_flight[id] = in_flight;
      rec_->Submit(id, Type::kRead, id * 4096, 4096);
      in_flight.insert(id);
      ids.push_back(id);
      if (i == 1) {  // one completes before the wave's later submissions
        rec_->Complete(ids[0]);
        in_flight.erase(ids[0]);
      }
    }
    for (uint64_t x : ids)
      if (in_flight.count(x)) rec_->Complete(x), in_flight.erase(x);
  }
  rec_->Close();
  std::unique_ptr<journal::JournalReader> reader;
  ASSERT_TRUE(journal::JournalReader::Open((dir_ / "j.tapj").string(), &reader).ok());
  std::vector<RecordedDrive> drives{
      RecordedDrive{kDev, false, *reader->header().FindImage(journal::ImageRole::kDisk, "disk.img")}};
  std::map<uint64_t, std::set<uint64_t>> seen;  // request -> what was in flight here when it came
  BackendOpener open = [&](const RecordedDrive&, const std::string& path, std::unique_ptr<BlockBackend>* out) {
    std::unique_ptr<BlockBackend> b;
    TAPVM_RETURN_IF_ERROR(OpenBlockBackend(BackendOn(path, false), &b));
    *out = std::make_unique<SlowBackend>(std::move(b), &seen);
    return Status::Ok();
  };
  ReblockReport r;
  ASSERT_TRUE(Reblock(reader.get(), drives, open, ReblockOptions{}, &r).ok());
  EXPECT_TRUE(r.passed());
  ASSERT_EQ(seen.size(), recorded_in_flight.size());
  for (const auto& [q, here] : seen) {
    // Everything in flight here was in flight in the recording.
    for (uint64_t x : here)
      EXPECT_TRUE(recorded_in_flight[q].count(x)) << "request " << q << " submitted with " << x << " in flight";
  }
  EXPECT_EQ(r.schedule.recorded_max_in_flight, 3u);
  EXPECT_GE(r.schedule.max_in_flight, 2u);  // the slow backend holds them: concurrency is really used
}

}  // namespace
}  // namespace tapvm::reblock
