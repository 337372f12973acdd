#include "replayer/journal_checkpoints.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

namespace tapvm {

namespace {

std::string At(uint64_t icount) { return "checkpoint at icount " + std::to_string(icount); }

bool IsZero(std::span<const uint8_t> p) {
  for (uint8_t b : p)
    if (b) return false;
  return true;
}

}  // namespace

Status LoadJournalCheckpoint(journal::JournalReader* reader, uint64_t icount, JournalCheckpoint* out, bool* found) {
  journal::CheckpointRecord rec;
  TAPVM_RETURN_IF_ERROR(reader->FindCheckpoint(icount, &rec, found));
  if (!*found) return Status::Ok();
  JournalCheckpoint jc;
  jc.chain = rec.chain;
  {
    Status st = DecodeCheckpoint(rec.state, &jc.machine);
    if (!st.ok()) return Status::Corruption(At(rec.icount) + ": its machine state: " + st.message());
  }
  if (jc.machine.icount != rec.icount)
    return Status::Corruption(At(rec.icount) + ": its machine state is at icount " +
                              std::to_string(jc.machine.icount));
  jc.machine.kind = MachineCheckpoint::Kind::kFull;
  jc.machine.parent_icount = 0;
  jc.machine.tap_position = rec.tap_position;
  // Newest first: the first reference to a page is the one that holds.
  std::unordered_map<uint64_t, journal::Hash128> pages;
  std::vector<uint64_t> order;
  for (journal::CheckpointRecord r = std::move(rec);;) {
    pages.reserve(pages.size() + r.pages.size());
    for (const journal::PageRef& p : r.pages)
      if (pages.emplace(p.addr, p.hash).second) order.push_back(p.addr);
    if (r.full) break;
    const uint64_t parent = r.parent_icount;
    Status st = reader->ReadCheckpoint(parent, &r);
    if (st.code() == Status::Code::kNotFound)
      return Status::Corruption(At(jc.machine.icount) + ": its parent chain needs the checkpoint at icount " +
                                std::to_string(parent) + ", which is missing");
    TAPVM_RETURN_IF_ERROR(st);
    ++jc.folded;
  }
  std::sort(order.begin(), order.end());
  jc.machine.pages.reserve(order.size());
  for (uint64_t addr : order) {
    const journal::Hash128& hash = pages[addr];
    std::span<const uint8_t> bytes;
    Status st = reader->ViewBlob(hash, UINT64_MAX, &bytes);
    if (st.ok() && bytes.size() > MachineCheckpoint::kPageSize)
      st = Status::Corruption("blob " + hash.ToHex() + " holds " + std::to_string(bytes.size()) + " bytes, more than a page");
    if (!st.ok()) {
      char where[48];
      std::snprintf(where, sizeof where, ", page 0x%" PRIx64 ": ", addr);
      return Status::Corruption(At(jc.machine.icount) + where + st.message());
    }
    if (IsZero(bytes)) continue;  // a full checkpoint lists no zero page
    CheckpointPage page;
    page.addr = addr;
    page.bytes.assign(MachineCheckpoint::kPageSize, 0);  // stored without its trailing zeros
    std::copy(bytes.begin(), bytes.end(), page.bytes.begin());
    jc.machine.pages.push_back(std::move(page));
  }
  *out = std::move(jc);
  return Status::Ok();
}

Status SeekAfterCheckpoint(journal::JournalReader* reader, const JournalCheckpoint& c) {
  return reader->Seek(c.machine.tap_position + 1, c.chain);
}

}  // namespace tapvm
