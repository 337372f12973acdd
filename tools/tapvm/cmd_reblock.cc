// `tapvm journal reblock JOURNAL [--aio ...] [--cache ...] [--inject ...]`:
// re-issues a recording's block requests through a live backend with the
// recorded concurrency and checks every answer and the final images
// (tools/reblock/reblock.h). Exit 0: every check held; 1: a mismatch; 2:
// bad usage or a journal that cannot be used.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>

#include "emulator/block/backends/open_block_backend.h"
#include "emulator/block/block_options.h"
#include "journal/reader.h"
#include "tools/reblock/reblock.h"
#include "tools/tapvm/commands.h"

namespace tapvm::cli {

namespace {

struct ReblockCliOptions {
  std::string path;
  std::string aio = "threads";
  std::string cache = "writeback";
  std::string inject;
  uint64_t inject_seed = 0;
  std::string image_dir;
};

double PerSecond(double n, double s) { return s > 0 ? n / s : 0; }

void PrintReport(const reblock::ReblockReport& r, const std::string& aio, const std::string& cache) {
  const reblock::ScheduleStats& s = r.schedule;
  std::printf("requests    %" PRIu64 " (%" PRIu64 " reads, %" PRIu64 " writes, %" PRIu64 " flushes, %" PRIu64
              " discards, %" PRIu64 " write-zeroes); %" PRIu64 " answers checked, %" PRIu64
              " never answered in the recording\n",
              s.requests, s.reads, s.writes, s.flushes, s.discards, s.write_zeroes, s.checked, s.unanswered);
  std::printf("in flight   at most %" PRIu64 " (the recording: %" PRIu64 "); %" PRIu64
              " racing overlapping requests serialized\n", s.max_in_flight, s.recorded_max_in_flight, s.races);
  const double mb = static_cast<double>(s.bytes_read + s.bytes_written) / 1e6;
  std::printf("throughput  %.3f MB in %.4f s (%.1f MB read, %.1f MB written): %.1f MB/s, %.0f requests/s "
              "(aio=%s, cache=%s)\n", mb, r.seconds, static_cast<double>(s.bytes_read) / 1e6,
              static_cast<double>(s.bytes_written) / 1e6, PerSecond(mb, r.seconds),
              PerSecond(static_cast<double>(s.requests), r.seconds), aio.c_str(), cache.c_str());
  for (const reblock::Mismatch& m : s.listed) std::printf("MISMATCH    %s\n", m.ToString().c_str());
  if (s.mismatches > s.listed.size())
    std::printf("MISMATCH    ... and %" PRIu64 " more\n", s.mismatches - static_cast<uint64_t>(s.listed.size()));
  for (size_t i = 0; i < r.drives.size(); ++i) {
    const reblock::DriveOutcome& d = r.drives[i];
    if (d.equal)
      std::printf("final image drive %zu: %s, as the recorded requests leave it\n", i, d.got_hash.ToHex().c_str());
    else
      std::printf("MISMATCH    final image drive %zu: %s, expected %s; first difference at byte %" PRIu64 "\n", i,
                  d.got_hash.ToHex().c_str(), d.expected_hash.ToHex().c_str(), d.first_difference);
  }
}

int Reblock(const ReblockCliOptions& o) {
  BlockBackendOptions choice;
  Status bad = ParseBlockAio(o.aio, &choice.aio);
  if (bad.ok()) bad = ParseBlockCache(o.cache, &choice.cache);
  if (bad.ok() && !o.inject.empty()) bad = FaultInjector::Create(o.inject, o.inject_seed, &choice.injector);
  if (!bad.ok()) {
    std::fprintf(stderr, "tapvm: journal reblock: %s\n", bad.message().c_str());
    return kExitUsage;
  }
  std::unique_ptr<journal::JournalReader> reader;
  Status st = journal::JournalReader::Open(o.path, &reader);
  std::vector<reblock::RecordedDrive> drives;
  if (st.ok()) st = reblock::FindRecordedDrives(reader.get(), &drives);
  if (!st.ok()) {
    std::fprintf(stderr, "tapvm: %s: %s\n", o.path.c_str(), st.ToString().c_str());
    return kExitUsage;
  }
  // The one place the backend is chosen: cache and injection rules go to
  // OpenBlockBackend with the engine.
  reblock::BackendOpener open = [&choice](const reblock::RecordedDrive& d, const std::string& path,
                                          std::unique_ptr<BlockBackend>* out) {
    BlockBackendOptions one = choice;
    one.path = path;
    one.read_only = d.read_only;
    return OpenBlockBackend(one, out);
  };
  reblock::ReblockOptions ro;
  ro.image_dir = o.image_dir;
  reblock::ReblockReport report;
  st = reblock::Reblock(reader.get(), drives, open, ro, &report);
  if (!st.ok()) {
    std::fprintf(stderr, "tapvm: journal reblock %s: %s\n", o.path.c_str(), st.ToString().c_str());
    return kExitUsage;
  }
  PrintReport(report, o.aio, o.cache);
  if (choice.injector)
    std::printf("injected    %" PRIu64 " host fault(s)\n", static_cast<uint64_t>(choice.injector->total_fired()));
  if (!o.image_dir.empty()) std::printf("images      kept in %s\n", o.image_dir.c_str());
  if (!report.passed()) {
    std::printf("FAIL: %" PRIu64 " request(s) answered differently from the recording%s\n",
                report.schedule.mismatches,
                std::any_of(report.drives.begin(), report.drives.end(), [](auto& d) { return !d.equal; })
                    ? "; a final image differs from what the recorded requests leave behind"
                    : "");
    return 1;
  }
  std::printf("PASS: every status and every byte read matched the recording; the final image%s as expected\n",
              report.drives.size() > 1 ? "s are" : " is");
  return 0;
}

}  // namespace

void AddJournalReblockCommand(CLI::App& journal, int* exit_code) {
  auto o = std::make_shared<ReblockCliOptions>();
  CLI::App* rb = journal.add_subcommand(
      "reblock", "Re-issue the recorded block requests through a live backend and check every answer "
                 "(exit 0: pass, 1: mismatch, 2: bad usage or journal)");
  rb->add_option("journal", o->path, "Journal written by `tapvm record`")->required();
  rb->add_option("--aio", o->aio, "Backend: threads or io_uring")->capture_default_str();
  rb->add_option("--cache", o->cache, "Host cache: writeback or none (O_DIRECT)")->capture_default_str();
  rb->add_option("--inject", o->inject,
                 "Host fault-injection rules for the backend, as --drive inject= (emulator/block/inject.h): "
                 "host faults (short, eagain, delay) must pass unseen, an eio where the recording had none fails");
  rb->add_option("--inject-seed", o->inject_seed, "Seed of the injection rules' prob= triggers")->capture_default_str();
  rb->add_option("--image-dir", o->image_dir,
                 "Keep the reblocked and the expected images here (driveN.img, driveN.expected.img); default: a "
                 "temporary folder, removed");
  rb->callback([o, exit_code] { *exit_code = Reblock(*o); });
}

}  // namespace tapvm::cli
