#include "journal/reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "journal/fmt.h"
#include "journal/format.h"
#include "journal/lmdb_check.h"
#include "journal/reader_impl.h"

namespace tapvm::journal {
namespace {

MDB_val Val(const void* data, size_t size) { return MDB_val{size, const_cast<void*>(data)}; }

std::span<const uint8_t> Span(const MDB_val& v) {
  return std::span<const uint8_t>(static_cast<const uint8_t*>(v.mv_data), v.mv_size);
}

// Prefixes a status message with the journal's path.
Status InJournal(const std::string& path, const Status& s) {
  const std::string msg = "journal " + path + ": " + s.message();
  switch (s.code()) {
    case Status::Code::kOk: return s;
    case Status::Code::kNotFound: return Status::NotFound(msg);
    case Status::Code::kCorruption: return Status::Corruption(msg);
    case Status::Code::kInvalidArgument: return Status::InvalidArgument(msg);
    case Status::Code::kIOError: return Status::IOError(msg);
    case Status::Code::kNotSupported: return Status::NotSupported(msg);
    case Status::Code::kOutOfRange: return Status::OutOfRange(msg);
  }
  return s;
}

Problem MakeProblem(ProblemKind kind, uint64_t seq, uint64_t icount, bool exact, uint64_t offset, uint64_t size,
                    const std::string& what) {
  Problem p;
  p.kind = kind;
  p.seq = seq;
  p.icount = icount;
  p.icount_exact = exact;
  p.file_offset = offset;
  p.message = RecordWhere(seq, icount, exact, offset, size) + ": " + what;
  return p;
}

}  // namespace

const char* ProblemKindName(ProblemKind kind) {
  switch (kind) {
    case ProblemKind::kTail: return "damaged tail";
    case ProblemKind::kBadKey: return "bad key";
    case ProblemKind::kMissingRecords: return "missing records";
    case ProblemKind::kExtraRecords: return "records beyond the tail";
    case ProblemKind::kTooShort: return "short record";
    case ProblemKind::kChecksum: return "checksum mismatch";
    case ProblemKind::kChain: return "chain break";
    case ProblemKind::kUndecodable: return "undecodable record";
    case ProblemKind::kSeqMismatch: return "seq mismatch";
    case ProblemKind::kIcountBackwards: return "icount backwards";
    case ProblemKind::kMissingBlob: return "missing blob";
    case ProblemKind::kBadBlob: return "damaged blob";
    case ProblemKind::kBadImage: return "damaged image";
    case ProblemKind::kBadCheckpoint: return "damaged checkpoint";
  }
  return "unknown";
}

std::string RecordWhere(uint64_t seq, uint64_t icount, bool icount_exact, uint64_t file_offset, uint64_t size) {
  std::string s = Fmt("record %" PRIu64 " (%s %" PRIu64, seq, icount_exact ? "icount" : "after icount", icount);
  if (file_offset != 0) s += Fmt(", file offset 0x%" PRIx64 ", %" PRIu64 " bytes", file_offset, size);
  return s + ")";
}

// ------------------------------------------------------------------ Impl
JournalReader::Impl::~Impl() {
  if (cursor != nullptr) mdb_cursor_close(cursor);
  if (txn != nullptr) mdb_txn_abort(txn);
  if (env != nullptr) mdb_env_close(env);
  if (fd >= 0) close(fd);
}

bool JournalReader::Impl::InFile(const MDB_val& v) const {
  if (map_base == 0) return v.mv_size <= file_size;  // map address unknown: sizes only
  const uintptr_t p = reinterpret_cast<uintptr_t>(v.mv_data);
  return p >= map_base && p - map_base <= file_size && v.mv_size <= file_size - (p - map_base);
}

bool JournalReader::Impl::CheckRecord(RecordWalk* w, const MDB_val& key, const MDB_val& val, Event* e,
                                      DecodedEvent* info, Problem* p) {
  const uint64_t guess = w->expected_seq != 0 ? w->expected_seq : w->last_seq + 1;
  if (key.mv_size != 8 || !InFile(key)) {
    *p = MakeProblem(ProblemKind::kBadKey, guess, w->last_icount, false, 0, 0,
                     Fmt("record key of %zu bytes (expected 8)", key.mv_size));
    w->expected_seq = 0;
    w->chain_known = false;
    return false;
  }
  const uint64_t seq = DecodeSeqKey(static_cast<const uint8_t*>(key.mv_data));
  const bool in_file = InFile(val);
  const uint64_t offset = in_file ? FileOffset(val.mv_data) : 0;
  auto fail = [&](ProblemKind kind, bool exact, const std::string& what) {
    *p = MakeProblem(kind, seq, exact ? e->icount : w->last_icount, exact, offset, val.mv_size, what);
    w->last_seq = seq;
    w->expected_seq = seq + 1;
    if (exact) w->last_icount = e->icount;
    if (kind == ProblemKind::kChecksum || kind == ProblemKind::kTooShort || kind == ProblemKind::kUndecodable) {
      w->chain_known = false;
    }
    return false;
  };
  if (w->expected_seq != 0 && seq != w->expected_seq) {
    if (seq < w->expected_seq || seq <= w->last_seq) return fail(ProblemKind::kBadKey, false, "key out of order");
    *p = MakeProblem(ProblemKind::kMissingRecords, w->expected_seq, w->last_icount, false, 0, 0,
                     Fmt("records %" PRIu64 "..%" PRIu64 " are missing (the next record is %" PRIu64 ")",
                         w->expected_seq, seq - 1, seq));
    w->expected_seq = 0;  // take this record as the new start
    w->chain_known = false;
    return false;
  }
  if (tail_ok && seq > tail.last_seq) {
    return fail(ProblemKind::kExtraRecords, false,
                Fmt("lies beyond the committed tail (last seq %" PRIu64 ")", tail.last_seq));
  }
  if (!in_file) return fail(ProblemKind::kTooShort, false, "value lies outside the file (damaged B-tree)");
  const std::span<const uint8_t> rec = Span(val);
  if (rec.size() < kEventPrefixSize) return fail(ProblemKind::kTooShort, false, "shorter than its framing");
  info->checksum = GetLe64(rec.data());
  info->prev_chain = GetLe64(rec.data() + 8);
  const uint64_t computed = EventChecksum(seq, rec.subspan(8));
  if (computed != info->checksum) {
    return fail(ProblemKind::kChecksum, false,
                Fmt("checksum mismatch (stored %016" PRIx64 ", computed %016" PRIx64 ")", info->checksum, computed));
  }
  Status st = decoder.DecodeBody(rec.subspan(kEventPrefixSize), e, &info->blob);
  if (!st.ok()) return fail(ProblemKind::kUndecodable, false, st.message());
  if (e->seq != seq) return fail(ProblemKind::kSeqMismatch, true, Fmt("the record says it is seq %" PRIu64, e->seq));
  e->seq = seq;
  const bool chain_ok = !w->chain_known || info->prev_chain == w->chain;
  const uint64_t expected_chain = w->chain;
  w->chain = ChainNext(info->prev_chain, info->checksum);
  w->chain_known = true;
  if (!chain_ok) {
    return fail(ProblemKind::kChain, true,
                Fmt("chain break: links to %016" PRIx64 ", the previous record ends the chain at %016" PRIx64
                    " (records replaced, reordered or spliced)",
                    info->prev_chain, expected_chain));
  }
  if (w->last_seq != 0 && e->icount < w->last_icount) {
    const uint64_t before = w->last_icount;
    return fail(ProblemKind::kIcountBackwards, true, Fmt("icount goes back from %" PRIu64, before));
  }
  w->last_seq = seq;
  w->expected_seq = seq + 1;
  w->last_icount = e->icount;
  return true;
}

bool JournalReader::Impl::CheckEnd(const RecordWalk& w, Problem* p) const {
  if (!tail_ok) {
    *p = MakeProblem(ProblemKind::kTail, w.last_seq, w.last_icount, false, 0, 0,
                     "end of journal: the tail record is damaged, so lost records at the end cannot be ruled out");
    return false;
  }
  if (w.last_seq < tail.last_seq) {
    *p = MakeProblem(ProblemKind::kMissingRecords, w.last_seq + 1, w.last_icount, false, 0, 0,
                     Fmt("journal truncated: the tail records %" PRIu64 " events, the last record present is %" PRIu64,
                         tail.last_seq, w.last_seq));
    return false;
  }
  if (w.chain_known && w.chain != tail.chain) {
    *p = MakeProblem(ProblemKind::kChain, w.last_seq, w.last_icount, true, 0, 0,
                     Fmt("end of journal: the chain ends at %016" PRIx64 ", the tail says %016" PRIx64, w.chain,
                         tail.chain));
    return false;
  }
  return true;
}

Status JournalReader::Impl::FetchBlob(const Hash128& hash, uint64_t expected_size, std::vector<uint8_t>* out) {
  std::span<const uint8_t> bytes;
  TAPVM_RETURN_IF_ERROR(BlobView(hash, expected_size, &bytes));
  out->assign(bytes.begin(), bytes.end());
  return Status::Ok();
}

Status JournalReader::Impl::BlobView(const Hash128& hash, uint64_t expected_size, std::span<const uint8_t>* out) {
  uint8_t k[16];
  hash.ToBytes(k);
  MDB_val key = Val(k, sizeof k), val;
  const int rc = mdb_get(txn, blobs, &key, &val);
  if (rc == MDB_NOTFOUND) return Status::NotFound("blob " + hash.ToHex() + " is not in the journal");
  if (rc != 0) return LmdbError(rc, "reading a blob");
  if (!InFile(val)) return Status::Corruption("blob " + hash.ToHex() + " lies outside the file (damaged B-tree)");
  const std::span<const uint8_t> bytes = Span(val);
  const Hash128 actual = ContentHash(bytes);
  if (actual != hash) {
    return Status::Corruption(Fmt("blob %s (file offset 0x%" PRIx64 ", %zu bytes) damaged: its content hashes to %s",
                                  hash.ToHex().c_str(), FileOffset(val.mv_data), bytes.size(), actual.ToHex().c_str()));
  }
  if (expected_size != UINT64_MAX && bytes.size() != expected_size) {
    return Status::Corruption(Fmt("blob %s holds %zu bytes, its reference says %" PRIu64, hash.ToHex().c_str(),
                                  bytes.size(), expected_size));
  }
  *out = bytes;
  return Status::Ok();
}

// ---------------------------------------------------------------- Reader
JournalReader::JournalReader() : impl_(std::make_unique<Impl>()) {}
JournalReader::~JournalReader() = default;

Status JournalReader::Open(const std::string& path, std::unique_ptr<JournalReader>* out) {
  return Open(path, ReaderOptions(), out);
}

Status JournalReader::Open(const std::string& path, const ReaderOptions& options, std::unique_ptr<JournalReader>* out) {
  std::unique_ptr<JournalReader> r(new JournalReader());
  Status st = r->OpenFile(path, options);
  if (!st.ok()) return InJournal(path, st);
  *out = std::move(r);
  return Status::Ok();
}

Status JournalReader::OpenFile(const std::string& path, const ReaderOptions& options) {
  Impl& d = *impl_;
  d.options = options;
  d.path = path;
  // A FIFO or a device would block in open or read forever: only regular
  // files are journals.
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) return Status::InvalidArgument("is not a regular file");
  d.fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (d.fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no such file");
    return Status::IOError(std::string("cannot open: ") + std::strerror(errno));
  }
  if (flock(d.fd, LOCK_SH | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return Status::IOError("is being written (its writer holds the lock)");
    return Status::IOError(std::string("cannot lock: ") + std::strerror(errno));
  }
  LmdbLayout layout;
  TAPVM_RETURN_IF_ERROR(CheckLmdbFile(d.fd, options.check_structure, kMetaDb, kHeaderKey, &layout));
  d.file_size = file_size_ = layout.file_size;

  int rc = mdb_env_create(&d.env);
  if (rc != 0) return LmdbError(rc, "mdb_env_create");
  mdb_env_set_maxdbs(d.env, 4);
  rc = mdb_env_open(d.env, path.c_str(), MDB_RDONLY | MDB_NOSUBDIR | MDB_NOLOCK, 0);
  if (rc != 0) return LmdbError(rc, "LMDB cannot open it");
  rc = mdb_txn_begin(d.env, nullptr, MDB_RDONLY, &d.txn);
  if (rc != 0) return LmdbError(rc, "mdb_txn_begin");
  rc = mdb_dbi_open(d.txn, kMetaDb, 0, &d.meta);
  if (rc == MDB_NOTFOUND) {
    return Status::InvalidArgument(
        "not a tapvm journal: an LMDB file without a 'meta' database (or its writer died while creating it)");
  }
  if (rc != 0) return LmdbError(rc, "opening the 'meta' database");

  MDB_val key = Val(kHeaderKey.data(), kHeaderKey.size()), val;
  rc = mdb_get(d.txn, d.meta, &key, &val);
  if (rc == MDB_NOTFOUND) return Status::InvalidArgument("not a tapvm journal: no header record");
  if (rc != 0) return LmdbError(rc, "reading the header");
  if (layout.located_offset != 0) d.map_base = reinterpret_cast<uintptr_t>(val.mv_data) - layout.located_offset;
  if (!d.InFile(val)) return Status::Corruption("the header record lies outside the file (damaged B-tree)");
  TAPVM_RETURN_IF_ERROR(DecodeHeaderRecord(Span(val), &header_));
  d.chain_seed = ChainSeed(Span(val));
  d.walk.chain = d.chain_seed;

  if ((rc = mdb_dbi_open(d.txn, kEventsDb, 0, &d.events)) != 0) return LmdbError(rc, "opening the 'events' database");
  if ((rc = mdb_dbi_open(d.txn, kBlobsDb, 0, &d.blobs)) != 0) return LmdbError(rc, "opening the 'blobs' database");
  // Format 3, or an older journal `journal index` added checkpoints to.
  rc = mdb_dbi_open(d.txn, kCheckpointsDb, 0, &d.checkpoints);
  if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError(rc, "opening the 'checkpoints' database");
  d.has_checkpoints = rc == 0;

  key = Val(kTailKey.data(), kTailKey.size());
  rc = mdb_get(d.txn, d.meta, &key, &val);
  if (rc == MDB_NOTFOUND) {
    tail_status_ = Status::Corruption("the tail record is missing");
  } else if (rc != 0) {
    tail_status_ = LmdbError(rc, "reading the tail");
  } else if (!d.InFile(val)) {
    tail_status_ = Status::Corruption("the tail record lies outside the file (damaged B-tree)");
  } else {
    tail_status_ = DecodeTailRecord(Span(val), &d.tail);
  }
  d.tail_ok = tail_status_.ok();
  if (d.tail_ok) {
    header_.clean_close = d.tail.clean_close;
    header_.final_seq = d.tail.last_seq;
    header_.last_icount = d.tail.last_icount;
    header_.final_icount = d.tail.clean_close ? d.tail.final_icount : d.tail.last_icount;
    header_.final_chain = d.tail.chain;
    header_.end_reason = d.tail.clean_close ? d.tail.end_reason : "";
  }
  return LoadImages();
}

Status JournalReader::LoadImages() {
  Impl& d = *impl_;
  MDB_cursor* c = nullptr;
  int rc = mdb_cursor_open(d.txn, d.meta, &c);
  if (rc != 0) return LmdbError(rc, "mdb_cursor_open");
  MDB_val key = Val(kImageKeyPrefix.data(), kImageKeyPrefix.size()), val;
  for (rc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
    if (!d.InFile(key) || !d.InFile(val)) {
      d.image_problems.emplace_back("an image record", Status::Corruption("lies outside the file (damaged B-tree)"));
      continue;
    }
    const std::string k(static_cast<const char*>(key.mv_data), key.mv_size);
    if (k.compare(0, kImageKeyPrefix.size(), kImageKeyPrefix) != 0) break;
    ImageInfo image;
    Status st = DecodeImageRecord(Span(val), &image);
    if (st.ok() && ImageKey(image.role, image.name) != k) st = Status::Corruption("its contents do not match its key");
    if (!st.ok()) {
      d.image_problems.emplace_back(k, st);
      continue;
    }
    ImageInfo* declared = nullptr;
    for (ImageInfo& im : header_.images) {
      if (im.role == image.role && im.name == image.name) declared = &im;
    }
    if (declared == nullptr) {
      header_.images.push_back(std::move(image));
    } else if (declared->hash != image.hash || declared->size != image.size) {
      d.image_problems.emplace_back(k, Status::Corruption("stored content differs from the header's declaration"));
    } else {
      *declared = std::move(image);
    }
  }
  mdb_cursor_close(c);
  if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError(rc, "reading image records");
  return Status::Ok();
}

Status JournalReader::Seek(uint64_t seq) {
  Impl& d = *impl_;
  if (!d.error.ok()) return d.error;
  d.seek_pending = true;
  d.seek_seq = seq;
  d.started = true;
  d.done = false;
  d.walk = RecordWalk();
  d.walk.expected_seq = seq <= 1 ? 1 : 0;
  d.walk.chain = d.chain_seed;
  d.walk.chain_known = seq <= 1;
  d.walk.last_seq = seq == 0 ? 0 : seq - 1;
  return Status::Ok();
}

Status JournalReader::Next(Event* e, bool* end) {
  Impl& d = *impl_;
  *end = false;
  if (!d.error.ok()) return d.error;
  if (d.done) {
    *end = true;
    return Status::Ok();
  }
  if (d.cursor == nullptr) {
    const int rc = mdb_cursor_open(d.txn, d.events, &d.cursor);
    if (rc != 0) return d.error = LmdbError(rc, "mdb_cursor_open");
  }
  MDB_val key, val;
  int rc;
  uint8_t k[8];
  if (d.seek_pending) {
    EncodeSeqKey(d.seek_seq, k);
    key = Val(k, sizeof k);
    rc = mdb_cursor_get(d.cursor, &key, &val, MDB_SET_RANGE);
    d.seek_pending = false;
  } else {
    rc = mdb_cursor_get(d.cursor, &key, &val, d.started ? MDB_NEXT : MDB_FIRST);
  }
  d.started = true;
  Problem p;
  if (rc == MDB_NOTFOUND) {
    if (!d.CheckEnd(d.walk, &p)) return d.error = Status::Corruption(p.message);
    d.done = true;
    *end = true;
    return Status::Ok();
  }
  if (rc != 0) return d.error = LmdbError(rc, "reading the next record");
  DecodedEvent info;
  if (!d.CheckRecord(&d.walk, key, val, e, &info, &p)) return d.error = Status::Corruption(p.message);
  if (info.blob && d.options.load_payloads) {
    std::span<const uint8_t> bytes;
    Status st = d.BlobView(info.blob->hash, info.blob->size, &bytes);
    if (st.ok()) MutablePayloadOf(e->body).Assign(bytes);
    if (!st.ok()) {
      return d.error = Status::Corruption(RecordWhere(e->seq, e->icount, true, d.FileOffset(val.mv_data), val.mv_size) +
                                          ": payload " + st.message());
    }
  } else if (info.blob) {
    e->payload.loaded = false;
  }
  return Status::Ok();
}

Status JournalReader::GetBlob(const Hash128& hash, std::vector<uint8_t>* out) {
  return impl_->FetchBlob(hash, UINT64_MAX, out);
}

Status JournalReader::ReadImage(ImageRole role, const std::string& name, std::vector<uint8_t>* out) {
  const std::string what = std::string("image ") + ImageRoleName(role) + " '" + name + "'";
  for (const auto& [key, st] : impl_->image_problems) {
    if (key == ImageKey(role, name)) return Status::Corruption(what + ": " + st.message());
  }
  const ImageInfo* image = header_.FindImage(role, name);
  if (image == nullptr) return Status::NotFound(what + " is not in the journal");
  if (!image->stored) return Status::NotFound(what + " is declared (hash " + image->hash.ToHex() + ") but its content is not stored in the journal");
  if (out) out->clear();
  ContentHasher whole;
  std::vector<uint8_t> chunk;
  uint64_t total = 0;
  for (size_t i = 0; i < image->chunks.size(); ++i) {
    const uint64_t off = static_cast<uint64_t>(i) * image->chunk_size;
    if (off >= image->size) return Status::Corruption(what + ": more chunks than its size needs");
    const uint64_t len = std::min<uint64_t>(image->chunk_size, image->size - off);
    Status st = impl_->FetchBlob(image->chunks[i], len, &chunk);
    if (!st.ok()) return Status::Corruption(what + Fmt(", chunk %zu: ", i) + st.message());
    whole.Update(chunk);
    total += chunk.size();
    if (out) out->insert(out->end(), chunk.begin(), chunk.end());
  }
  if (total != image->size) return Status::Corruption(what + ": its chunks do not cover its size");
  if (whole.Digest() != image->hash) return Status::Corruption(what + ": content does not match its hash");
  return Status::Ok();
}

}  // namespace tapvm::journal
