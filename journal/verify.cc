// JournalReader::Verify: the full integrity check (see reader.h).
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <unordered_map>

#include "journal/fmt.h"
#include "journal/format.h"
#include "journal/lmdb_check.h"
#include "journal/reader.h"
#include "journal/reader_impl.h"

namespace tapvm::journal {
namespace {

constexpr uint64_t kProgressEvery = 4096;

class Verifier {
 public:
  Verifier(JournalReader::Impl* d, const JournalHeader& header, const Status& tail_status,
           const std::function<void(uint64_t, uint64_t)>& progress, VerifyReport* report)
      : d_(d), header_(header), tail_status_(tail_status), progress_(progress), r_(report) {}

  // Blobs first (remembering only the damaged ones), then the records in
  // seq order (so a reference to a damaged or missing blob is reported at
  // its record), then images.
  Status Run() {
    *r_ = VerifyReport();
    r_->clean_close = header_.clean_close;
    r_->file_size = d_->file_size;
    MDB_stat events_stat{}, blobs_stat{};
    mdb_stat(d_->txn, d_->events, &events_stat);
    mdb_stat(d_->txn, d_->blobs, &blobs_stat);
    uint64_t image_chunks = 0;
    for (const ImageInfo& im : header_.images) {
      if (im.stored) image_chunks += im.chunks.size();
    }
    total_ = events_stat.ms_entries + blobs_stat.ms_entries + image_chunks;
    Tick(true);
    if (!d_->tail_ok) Report(ProblemKind::kTail, 0, 0, false, 0, "the tail record is damaged: " + tail_status_.message());
    TAPVM_RETURN_IF_ERROR(Blobs());
    TAPVM_RETURN_IF_ERROR(Events());
    TAPVM_RETURN_IF_ERROR(Checkpoints());
    for (const auto& [hash, bad] : bad_blobs_) {
      if (!bad.reported) Report(ProblemKind::kBadBlob, 0, 0, false, bad.offset, bad.message);
    }
    Images();
    Tick(true);
    if (r_->problems == 0) return Status::Ok();
    std::string msg = r_->first_problem->message;
    if (r_->problems > 1) msg += Fmt(" (and %" PRIu64 " more problems)", r_->problems - 1);
    return Status::Corruption(msg);
  }

 private:
  struct BadBlob {
    std::string message;
    uint64_t offset = 0;
    bool reported = false;
  };

  void Tick(bool force) {
    if (progress_ && (force || done_ % kProgressEvery == 0)) progress_(std::min(done_, total_), total_);
  }

  void Report(Problem p) {
    ++r_->problems;
    if (r_->listed.size() < VerifyReport::kMaxListedProblems) r_->listed.push_back(p);
    if (!r_->first_problem) r_->first_problem = std::move(p);
  }
  void Report(ProblemKind kind, uint64_t seq, uint64_t icount, bool exact, uint64_t offset, const std::string& msg) {
    Problem p;
    p.kind = kind;
    p.seq = seq;
    p.icount = icount;
    p.icount_exact = exact;
    p.file_offset = offset;
    p.message = msg;
    Report(std::move(p));
  }

  Status Blobs() {
    MDB_cursor* c = nullptr;
    int rc = mdb_cursor_open(d_->txn, d_->blobs, &c);
    if (rc != 0) return LmdbError(rc, "mdb_cursor_open");
    MDB_val key, val;
    for (rc = mdb_cursor_get(c, &key, &val, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
      ++r_->blobs;
      ++done_;
      Tick(false);
      if (key.mv_size != 16 || !d_->InFile(key) || !d_->InFile(val)) {
        ++r_->bad_blobs;
        Report(ProblemKind::kBadBlob, 0, 0, false, 0, Fmt("a blob key of %zu bytes (damaged B-tree)", key.mv_size));
        continue;
      }
      r_->blob_bytes += val.mv_size;
      const Hash128 hash = Hash128::FromBytes(static_cast<const uint8_t*>(key.mv_data));
      const std::span<const uint8_t> bytes(static_cast<const uint8_t*>(val.mv_data), val.mv_size);
      const Hash128 actual = ContentHash(bytes);
      if (actual != hash) {
        ++r_->bad_blobs;
        const uint64_t off = d_->FileOffset(val.mv_data);
        bad_blobs_[hash] = BadBlob{Fmt("blob %s (file offset 0x%" PRIx64 ", %zu bytes) damaged: its content hashes to %s",
                                       hash.ToHex().c_str(), off, bytes.size(), actual.ToHex().c_str()),
                                   off, false};
      }
    }
    mdb_cursor_close(c);
    if (rc != MDB_NOTFOUND) return LmdbError(rc, "reading blobs");
    return Status::Ok();
  }

  // Checks the blob an event refers to: present, intact, the right size.
  void CheckRef(const Event& e, const BlobRef& ref, const MDB_val& rec) {
    const std::string where = RecordWhere(e.seq, e.icount, true, d_->FileOffset(rec.mv_data), rec.mv_size);
    const auto bad = bad_blobs_.find(ref.hash);
    if (bad != bad_blobs_.end()) {
      bad->second.reported = true;
      Report(ProblemKind::kBadBlob, e.seq, e.icount, true, bad->second.offset, where + ": payload " + bad->second.message);
      return;
    }
    uint8_t k[16];
    ref.hash.ToBytes(k);
    MDB_val key{sizeof k, k}, val;
    const int rc = mdb_get(d_->txn, d_->blobs, &key, &val);
    if (rc != 0) {
      ++r_->missing_blobs;
      Report(ProblemKind::kMissingBlob, e.seq, e.icount, true, 0,
             where + Fmt(": its payload, blob %s, is missing", ref.hash.ToHex().c_str()));
    } else if (val.mv_size != ref.size) {
      Report(ProblemKind::kBadBlob, e.seq, e.icount, true, 0,
             where + Fmt(": its payload, blob %s, holds %zu bytes, the record says %" PRIu64,
                         ref.hash.ToHex().c_str(), val.mv_size, ref.size));
    }
  }

  Status Events() {
    MDB_cursor* c = nullptr;
    int rc = mdb_cursor_open(d_->txn, d_->events, &c);
    if (rc != 0) return LmdbError(rc, "mdb_cursor_open");
    RecordWalk walk;
    walk.chain = d_->chain_seed;
    MDB_val key, val;
    bool first = true;
    Event e;
    for (rc = mdb_cursor_get(c, &key, &val, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
      ++r_->records;
      ++done_;
      Tick(false);
      if (d_->InFile(val)) r_->record_bytes += val.mv_size;
      DecodedEvent info;
      Problem p;
      bool ok = d_->CheckRecord(&walk, key, val, &e, &info, &p);
      if (!ok && p.kind == ProblemKind::kMissingRecords) {
        Report(std::move(p));  // the gap; then this record on its own
        ok = d_->CheckRecord(&walk, key, val, &e, &info, &p);
      }
      if (!ok) {
        ++r_->bad_records;
        Report(std::move(p));
        continue;
      }
      ++r_->by_kind[static_cast<size_t>(KindOf(e))];
      if (first) r_->first_icount = e.icount;
      first = false;
      r_->last_icount = e.icount;
      if (info.blob) CheckRef(e, *info.blob, val);
    }
    mdb_cursor_close(c);
    if (rc != MDB_NOTFOUND) return LmdbError(rc, "reading records");
    Problem p;
    if (!d_->CheckEnd(walk, &p) && p.kind != ProblemKind::kTail) Report(std::move(p));
    return Status::Ok();
  }

  // Every checkpoint record: decodes (checksum, key, tap position), its
  // parent present, every page blob present, intact and 4 KiB.
  Status Checkpoints() {
    if (!d_->has_checkpoints) return Status::Ok();
    MDB_cursor* c = nullptr;
    int rc = mdb_cursor_open(d_->txn, d_->checkpoints, &c);
    if (rc != 0) return LmdbError(rc, "mdb_cursor_open");
    MDB_val key, val;
    CheckpointRecord rec;
    std::unordered_map<uint64_t, bool> seen;
    for (rc = mdb_cursor_get(c, &key, &val, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
      ++r_->checkpoints;
      const uint64_t off = d_->InFile(val) ? d_->FileOffset(val.mv_data) : 0;
      if (Status st = d_->CheckpointAt(key, val, &rec); !st.ok()) {
        ++r_->bad_checkpoints;
        Report(ProblemKind::kBadCheckpoint, 0, 0, false, off, st.message());
        continue;
      }
      seen[rec.icount] = true;
      const std::string what = Fmt("checkpoint at icount %" PRIu64, rec.icount);
      if (!rec.full && !seen.count(rec.parent_icount)) {
        ++r_->bad_checkpoints;
        Report(ProblemKind::kBadCheckpoint, rec.tap_position, rec.icount, false, off,
               what + Fmt(": its parent (icount %" PRIu64 ") is missing", rec.parent_icount));
      }
      for (const PageRef& p : rec.pages) {
        const auto bad = bad_blobs_.find(p.hash);
        std::string why;
        if (bad != bad_blobs_.end()) {
          bad->second.reported = true;
          why = bad->second.message;
        } else {
          uint8_t k[16];
          p.hash.ToBytes(k);
          MDB_val bk{sizeof k, k}, bv;
          if (mdb_get(d_->txn, d_->blobs, &bk, &bv) != 0) {
            ++r_->missing_blobs;
            why = "blob " + p.hash.ToHex() + " is missing";
          } else if (bv.mv_size > kCheckpointPageSize) {
            why = Fmt("blob %s holds %zu bytes, more than a page", p.hash.ToHex().c_str(), bv.mv_size);
          }
        }
        if (!why.empty()) {
          ++r_->bad_checkpoints;
          Report(ProblemKind::kBadCheckpoint, rec.tap_position, rec.icount, false, off,
                 what + Fmt(", page 0x%" PRIx64 ": ", p.addr) + why);
          break;  // one report per checkpoint
        }
      }
    }
    mdb_cursor_close(c);
    if (rc != MDB_NOTFOUND) return LmdbError(rc, "reading checkpoints");
    return Status::Ok();
  }

  void Images() {
    for (const auto& [key, st] : d_->image_problems) {
      ++r_->bad_images;
      Report(ProblemKind::kBadImage, 0, 0, false, 0, key + ": " + st.message());
    }
    for (const ImageInfo& im : header_.images) {
      if (!im.stored) continue;
      ++r_->images;
      const std::string what = std::string("image ") + ImageRoleName(im.role) + " '" + im.name + "'";
      std::string why;
      ContentHasher whole;
      uint64_t covered = 0;
      std::vector<uint8_t> chunk;
      for (size_t i = 0; i < im.chunks.size() && why.empty(); ++i) {
        ++done_;
        Tick(false);
        const uint64_t off = static_cast<uint64_t>(i) * im.chunk_size;
        const uint64_t len = off < im.size ? std::min<uint64_t>(im.chunk_size, im.size - off) : 0;
        if (len == 0) {
          why = "more chunks than its size needs";
        } else if (Status st = d_->FetchBlob(im.chunks[i], len, &chunk); !st.ok()) {
          why = Fmt("chunk %zu: ", i) + st.message();
        } else {
          whole.Update(chunk);
          covered += chunk.size();
        }
      }
      if (why.empty() && covered != im.size) why = Fmt("chunks cover %" PRIu64 " of %" PRIu64 " bytes", covered, im.size);
      if (why.empty() && whole.Digest() != im.hash) why = "content does not match its hash";
      if (!why.empty()) {
        ++r_->bad_images;
        Report(ProblemKind::kBadImage, 0, 0, false, 0, what + ": " + why);
      }
    }
  }

  JournalReader::Impl* d_;
  const JournalHeader& header_;
  const Status& tail_status_;
  const std::function<void(uint64_t, uint64_t)>& progress_;
  VerifyReport* r_;
  uint64_t done_ = 0;
  uint64_t total_ = 0;
  std::unordered_map<Hash128, BadBlob, Hash128Hasher> bad_blobs_;
};

}  // namespace

Status JournalReader::Verify(const std::function<void(uint64_t done, uint64_t total)>& progress,
                             VerifyReport* report) {
  Verifier v(impl_.get(), header_, tail_status_, progress, report);
  return v.Run();
}

}  // namespace tapvm::journal
