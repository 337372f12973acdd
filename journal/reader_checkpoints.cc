// JournalReader: checkpoints, and seeking to the events after one (see
// reader.h and docs/journal-format.md §6.1).
#include <cinttypes>

#include "journal/fmt.h"
#include "journal/format.h"
#include "journal/lmdb_check.h"
#include "journal/reader.h"
#include "journal/reader_impl.h"

namespace tapvm::journal {
namespace {

MDB_val Val(const void* data, size_t size) { return MDB_val{size, const_cast<void*>(data)}; }

std::span<const uint8_t> Span(const MDB_val& v) {
  return std::span<const uint8_t>(static_cast<const uint8_t*>(v.mv_data), v.mv_size);
}

}  // namespace

Status JournalReader::Impl::CheckpointAt(const MDB_val& key, const MDB_val& val, CheckpointRecord* out,
                                         const void* own_key) {
  // A key LMDB found lies in the map; one the caller looked up is its own.
  if (key.mv_size != 8 || (key.mv_data != own_key && !InFile(key)))
    return Status::Corruption("a checkpoint key is not 8 bytes (damaged B-tree)");
  const uint64_t icount = DecodeSeqKey(static_cast<const uint8_t*>(key.mv_data));
  if (!InFile(val))
    return Status::Corruption(Fmt("checkpoint at icount %" PRIu64 ": lies outside the file (damaged B-tree)", icount));
  TAPVM_RETURN_IF_ERROR(DecodeCheckpointRecord(icount, Span(val), out));
  if (tail_ok && out->tap_position > tail.last_seq)
    return Status::Corruption(Fmt("checkpoint at icount %" PRIu64 ": follows event %" PRIu64
                                  ", past the journal's last committed event %" PRIu64,
                                  icount, out->tap_position, tail.last_seq));
  return Status::Ok();
}

bool JournalReader::has_checkpoints() const {
  if (!impl_->has_checkpoints) return false;
  MDB_stat st{};
  return mdb_stat(impl_->txn, impl_->checkpoints, &st) == 0 && st.ms_entries > 0;
}

Status JournalReader::ListCheckpoints(std::vector<CheckpointSummary>* out) {
  Impl& d = *impl_;
  out->clear();
  if (!d.has_checkpoints) return Status::Ok();
  MDB_cursor* c = nullptr;
  int rc = mdb_cursor_open(d.txn, d.checkpoints, &c);
  if (rc != 0) return LmdbError(rc, "mdb_cursor_open");
  MDB_val key, val;
  Status st;
  CheckpointRecord rec;
  for (rc = mdb_cursor_get(c, &key, &val, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
    st = d.CheckpointAt(key, val, &rec);
    if (!st.ok()) break;
    CheckpointSummary s;
    s.icount = rec.icount;
    s.full = rec.full;
    s.parent_icount = rec.parent_icount;
    s.tap_position = rec.tap_position;
    s.pages = rec.pages.size();
    s.state_bytes = rec.state.size();
    s.record_bytes = val.mv_size;
    out->push_back(s);
  }
  mdb_cursor_close(c);
  if (!st.ok()) return st;
  if (rc != MDB_NOTFOUND) return LmdbError(rc, "reading checkpoints");
  return Status::Ok();
}

Status JournalReader::FindCheckpoint(uint64_t icount, CheckpointRecord* out, bool* found) {
  Impl& d = *impl_;
  *found = false;
  if (!d.has_checkpoints) return Status::Ok();
  MDB_cursor* c = nullptr;
  int rc = mdb_cursor_open(d.txn, d.checkpoints, &c);
  if (rc != 0) return LmdbError(rc, "mdb_cursor_open");
  // Keys are big-endian icounts: the first key >= icount, then one back
  // unless it is icount itself; none >= icount: the last one.
  uint8_t k[8];
  EncodeSeqKey(icount, k);
  MDB_val key = Val(k, sizeof k), val;
  rc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE);
  if (rc == 0 && !(key.mv_size == 8 && DecodeSeqKey(static_cast<const uint8_t*>(key.mv_data)) == icount))
    rc = mdb_cursor_get(c, &key, &val, MDB_PREV);
  else if (rc == MDB_NOTFOUND)
    rc = mdb_cursor_get(c, &key, &val, MDB_LAST);
  Status st;
  if (rc == 0) {
    st = d.CheckpointAt(key, val, out, k);
    *found = st.ok();
  } else if (rc != MDB_NOTFOUND) {
    st = LmdbError(rc, "looking up a checkpoint");
  }
  mdb_cursor_close(c);
  return st;
}

Status JournalReader::ReadCheckpoint(uint64_t icount, CheckpointRecord* out) {
  Impl& d = *impl_;
  if (!d.has_checkpoints) return Status::NotFound(Fmt("the journal has no checkpoints (icount %" PRIu64 ")", icount));
  uint8_t k[8];
  EncodeSeqKey(icount, k);
  MDB_val key = Val(k, sizeof k), val;
  const int rc = mdb_get(d.txn, d.checkpoints, &key, &val);
  if (rc == MDB_NOTFOUND) return Status::NotFound(Fmt("no checkpoint at icount %" PRIu64, icount));
  if (rc != 0) return LmdbError(rc, "reading a checkpoint");
  return d.CheckpointAt(key, val, out, k);
}

Status JournalReader::ViewBlob(const Hash128& hash, uint64_t expected_size, std::span<const uint8_t>* out) {
  return impl_->BlobView(hash, expected_size, out);
}

Status JournalReader::ChainAfter(uint64_t seq, uint64_t* chain) {
  Impl& d = *impl_;
  if (seq == 0) {
    *chain = d.chain_seed;
    return Status::Ok();
  }
  uint8_t k[8];
  EncodeSeqKey(seq, k);
  MDB_val key = Val(k, sizeof k), val;
  const int rc = mdb_get(d.txn, d.events, &key, &val);
  if (rc == MDB_NOTFOUND) return Status::NotFound(Fmt("the journal has no event %" PRIu64, seq));
  if (rc != 0) return LmdbError(rc, "reading an event");
  if (!d.InFile(val) || val.mv_size < kEventPrefixSize)
    return Status::Corruption(Fmt("event %" PRIu64 ": damaged (outside the file, or shorter than its framing)", seq));
  const std::span<const uint8_t> rec = Span(val);
  const uint64_t checksum = GetLe64(rec.data());
  if (EventChecksum(seq, rec.subspan(8)) != checksum)
    return Status::Corruption(RecordWhere(seq, 0, false, d.FileOffset(val.mv_data), val.mv_size) +
                              ": checksum mismatch");
  *chain = ChainNext(GetLe64(rec.data() + 8), checksum);
  return Status::Ok();
}

Status JournalReader::Seek(uint64_t seq, uint64_t chain_before) {
  TAPVM_RETURN_IF_ERROR(Seek(seq));
  Impl& d = *impl_;
  if (seq <= 1) {
    if (chain_before != d.chain_seed)
      return Status::InvalidArgument("the chain given for the start of the journal is not its header's");
    return Status::Ok();
  }
  d.walk.expected_seq = seq;
  d.walk.chain = chain_before;
  d.walk.chain_known = true;
  return Status::Ok();
}

}  // namespace tapvm::journal
