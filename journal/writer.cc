#include "journal/writer.h"

#include <fcntl.h>
#include <lmdb.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "journal/codec.h"
#include "journal/format.h"
#include "journal/lmdb_check.h"

namespace tapvm::journal {
namespace {

constexpr uint64_t kMapSlack = 64ull << 20;  // kept free beyond a transaction's estimated need
constexpr uint64_t kNodeOverhead = 32;       // rough per-record B-tree cost, for the map estimate

MDB_val Val(const void* data, size_t size) { return MDB_val{size, const_cast<void*>(data)}; }

std::string Errno(const char* what, const std::string& path) {
  return std::string(what) + " " + path + ": " + std::strerror(errno);
}

}  // namespace

struct JournalWriter::Impl {
  MDB_env* env = nullptr;
  MDB_txn* txn = nullptr;
  MDB_dbi meta = 0, events = 0, blobs = 0, checkpoints = 0;
  int lock_fd = -1;
  EventEncoder encoder;
  std::set<std::string> stored_images;  // ImageKey()s already stored

  ~Impl() {
    if (txn != nullptr) mdb_txn_abort(txn);
    if (env != nullptr) mdb_env_close(env);
    if (lock_fd >= 0) close(lock_fd);  // releases the flock
  }
};

JournalWriter::JournalWriter(const JournalHeader& header, const WriterOptions& options)
    : header_(header), options_(options), db_(std::make_unique<Impl>()) {}

JournalWriter::~JournalWriter() {
  if (!closed_ && error_.ok() && db_->txn != nullptr) CommitTxn(false, 0);
}

Status JournalWriter::Create(const std::string& path, const JournalHeader& header, const WriterOptions& options,
                             std::unique_ptr<JournalWriter>* out) {
  if (options.batch_events == 0 || options.batch_bytes == 0 || options.image_chunk_size == 0) {
    return Status::InvalidArgument("journal writer: batch sizes and the chunk size must be positive");
  }
  // The file is ours from the exclusive open on: remove it again if
  // Create fails, so no half-made journal is left behind.
  if (options.overwrite) {
    // Never destroy a journal another process is writing (or reading):
    // take its lock first, and replace it only while holding it.
    const int old = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (old >= 0) {
      struct stat st;
      const bool regular = fstat(old, &st) == 0 && S_ISREG(st.st_mode);
      const bool locked = regular && flock(old, LOCK_EX | LOCK_NB) == 0;
      const int lock_errno = errno;
      if (!regular) {
        close(old);
        return Status::InvalidArgument("cannot replace " + path + ": not a regular file");
      }
      if (!locked) {
        close(old);
        if (lock_errno == EWOULDBLOCK)
          return Status::IOError("cannot replace " + path + ": another process is using that journal");
        return Status::IOError(Errno("cannot lock", path));
      }
      const int rc = unlink(path.c_str());
      const int unlink_errno = errno;
      close(old);
      if (rc != 0 && unlink_errno != ENOENT) return Status::IOError(Errno("cannot replace", path));
    } else if (errno != ENOENT) {
      return Status::IOError(Errno("cannot replace", path));
    }
  }
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return Status::InvalidArgument("journal " + path + " already exists");
    return Status::IOError(Errno("cannot create journal", path));
  }
  Status st = CreateOnFile(fd, path, header, options, out);
  if (!st.ok()) unlink(path.c_str());
  return st;
}

Status JournalWriter::CreateOnFile(int fd, const std::string& path, const JournalHeader& header,
                                   const WriterOptions& options, std::unique_ptr<JournalWriter>* out) {
  std::unique_ptr<JournalWriter> w(new JournalWriter(header, options));
  w->path_ = path;
  w->header_.format_version = kFormatVersion;
  w->header_.inline_limit = options.inline_limit;
  Impl& db = *w->db_;

  // Our own descriptor holds the lock; LMDB opens the file separately.
  // LMDB's lock file is not used (MDB_NOLOCK): the flock is what keeps
  // readers and other writers away, and the journal stays one file.
  db.lock_fd = fd;
  if (flock(db.lock_fd, LOCK_EX | LOCK_NB) != 0) return w->Fail(Status::IOError(Errno("cannot lock journal", path)));

  int rc = mdb_env_create(&db.env);
  if (rc != 0) return w->Fail(LmdbError(rc, "mdb_env_create"));
  mdb_env_set_maxdbs(db.env, 4);
  rc = mdb_env_set_mapsize(db.env, options.initial_map_size);
  if (rc != 0) return w->Fail(LmdbError(rc, "mdb_env_set_mapsize"));
  unsigned flags = MDB_NOSUBDIR | MDB_NOLOCK;
  if (options.durability == WriterOptions::Durability::kProcessCrash) flags |= MDB_NOSYNC;
  rc = mdb_env_open(db.env, path.c_str(), flags, 0644);
  if (rc != 0) return w->Fail(LmdbError(rc, ("cannot open journal " + path).c_str()));

  rc = mdb_txn_begin(db.env, nullptr, 0, &db.txn);
  if (rc != 0) return w->Fail(LmdbError(rc, "mdb_txn_begin"));
  if ((rc = mdb_dbi_open(db.txn, kMetaDb, MDB_CREATE, &db.meta)) != 0 ||
      (rc = mdb_dbi_open(db.txn, kEventsDb, MDB_CREATE, &db.events)) != 0 ||
      (rc = mdb_dbi_open(db.txn, kBlobsDb, MDB_CREATE, &db.blobs)) != 0 ||
      (rc = mdb_dbi_open(db.txn, kCheckpointsDb, MDB_CREATE, &db.checkpoints)) != 0) {
    return w->Fail(LmdbError(rc, "mdb_dbi_open"));
  }
  const std::vector<uint8_t> hdr = EncodeHeaderRecord(w->header_);
  MDB_val key = Val(kHeaderKey.data(), kHeaderKey.size());
  MDB_val val = Val(hdr.data(), hdr.size());
  rc = mdb_put(db.txn, db.meta, &key, &val, 0);
  if (rc != 0) return w->Fail(LmdbError(rc, "writing the journal header"));
  w->chain_ = ChainSeed(hdr);
  // Commits the header with an empty tail: a valid, empty journal.
  TAPVM_RETURN_IF_ERROR(w->CommitTxn(false, 0));
  *out = std::move(w);
  return Status::Ok();
}

namespace {

// LMDB reports a write that found no room as EIO (a short pwrite), not
// ENOSPC: say what it is when the journal's file system has no room left.
bool FileSystemFull(const std::string& path) {
  struct statvfs fs;
  if (statvfs(path.c_str(), &fs) != 0) return false;
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize < (1u << 20);
}

}  // namespace

Status JournalWriter::Fail(Status s) {
  if (db_->txn != nullptr) {
    mdb_txn_abort(db_->txn);
    db_->txn = nullptr;
  }
  if (s.code() == Status::Code::kIOError && !path_.empty() && FileSystemFull(path_) &&
      s.message().find("No space left on device") == std::string::npos)
    s = Status::IOError(s.message() + " (No space left on device: the journal's file system is full)");
  error_ = s;
  return s;
}

Status JournalWriter::Usable() const {
  if (!error_.ok()) return error_;
  if (closed_) return Status::InvalidArgument("journal writer: already closed");
  return Status::Ok();
}

// Makes sure a write transaction is open with room in the map for
// `extra_bytes` more. LMDB cannot grow the map inside a transaction (a full
// map fails the whole transaction), so the room is checked up front: if the
// open batch plus `extra_bytes` might not fit, the batch is committed and
// the map grown before a new transaction begins.
Status JournalWriter::EnsureTxn(uint64_t extra_bytes) {
  const uint64_t need = 2 * (txn_bytes_ + extra_bytes + kNodeOverhead) + kMapSlack;
  if (db_->txn != nullptr && need <= room_) return Status::Ok();
  if (db_->txn != nullptr) TAPVM_RETURN_IF_ERROR(CommitTxn(false, 0));
  MDB_envinfo info;
  mdb_env_info(db_->env, &info);
  MDB_stat st;
  mdb_env_stat(db_->env, &st);
  const uint64_t used = (static_cast<uint64_t>(info.me_last_pgno) + 1) * st.ms_psize;
  const uint64_t fresh_need = 2 * (extra_bytes + kNodeOverhead) + kMapSlack;
  uint64_t map = info.me_mapsize;
  if (used + fresh_need > map) {
    map = std::max(map * 2, used + 2 * fresh_need);
    const int rc = mdb_env_set_mapsize(db_->env, map);
    if (rc != 0) return Fail(LmdbError(rc, "growing the journal map"));
  }
  room_ = map - used;
  const int rc = mdb_txn_begin(db_->env, nullptr, 0, &db_->txn);
  if (rc != 0) return Fail(LmdbError(rc, "mdb_txn_begin"));
  return Status::Ok();
}

Status JournalWriter::CommitTxn(bool clean_close, uint64_t final_icount, const std::string& end_reason) {
  if (checkpoints_only_) {  // the journal's end stays as it was
    const int rc = mdb_txn_commit(db_->txn);
    db_->txn = nullptr;
    if (rc != 0) return Fail(LmdbError(rc, "committing to the journal"));
    txn_events_ = 0;
    txn_bytes_ = 0;
    ++stats_.commits;
    return Status::Ok();
  }
  TailInfo tail;
  tail.end_reason = end_reason;
  tail.last_seq = next_seq_ - 1;
  tail.last_icount = last_icount_;
  tail.chain = chain_;
  tail.clean_close = clean_close;
  tail.final_icount = final_icount;
  const std::vector<uint8_t> rec = EncodeTailRecord(tail);
  MDB_val key = Val(kTailKey.data(), kTailKey.size());
  MDB_val val = Val(rec.data(), rec.size());
  int rc = mdb_put(db_->txn, db_->meta, &key, &val, 0);
  if (rc != 0) return Fail(LmdbError(rc, "writing the journal tail"));
  rc = mdb_txn_commit(db_->txn);
  db_->txn = nullptr;
  if (rc != 0) return Fail(LmdbError(rc, "committing to the journal"));
  committed_seq_ = next_seq_ - 1;
  txn_events_ = 0;
  txn_bytes_ = 0;
  ++stats_.commits;
  return Status::Ok();
}

Status JournalWriter::MaybeCommit() {
  if (txn_events_ >= options_.batch_events || txn_bytes_ >= options_.batch_bytes) return CommitTxn(false, 0);
  return Status::Ok();
}

Status JournalWriter::PutBlobInTxn(std::span<const uint8_t> bytes, const Hash128& hash) {
  uint8_t k[16];
  hash.ToBytes(k);
  MDB_val key = Val(k, sizeof k);
  MDB_val val = Val(bytes.data(), bytes.size());
  const int rc = mdb_put(db_->txn, db_->blobs, &key, &val, MDB_NOOVERWRITE);
  if (rc == MDB_KEYEXIST) {
    ++stats_.blobs_deduped;
    return Status::Ok();
  }
  if (rc != 0) return Fail(LmdbError(rc, "storing a blob"));
  ++stats_.blobs_stored;
  stats_.blob_bytes += bytes.size();
  txn_bytes_ += bytes.size() + kNodeOverhead;
  return Status::Ok();
}

Status JournalWriter::Append(const Event& e, uint64_t* seq) {
  TAPVM_RETURN_IF_ERROR(Usable());
  if (checkpoints_only_) return Status::InvalidArgument("journal writer: this journal is open to add checkpoints only");
  if (e.icount < last_icount_) {
    return Status::InvalidArgument("journal append: icount " + std::to_string(e.icount) + " is before the last event's " +
                                   std::to_string(last_icount_));
  }
  const std::optional<std::span<const uint8_t>> payload = PayloadOf(e.body);
  const bool to_blob = payload && payload->size() > options_.inline_limit;
  TAPVM_RETURN_IF_ERROR(EnsureTxn(256 + (payload ? payload->size() : 0)));
  BlobRef ref;
  if (to_blob) {
    ref.hash = ContentHash(*payload);
    ref.size = payload->size();
    TAPVM_RETURN_IF_ERROR(PutBlobInTxn(*payload, ref.hash));
  }
  const uint64_t s = next_seq_;
  std::span<const uint8_t> rec;
  uint64_t checksum = 0;
  Status st = db_->encoder.Encode(s, e, chain_, to_blob ? &ref : nullptr, &rec, &checksum);
  if (!st.ok()) return st;  // a bad event, not a bad journal: not sticky
  uint8_t k[8];
  EncodeSeqKey(s, k);
  MDB_val key = Val(k, sizeof k);
  MDB_val val = Val(rec.data(), rec.size());
  const int rc = mdb_put(db_->txn, db_->events, &key, &val, MDB_APPEND);
  if (rc != 0) return Fail(LmdbError(rc, "appending to the journal"));
  chain_ = ChainNext(chain_, checksum);
  last_icount_ = e.icount;
  ++next_seq_;
  ++txn_events_;
  txn_bytes_ += rec.size() + kNodeOverhead;
  ++stats_.events;
  stats_.event_bytes += rec.size();
  if (seq != nullptr) *seq = s;
  return MaybeCommit();
}

Status JournalWriter::PutBlob(std::span<const uint8_t> bytes, Hash128* hash) {
  TAPVM_RETURN_IF_ERROR(Usable());
  *hash = ContentHash(bytes);
  TAPVM_RETURN_IF_ERROR(EnsureTxn(bytes.size()));
  TAPVM_RETURN_IF_ERROR(PutBlobInTxn(bytes, *hash));
  return MaybeCommit();
}

Status JournalWriter::PutImageChunks(ImageRole role, const std::string& name, uint64_t size, ChunkSource read,
                                     void* ctx) {
  TAPVM_RETURN_IF_ERROR(Usable());
  if (checkpoints_only_) return Status::InvalidArgument("journal writer: this journal is open to add checkpoints only");
  const std::string key = ImageKey(role, name);
  if (db_->stored_images.count(key) != 0) {
    return Status::InvalidArgument(std::string("image ") + ImageRoleName(role) + " '" + name + "' is already stored");
  }
  ImageInfo image;
  image.role = role;
  image.name = name;
  image.size = size;
  image.stored = true;
  image.chunk_size = options_.image_chunk_size;
  ContentHasher whole;
  std::vector<uint8_t> chunk(options_.image_chunk_size);
  // Holes of a sparse image are never read: a chunk of zeros is hashed and
  // stored once, so storing a large, mostly empty disk costs little more
  // than hashing its size in zeros.
  const std::vector<uint8_t> zeros(options_.image_chunk_size, 0);
  std::optional<Hash128> zero_hash;
  for (uint64_t off = 0; off < size; off += chunk.size()) {
    const size_t len = static_cast<size_t>(std::min<uint64_t>(chunk.size(), size - off));
    bool hole = false;
    TAPVM_RETURN_IF_ERROR(read(ctx, off, std::span<uint8_t>(chunk.data(), len), &hole));
    const std::span<const uint8_t> part(hole ? zeros.data() : chunk.data(), len);
    if (hole) stats_.image_hole_bytes += len;
    whole.Update(part);
    Hash128 h;
    if (hole && len == zeros.size()) {
      if (!zero_hash) {
        zero_hash = ContentHash(part);
        TAPVM_RETURN_IF_ERROR(EnsureTxn(part.size()));
        TAPVM_RETURN_IF_ERROR(PutBlobInTxn(part, *zero_hash));
      }
      h = *zero_hash;
    } else {
      h = ContentHash(part);
      TAPVM_RETURN_IF_ERROR(EnsureTxn(part.size()));
      TAPVM_RETURN_IF_ERROR(PutBlobInTxn(part, h));
    }
    image.chunks.push_back(h);
    TAPVM_RETURN_IF_ERROR(MaybeCommit());
  }
  image.hash = whole.Digest();
  if (const ImageInfo* declared = header_.FindImage(role, name)) {
    if (declared->hash != image.hash || declared->size != image.size) {
      return Status::InvalidArgument(std::string("image ") + ImageRoleName(role) + " '" + name +
                                     "' differs from the header's declaration (hash " + image.hash.ToHex() + " vs " +
                                     declared->hash.ToHex() + ")");
    }
  }
  const std::vector<uint8_t> rec = EncodeImageRecord(image);
  TAPVM_RETURN_IF_ERROR(EnsureTxn(rec.size()));
  MDB_val k = Val(key.data(), key.size());
  MDB_val v = Val(rec.data(), rec.size());
  const int rc = mdb_put(db_->txn, db_->meta, &k, &v, 0);
  if (rc != 0) return Fail(LmdbError(rc, "writing an image record"));
  txn_bytes_ += rec.size() + kNodeOverhead;
  db_->stored_images.insert(key);
  return CommitTxn(false, 0);
}

Status JournalWriter::PutImage(ImageRole role, const std::string& name, std::span<const uint8_t> content) {
  auto read = [](void* ctx, uint64_t off, std::span<uint8_t> out, bool*) {
    const auto* src = static_cast<const std::span<const uint8_t>*>(ctx);
    std::memcpy(out.data(), src->data() + off, out.size());
    return Status::Ok();
  };
  return PutImageChunks(role, name, content.size(), read, &content);
}

Status JournalWriter::PutImageFile(ImageRole role, const std::string& name, const std::string& file_path) {
  struct File {
    int fd = -1;
    std::string path;
    ~File() {
      if (fd >= 0) close(fd);
    }
  } file;
  file.path = file_path;
  file.fd = open(file_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (file.fd < 0) return Status::IOError(Errno("cannot open image", file_path));
  struct stat st;
  if (fstat(file.fd, &st) != 0) return Status::IOError(Errno("cannot stat image", file_path));
  auto read = [](void* ctx, uint64_t off, std::span<uint8_t> out, bool* hole) {
    const auto* f = static_cast<const File*>(ctx);
    // Is there data in [off, off + size)? ENXIO: none from `off` to the end.
    const off_t data = lseek(f->fd, static_cast<off_t>(off), SEEK_DATA);
    if ((data < 0 && errno == ENXIO) || (data >= 0 && static_cast<uint64_t>(data) >= off + out.size())) {
      *hole = true;
      return Status::Ok();
    }
    size_t done = 0;
    while (done < out.size()) {
      const ssize_t r = pread(f->fd, out.data() + done, out.size() - done, static_cast<off_t>(off + done));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return Status::IOError(Errno("cannot read image", f->path));
      if (r == 0) return Status::IOError("image " + f->path + " shrank while being stored");
      done += static_cast<size_t>(r);
    }
    return Status::Ok();
  };
  return PutImageChunks(role, name, static_cast<uint64_t>(st.st_size), read, &file);
}

Status JournalWriter::Commit() {
  TAPVM_RETURN_IF_ERROR(Usable());
  if (db_->txn == nullptr) return Status::Ok();
  return CommitTxn(false, 0);
}

void JournalWriter::StartWriteback() {
  if (!Usable().ok()) return;
  int fd = -1;
  if (mdb_env_get_fd(db_->env, &fd) != 0 || fd < 0) return;
  // Advice only: an error here changes nothing that Close's sync checks.
  (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

Status JournalWriter::Close(uint64_t final_icount, const std::string& end_reason) {
  TAPVM_RETURN_IF_ERROR(Usable());
  if (checkpoints_only_) final_icount = last_icount_;
  if (final_icount < last_icount_) {
    return Status::InvalidArgument("journal close: final icount " + std::to_string(final_icount) +
                                   " is before the last event's " + std::to_string(last_icount_));
  }
  TAPVM_RETURN_IF_ERROR(EnsureTxn(0));
  TAPVM_RETURN_IF_ERROR(CommitTxn(true, final_icount, end_reason));
  const int rc = mdb_env_sync(db_->env, 1);
  if (rc != 0) return Fail(LmdbError(rc, "syncing the journal"));
  closed_ = true;
  db_.reset(new Impl);  // closes LMDB and releases the lock
  return Status::Ok();
}

// ------------------------------------------------------------ checkpoints
Status JournalWriter::OpenForCheckpoints(const std::string& path, const WriterOptions& options,
                                         std::unique_ptr<JournalWriter>* out) {
  const int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return Status::IOError(Errno("cannot open journal", path));
  std::unique_ptr<JournalWriter> w(new JournalWriter(JournalHeader(), options));
  w->path_ = path;
  w->checkpoints_only_ = true;
  Impl& db = *w->db_;
  db.lock_fd = fd;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) return w->Fail(Status::IOError(Errno("cannot lock journal", path)));
  // LMDB trusts its file: walk it first, as a reader does.
  LmdbLayout layout;
  TAPVM_RETURN_IF_ERROR(CheckLmdbFile(fd, true, kMetaDb, kHeaderKey, &layout));
  int rc = mdb_env_create(&db.env);
  if (rc != 0) return w->Fail(LmdbError(rc, "mdb_env_create"));
  mdb_env_set_maxdbs(db.env, 4);
  if ((rc = mdb_env_set_mapsize(db.env, std::max<uint64_t>(options.initial_map_size, 2 * layout.file_size))) != 0)
    return w->Fail(LmdbError(rc, "mdb_env_set_mapsize"));
  unsigned flags = MDB_NOSUBDIR | MDB_NOLOCK;
  if (options.durability == WriterOptions::Durability::kProcessCrash) flags |= MDB_NOSYNC;
  if ((rc = mdb_env_open(db.env, path.c_str(), flags, 0644)) != 0)
    return w->Fail(LmdbError(rc, ("cannot open journal " + path).c_str()));
  if ((rc = mdb_txn_begin(db.env, nullptr, 0, &db.txn)) != 0) return w->Fail(LmdbError(rc, "mdb_txn_begin"));
  if ((rc = mdb_dbi_open(db.txn, kMetaDb, 0, &db.meta)) != 0 || (rc = mdb_dbi_open(db.txn, kEventsDb, 0, &db.events)) != 0 ||
      (rc = mdb_dbi_open(db.txn, kBlobsDb, 0, &db.blobs)) != 0 ||
      (rc = mdb_dbi_open(db.txn, kCheckpointsDb, MDB_CREATE, &db.checkpoints)) != 0)
    return w->Fail(LmdbError(rc, "opening the journal's databases"));
  MDB_val key = Val(kHeaderKey.data(), kHeaderKey.size()), val;
  if ((rc = mdb_get(db.txn, db.meta, &key, &val)) != 0) return w->Fail(LmdbError(rc, "reading the header"));
  TAPVM_RETURN_IF_ERROR(
      DecodeHeaderRecord(std::span<const uint8_t>(static_cast<const uint8_t*>(val.mv_data), val.mv_size), &w->header_));
  key = Val(kTailKey.data(), kTailKey.size());
  if ((rc = mdb_get(db.txn, db.meta, &key, &val)) != 0) return w->Fail(LmdbError(rc, "reading the tail"));
  TailInfo tail;
  TAPVM_RETURN_IF_ERROR(
      DecodeTailRecord(std::span<const uint8_t>(static_cast<const uint8_t*>(val.mv_data), val.mv_size), &tail));
  MDB_stat st;
  mdb_stat(db.txn, db.checkpoints, &st);
  if (st.ms_entries != 0) return w->Fail(Status::InvalidArgument("the journal has checkpoints already"));
  w->next_seq_ = tail.last_seq + 1;
  w->committed_seq_ = tail.last_seq;
  w->chain_ = tail.chain;
  w->last_icount_ = tail.last_icount;
  TAPVM_RETURN_IF_ERROR(w->CommitTxn(false, 0));
  *out = std::move(w);
  return Status::Ok();
}

Status JournalWriter::PutCheckpoint(const CheckpointRecord& c) {
  TAPVM_RETURN_IF_ERROR(Usable());
  const std::string what = "checkpoint at icount " + std::to_string(c.icount);
  if (has_checkpoint_ && c.icount <= last_checkpoint_icount_)
    return Status::InvalidArgument(what + ": not after the last checkpoint (" +
                                   std::to_string(last_checkpoint_icount_) + ")");
  if (c.tap_position > last_seq())
    return Status::InvalidArgument(what + ": after event " + std::to_string(c.tap_position) +
                                   ", but the journal has " + std::to_string(last_seq()));
  if (c.tap_position == last_seq() && c.chain != chain_)
    return Status::InvalidArgument(what + ": its chain is not the journal's after event " +
                                   std::to_string(c.tap_position));
  const std::vector<uint8_t> rec = EncodeCheckpointRecord(c);
  TAPVM_RETURN_IF_ERROR(EnsureTxn(rec.size()));
  uint8_t k[8];
  if (!c.full) {
    EncodeSeqKey(c.parent_icount, k);
    MDB_val pk = Val(k, sizeof k), pv;
    const int rc = mdb_get(db_->txn, db_->checkpoints, &pk, &pv);
    if (rc == MDB_NOTFOUND)
      return Status::InvalidArgument(what + ": its parent (icount " + std::to_string(c.parent_icount) +
                                     ") is not in the journal");
    if (rc != 0) return Fail(LmdbError(rc, "reading a checkpoint"));
  }
  EncodeSeqKey(c.icount, k);
  MDB_val key = Val(k, sizeof k);
  MDB_val val = Val(rec.data(), rec.size());
  const int rc = mdb_put(db_->txn, db_->checkpoints, &key, &val, MDB_NOOVERWRITE);
  if (rc == MDB_KEYEXIST) return Status::InvalidArgument(what + ": the journal has one there already");
  if (rc != 0) return Fail(LmdbError(rc, "storing a checkpoint"));
  has_checkpoint_ = true;
  last_checkpoint_icount_ = c.icount;
  txn_bytes_ += rec.size() + kNodeOverhead;
  ++stats_.checkpoints;
  stats_.checkpoint_bytes += rec.size();
  return MaybeCommit();
}

}  // namespace tapvm::journal
