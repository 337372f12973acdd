// `tapvm replay JOURNAL`: re-runs a recorded run from its journal alone (no
// disk image, network or terminal needed), delivering every input at its
// recorded instruction count and checking every observation; reports the
// first divergence precisely.
#include <spdlog/spdlog.h>

#include <cinttypes>
#include <cstdio>
#include <memory>

#include "journal/reader.h"
#include "replayer/replay_tap.h"
#include "tools/tapvm/commands.h"
#include "tools/tapvm/vm.h"

namespace tapvm::cli {

namespace {

struct ReplayOptions {
  std::string path;
  uint64_t until = 0;  // 0: the whole journal
  bool quiet = false;
};

// Rebuilds the recorded machine's options from the journal header.
Status OptionsFromJournal(journal::JournalReader* r, VmOptions* v) {
  const journal::JournalHeader& h = r->header();
  auto get = [&](const char* key) -> std::string {
    const std::string* s = h.FindConfig(key);
    return s ? *s : "";
  };
  v->replay = true;
  v->digest_interval = h.digest_interval;
  v->ram_size = std::strtoull(get("ram_bytes").c_str(), nullptr, 10);
  v->hart.time_shift = static_cast<unsigned>(std::strtoul(get("time_shift").c_str(), nullptr, 10));
  if (v->ram_size == 0 || v->hart.time_shift > 16) return Status::Corruption("journal has no usable machine configuration");
  if (h.digest_interval && get("digest_version") != std::to_string(Board::kDigestVersion))
    return Status::NotSupported("the journal's state digests are of version '" + get("digest_version") +
                                "'; this tapvm computes version " + std::to_string(Board::kDigestVersion) +
                                " (record again, or replay with the tapvm that recorded it)");
  v->append = get("bootargs");
  v->rng = get("rng") == "1";
  for (const auto& [k, val] : h.config) {
    if (k == "drive") v->drives.push_back(val);
    if (k == "netdev") v->netdevs.push_back(val);
  }
  bool is_linux = get("mode") == "linux";
  for (const auto& img : h.images) {
    if (!img.stored) return Status::NotFound(std::string("image ") + img.name + " is not stored in the journal");
    switch (img.role) {
      case journal::ImageRole::kFirmware:
        v->bios = img.name;
        TAPVM_RETURN_IF_ERROR(r->ReadImage(img.role, img.name, &v->bios_bytes));
        break;
      case journal::ImageRole::kKernel:
        v->kernel = img.name;
        TAPVM_RETURN_IF_ERROR(r->ReadImage(img.role, img.name, &v->kernel_bytes));
        break;
      case journal::ImageRole::kInitrd:
        v->initrd = img.name;
        TAPVM_RETURN_IF_ERROR(r->ReadImage(img.role, img.name, &v->initrd_bytes));
        break;
      case journal::ImageRole::kDisk:
        v->drive_sizes.push_back(img.size);
        break;
      default: break;
    }
  }
  if (v->bios_bytes.empty() || (is_linux && v->kernel_bytes.empty()))
    return Status::NotFound("the journal does not hold the firmware/kernel it was recorded with");
  return Status::Ok();
}

void Display(std::span<const uint8_t> bytes) {
  std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  std::fflush(stdout);
}

int Replay(const ReplayOptions& o) {
  std::unique_ptr<journal::JournalReader> reader;
  Status st = journal::JournalReader::Open(o.path, &reader);
  if (!st.ok()) {
    std::fprintf(stderr, "tapvm: %s: %s\n", o.path.c_str(), st.ToString().c_str());
    return kExitUsage;
  }
  VmOptions v;
  st = OptionsFromJournal(reader.get(), &v);
  if (!st.ok()) {
    std::fprintf(stderr, "tapvm: %s: %s\n", o.path.c_str(), st.ToString().c_str());
    return kExitUsage;
  }
  const journal::JournalHeader h = reader->header();
  std::unique_ptr<ReplayTap> replay;
  Board* board = nullptr;
  std::unique_ptr<Vm> vm;
  st = Vm::Create(v, &vm, [&](PassthroughTap*) -> EventTap* {
    replay = std::make_unique<ReplayTap>(reader.get(), o.quiet ? ReplayTap::DisplayFn() : Display, [&] {
      if (board) board->RequestQuit();
    });
    return replay.get();
  });
  if (!st.ok()) {
    std::fprintf(stderr, "tapvm: cannot rebuild the recorded machine: %s\n", st.ToString().c_str());
    return kExitUsage;
  }
  board = &vm->board();
  // Run to where the recording stopped (or --until).
  // A journal cut short (kill -9) ends with the events of the instruction
  // at last_icount: run through that instruction.
  const uint64_t recorded_end = h.clean_close ? h.final_icount : h.last_icount + 1;
  const uint64_t end = o.until ? std::min(recorded_end, o.until) : recorded_end;
  RunResult r = board->Run(end);
  const HartState& s = board->hart().state();
  std::fflush(stdout);
  if (!replay->status().ok()) {
    std::fprintf(stderr, "tapvm: the journal is damaged: %s\n", replay->status().ToString().c_str());
    return 1;
  }
  if (replay->divergence()) {
    std::fprintf(stderr, "tapvm: replay DIVERGED: %s\n", replay->divergence()->ToString().c_str());
    return 1;
  }
  const bool whole = end == recorded_end;
  if (whole && (!replay->at_end() || (h.clean_close && s.icount != end))) {
    std::fprintf(stderr, "tapvm: replay DIVERGED: the recording ran to icount %" PRIu64
                 " with %" PRIu64 " events; the replay stopped at %" PRIu64 " after %" PRIu64 " events (%s)\n",
                 end, h.final_seq, s.icount, replay->consumed(), r.kind == RunResult::Kind::kLimit ? "limit" : "guest stopped");
    return 1;
  }
  std::fprintf(stderr, "tapvm: replay matched %" PRIu64 " events up to icount %" PRIu64 "; state digest %016" PRIx64
               "%s\n", replay->consumed(), s.icount, board->ComputeDigest().value,
               whole ? " (whole recording)" : " (--until)");
  return 0;
}

}  // namespace

void AddReplayCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ReplayOptions>();
  CLI::App* rep = app.add_subcommand("replay", "Replay a journal bit-exactly and verify every event");
  rep->add_option("journal", o->path, "Journal written by `tapvm record`")->required();
  rep->add_option("--until", o->until, "Stop at this instruction count (> 0)")->check(CountValidator(true));
  rep->add_flag("-q,--quiet", o->quiet, "Do not show the guest's console output");
  rep->callback([o, exit_code] { *exit_code = Replay(*o); });
}

}  // namespace tapvm::cli
