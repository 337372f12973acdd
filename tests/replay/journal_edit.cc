// journal_edit: copies a journal, changing one recorded input, so a test can
// check that replay finds the divergence that change causes.
//
// usage: journal_edit IN OUT KIND
//   KIND console_in:  flips bit 0 of the first byte of the first console
//                     input; prints the edited event ("seq icount").
//   KIND entropy_in:  the same for the first entropy input.
//   KIND block_read:  the same for the data of the first block read that
//                     returned data; prints the request it answers
//                     ("seq icount").
//   KIND drop_images: declares the images in the header but stores none.
#include <cinttypes>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>

#include "journal/reader.h"
#include "journal/writer.h"

using namespace tapvm;

int main(int argc, char** argv) {
  const std::string kind = argc == 4 ? argv[3] : "";
  if (kind != "console_in" && kind != "entropy_in" && kind != "block_read" && kind != "drop_images") {
    std::fprintf(stderr, "usage: journal_edit IN OUT console_in|entropy_in|block_read|drop_images\n");
    return 2;
  }
  const bool drop_images = kind == "drop_images";
  std::unique_ptr<journal::JournalReader> in;
  Status st = journal::JournalReader::Open(argv[1], &in);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  journal::JournalHeader h = in->header();
  std::vector<journal::ImageInfo> images = h.images;
  if (drop_images) {
    for (auto& img : h.images) img.stored = false, img.chunks.clear();
    images.clear();
  } else {
    h.images.clear();
  }
  journal::WriterOptions wo;
  wo.overwrite = true;
  std::unique_ptr<journal::JournalWriter> out;
  st = journal::JournalWriter::Create(argv[2], h, wo, &out);
  for (const auto& img : images) {
    std::vector<uint8_t> bytes;
    if (st.ok()) st = in->ReadImage(img.role, img.name, &bytes);
    if (st.ok()) st = out->PutImage(img.role, img.name, bytes);
  }
  bool edited = false;
  uint64_t last_icount = 0;
  // block_read: the requests in flight, to name the one a completion answers.
  std::map<std::pair<TapDeviceId, uint64_t>, std::pair<uint64_t, uint64_t>> requests;
  while (st.ok()) {
    journal::Event e;
    bool end = false;
    st = in->Next(&e, &end);
    if (!st.ok() || end) break;
    const journal::EventKind want = kind == "console_in"   ? journal::EventKind::kConsoleIn
                                    : kind == "block_read" ? journal::EventKind::kBlockCompletion
                                                           : journal::EventKind::kEntropyIn;
    if (const auto* r = std::get_if<BlockRequest>(&e.body)) requests[{r->dev, r->id}] = {e.seq, e.icount};
    if (!edited && !drop_images && journal::KindOf(e) == want) {
      const std::span<uint8_t> bytes = journal::MutablePayloadOf(e.body).bytes();
      if (!bytes.empty()) {
        bytes[0] ^= 1;
        edited = true;
        uint64_t seq = e.seq, icount = e.icount;
        if (const auto* c = std::get_if<BlockCompletion>(&e.body)) std::tie(seq, icount) = requests[{c->dev, c->id}];
        std::printf("%" PRIu64 " %" PRIu64 "\n", seq, icount);
      }
    }
    last_icount = e.icount;
    st = out->Append(e);
  }
  if (st.ok()) st = out->Close(h.clean_close ? h.final_icount : last_icount);
  if (!st.ok() || (!edited && !drop_images)) {
    std::fprintf(stderr, "journal_edit: %s\n", st.ok() ? "no such input to change" : st.ToString().c_str());
    return 1;
  }
  return 0;
}
