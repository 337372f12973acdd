// libFuzzer target for the journal reader: damaged, truncated and foreign
// files, and hostile record bodies, must give a Status, never a crash; and
// a damaged journal that still verifies must read back as a prefix of what
// was written.
//
// Build and run (clang with libFuzzer; not part of the CMake build; GEN is
// where `capnp compile` put journal/journal.capnp.{h,c++}):
//   capnp compile -oc++:$GEN --src-prefix=. journal/journal.capnp
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. -I$GEN \
//     tests/fuzz/journal_reader_fuzz.cc journal/*.cc $GEN/journal/journal.capnp.c++ \
//     emulator/base/status.cc -lcapnp -lkj -llmdb -lxxhash -o /tmp/journal_reader_fuzz
//   /tmp/journal_reader_fuzz -max_total_time=60 -max_len=4096
//
// The first input byte picks a mode:
//   0: patch mode. The rest is a list of 5-byte patches applied to a valid
//      journal built at start-up (events of every kind, blobs, images,
//      several commits): offset:u32le (top bit set: truncate the file
//      there instead) then a byte XORed in. The result is opened,
//      verified, read through, its blobs and images fetched.
//   1: raw mode. The rest is the whole file.
//   2: body mode. The rest goes to the record, header, tail and image
//      decoders directly (framed with valid checksums where they check).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "journal/codec.h"
#include "journal/reader.h"
#include "journal/writer.h"

namespace tapvm::journal {
namespace {

#define FUZZ_CHECK(c) \
  do {                \
    if (!(c)) abort(); \
  } while (0)

std::string Path() { return "/tmp/journal_reader_fuzz_" + std::to_string(getpid()) + ".tapj"; }

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 5));
  return v;
}

struct Seed {
  std::vector<uint8_t> file;
  std::vector<Event> events;
};

// A journal with a bit of everything; built once.
const Seed& TheSeed() {
  static const Seed* seed = [] {
    auto* s = new Seed;
    const std::string path = Path() + ".seed";
    unlink(path.c_str());
    JournalHeader h;
    h.writer_version = "fuzz";
    h.config = {{"ram_mib", "64"}};
    WriterOptions o;
    o.batch_events = 8;
    o.image_chunk_size = 512;
    std::unique_ptr<JournalWriter> w;
    FUZZ_CHECK(JournalWriter::Create(path, h, o, &w).ok());
    FUZZ_CHECK(w->PutImage(ImageRole::kDisk, "disk.img", Pattern(3000, 1)).ok());
    uint64_t icount = 0;
    auto add = [&](EventBody body) {
      Event e;
      e.icount = icount += 13;
      e.body = std::move(body);
      FUZZ_CHECK(w->Append(e).ok());
      s->events.push_back(std::move(e));
    };
    for (int i = 0; i < 3; ++i) {
      add(BlockCompletion{1, 7, BlockCompletion::Status::kOk, Pattern(600, 2)});
      add(NetFrameIn{2, Pattern(100, static_cast<uint8_t>(i))});
      add(ConsoleIn{0, Pattern(3, 4)});
      add(EntropyIn{3, Pattern(16, 5)});
      add(ClockWarp{1, 2});
      add(IoAccess{IoAccess::Space::kMmio, true, 0, 0x10000000, 1, 0x41});
      add(IoAccess{IoAccess::Space::kPio, false, 4, 0x3f8, 2, 7});
      add(NetFrameOut{2, Pattern(70, 6)});
      BlockRequest r;
      r.dev = 1;
      r.id = 9;
      r.type = BlockRequest::Type::kWrite;
      r.length = 512;
      r.data = Pattern(512, 7);
      add(r);
      add(EntropyRequest{3, 64});
      add(ConsoleOut{0, Pattern(20, 8)});
      add(IrqLine{1, 10, true});
      add(StateDigest{123, DigestParts{1, 2, 3}});
    }
    FUZZ_CHECK(w->Close(icount + 5).ok());
    w.reset();
    std::ifstream f(path, std::ios::binary);
    s->file.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    unlink(path.c_str());
    return s;
  }();
  return *seed;
}

void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Verifies and reads through an open journal; `original`: the events the
// file held before it was damaged (patch mode), to check what a passing
// Verify lets through.
void ExerciseReader(JournalReader* r, const std::vector<Event>* original) {
  VerifyReport report;
  const bool verified = r->Verify(nullptr, &report).ok();
  std::vector<Event> events;
  Status st;
  for (int guard = 0; guard < 100000; ++guard) {
    Event e;
    bool end = false;
    st = r->Next(&e, &end);
    if (!st.ok() || end) break;
    (void)DescribeEvent(e);
    events.push_back(std::move(e));
  }
  std::vector<uint8_t> data;
  for (const ImageInfo& im : r->header().images) (void)r->ReadImage(im.role, im.name, &data);
  if (verified && original != nullptr) {
    // Whatever passes verification is a committed prefix of the journal.
    FUZZ_CHECK(st.ok());
    FUZZ_CHECK(events.size() == r->header().final_seq);
    FUZZ_CHECK(events.size() <= original->size());
    for (size_t i = 0; i < events.size(); ++i) {
      FUZZ_CHECK(events[i].icount == (*original)[i].icount);
      FUZZ_CHECK(SameBody(events[i].body, (*original)[i].body));
    }
  }
}

void Exercise(const std::string& path, const std::vector<Event>* original) {
  std::unique_ptr<JournalReader> r;
  if (!JournalReader::Open(path, &r).ok()) return;
  ExerciseReader(r.get(), original);
  r.reset();
  // This file passed the structure walk, so reading it again without the
  // walk (no map address: sizes-only bounds, no file offsets) is safe.
  ReaderOptions trusting;
  trusting.check_structure = false;
  if (!JournalReader::Open(path, trusting, &r).ok()) return;
  ExerciseReader(r.get(), original);
}

void PatchMode(const uint8_t* data, size_t size) {
  const Seed& seed = TheSeed();
  std::vector<uint8_t> file = seed.file;
  for (size_t i = 0; i + 5 <= size && !file.empty(); i += 5) {
    const uint32_t off = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (uint32_t(data[i + 3]) << 24);
    if (off & 0x80000000u) {
      file.resize((off & 0x7fffffffu) % (file.size() + 1));
    } else {
      file[off % file.size()] ^= data[i + 4] == 0 ? 1 : data[i + 4];
    }
  }
  const std::string path = Path();
  WriteFile(path, file);
  Exercise(path, &seed.events);
}

void RawMode(const uint8_t* data, size_t size) {
  const std::string path = Path();
  WriteFile(path, std::vector<uint8_t>(data, data + size));
  Exercise(path, nullptr);
}

void BodyMode(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> body(data, size);
  static EventDecoder* decoder = new EventDecoder;
  Event e;
  std::optional<BlobRef> blob;
  if (decoder->DecodeBody(body, &e, &blob).ok()) (void)DescribeEvent(e);
  const std::vector<uint8_t> framed = FrameEventRecord(5, 0, body);
  DecodedEvent info;
  (void)decoder->Decode(5, framed, &e, &info);
  JournalHeader h;
  (void)DecodeHeaderRecord(body, &h);
  TailInfo t;
  (void)DecodeTailRecord(body, &t);
  ImageInfo im;
  (void)DecodeImageRecord(body, &im);
}

}  // namespace
}  // namespace tapvm::journal

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  switch (data[0] % 3) {
    case 0: tapvm::journal::PatchMode(data + 1, size - 1); break;
    case 1: tapvm::journal::RawMode(data + 1, size - 1); break;
    default: tapvm::journal::BodyMode(data + 1, size - 1); break;
  }
  return 0;
}
