#include "recorder/checkpoint_writer.h"

#include <string>
#include <vector>

namespace tapvm {

Status CheckpointWriter::Write(journal::JournalWriter* w, MachineCheckpoint&& c, std::optional<uint64_t> chain) {
  const bool full = c.kind == MachineCheckpoint::Kind::kFull;
  if (!full && (!have_last_ || c.parent_icount != last_icount_))
    return Status::InvalidArgument("checkpoint at icount " + std::to_string(c.icount) +
                                   ": incremental on a checkpoint this journal does not hold");
  journal::CheckpointRecord rec;
  rec.icount = c.icount;
  rec.tap_position = c.tap_position;
  if (chain) {
    rec.chain = *chain;
  } else if (c.tap_position == w->last_seq()) {
    rec.chain = w->chain();
  } else {
    return Status::InvalidArgument("checkpoint at icount " + std::to_string(c.icount) + ": follows event " +
                                   std::to_string(c.tap_position) + ", the journal is at event " +
                                   std::to_string(w->last_seq()));
  }
  if (full) pages_.clear();
  std::vector<journal::PageRef> written;
  written.reserve(c.pages.size());
  for (const CheckpointPage& p : c.pages) {
    journal::PageRef ref;
    ref.addr = p.addr;
    // Stored without its trailing zeros (the zero page: empty): most pages
    // end in some, and a blob of up to 4080 bytes fills one LMDB page, a
    // whole 4096 two.
    size_t len = p.bytes.size();
    while (len > 0 && p.bytes[len - 1] == 0) --len;
    TAPVM_RETURN_IF_ERROR(w->PutBlob(std::span<const uint8_t>(p.bytes.data(), len), &ref.hash));
    if (p.bytes.empty()) {
      pages_.erase(p.addr);
    } else {
      pages_[p.addr] = ref.hash;
    }
    written.push_back(ref);
  }
  // The rest of the machine, in the checkpoint encoding without pages.
  c.pages.clear();
  TAPVM_RETURN_IF_ERROR(EncodeCheckpoint(c, &rec.state));
  rec.full = full || ++since_full_ >= kFullEvery;
  if (rec.full) {
    since_full_ = 0;
    rec.pages.reserve(pages_.size());
    for (const auto& [addr, hash] : pages_) rec.pages.push_back({addr, hash});
  } else {
    rec.parent_icount = last_icount_;
    rec.pages = std::move(written);
  }
  TAPVM_RETURN_IF_ERROR(w->PutCheckpoint(rec));
  have_last_ = true;
  last_icount_ = c.icount;
  return Status::Ok();
}

}  // namespace tapvm
