#include "journal/diff.h"

#include <string>

namespace tapvm::journal {

namespace {

void DiffHeaders(const JournalHeader& a, const JournalHeader& b, std::vector<std::string>* out) {
  if (a.format_version != b.format_version)
    out->push_back("format " + std::to_string(a.format_version) + " vs " + std::to_string(b.format_version));
  if (a.digest_interval != b.digest_interval)
    out->push_back("digest interval " + std::to_string(a.digest_interval) + " vs " +
                   std::to_string(b.digest_interval));
  // Configuration: keys in a's order, then keys only b has.
  for (const auto& [key, value] : a.config) {
    const std::string* other = b.FindConfig(key);
    if (other == nullptr)
      out->push_back("config " + key + ": " + value + " vs (absent)");
    else if (*other != value)
      out->push_back("config " + key + ": " + value + " vs " + *other);
  }
  for (const auto& [key, value] : b.config)
    if (a.FindConfig(key) == nullptr) out->push_back("config " + key + ": (absent) vs " + value);
  // Images: same role and name must have the same content.
  for (const ImageInfo& img : a.images) {
    const ImageInfo* other = b.FindImage(img.role, img.name);
    const std::string what = std::string("image ") + ImageRoleName(img.role) + " " + img.name;
    if (other == nullptr)
      out->push_back(what + ": present vs (absent)");
    else if (other->hash != img.hash || other->size != img.size)
      out->push_back(what + ": " + img.hash.ToHex() + " vs " + other->hash.ToHex());
  }
  for (const ImageInfo& img : b.images)
    if (a.FindImage(img.role, img.name) == nullptr)
      out->push_back(std::string("image ") + ImageRoleName(img.role) + " " + img.name + ": (absent) vs present");
}

// The first block request from `first` on (itself included), reading on
// in `r`; false when none comes within the lookahead.
bool FirstRequestFrom(JournalReader* r, const Event& first, Event* out) {
  if (std::holds_alternative<BlockRequest>(first.body)) {
    *out = first;
    return true;
  }
  for (uint64_t n = 0; n < kRequestLookahead; ++n) {
    bool end = false;
    if (!r->Next(out, &end).ok() || end) return false;
    if (std::holds_alternative<BlockRequest>(out->body)) return true;
  }
  return false;
}

bool SameRequest(const BlockRequest& x, const BlockRequest& y) {
  return x.dev == y.dev && x.id == y.id && x.type == y.type && x.offset == y.offset && x.length == y.length;
}

void FindRequestShift(JournalReader* a, JournalReader* b, JournalDiff* out) {
  if (!out->first_a || !out->first_b) return;
  Event ra, rb;
  if (!FirstRequestFrom(a, *out->first_a, &ra) || !FirstRequestFrom(b, *out->first_b, &rb)) return;
  const auto& x = std::get<BlockRequest>(ra.body);
  const auto& y = std::get<BlockRequest>(rb.body);
  if (!SameRequest(x, y) || ra.icount == rb.icount) return;
  JournalDiff::RequestShift shift;
  shift.request = x;
  shift.request.data.clear();
  shift.seq_a = ra.seq;
  shift.icount_a = ra.icount;
  shift.seq_b = rb.seq;
  shift.icount_b = rb.icount;
  out->request_shift = std::move(shift);
}

}  // namespace

Status DiffJournals(JournalReader* a, JournalReader* b, JournalDiff* out) {
  *out = JournalDiff();
  DiffHeaders(a->header(), b->header(), &out->header_differences);
  Event ea, eb;
  for (;;) {
    bool end_a = false, end_b = false;
    if (Status st = a->Next(&ea, &end_a); !st.ok()) return st;
    if (Status st = b->Next(&eb, &end_b); !st.ok()) return st;
    if (end_a && end_b) break;
    if (end_a || end_b || ea.icount != eb.icount || !SameBody(ea.body, eb.body)) {
      if (!end_a) out->first_a = std::move(ea);
      if (!end_b) out->first_b = std::move(eb);
      FindRequestShift(a, b, out);
      return Status::Ok();
    }
    ++out->common_events;
    if (KindOf(ea) == EventKind::kStateDigest) out->last_common_digest = ea;
  }
  const JournalHeader& ha = a->header();
  const JournalHeader& hb = b->header();
  out->final_icount_differs = ha.clean_close && hb.clean_close && ha.final_icount != hb.final_icount;
  return Status::Ok();
}

}  // namespace tapvm::journal
