// `tapvm journal info|verify|dump FILE`: read a journal written by
// `tapvm record` (see docs/journal-format.md).
#include <spdlog/spdlog.h>

#include <cinttypes>
#include <cstdio>
#include <memory>

#include "journal/reader.h"
#include "tools/tapvm/commands.h"

namespace tapvm::cli {

namespace {

struct JournalOptions {
  std::string path;
  std::vector<std::string> kinds;  // dump filter
  uint64_t from_icount = 0, to_icount = UINT64_MAX;
  uint64_t limit = 0;
};

int OpenOrFail(const std::string& path, std::unique_ptr<journal::JournalReader>* r) {
  Status st = journal::JournalReader::Open(path, r);
  if (!st.ok()) {
    std::fprintf(stderr, "tapvm: %s: %s\n", path.c_str(), st.ToString().c_str());
    return 1;
  }
  return 0;
}

int Info(const JournalOptions& o) {
  std::unique_ptr<journal::JournalReader> r;
  if (int rc = OpenOrFail(o.path, &r)) return rc;
  const journal::JournalHeader& h = r->header();
  std::printf("journal    %s (%" PRIu64 " bytes)\n", o.path.c_str(), r->file_size());
  std::printf("format     %u, written by %s\n", h.format_version, h.writer_version.c_str());
  std::printf("closed     %s\n", h.clean_close ? "cleanly" : "NOT cleanly (recording was interrupted)");
  std::printf("events     %" PRIu64 " (last at icount %" PRIu64 ")\n", h.final_seq, h.last_icount);
  if (h.clean_close) std::printf("icount     %" PRIu64 " at close\n", h.final_icount);
  for (const auto& [k, v] : h.config) std::printf("config     %s = %s\n", k.c_str(), v.c_str());
  for (const auto& img : h.images)
    std::printf("image      %-8s %s (%" PRIu64 " bytes%s)\n", journal::ImageRoleName(img.role), img.name.c_str(),
                img.size, img.stored ? ", stored" : "");
  // Events by kind: one pass over the records.
  uint64_t by_kind[journal::kEventKindCount] = {};
  journal::Event e;
  bool end = false;
  while (true) {
    Status st = r->Next(&e, &end);
    if (!st.ok()) {
      std::printf("damaged    %s\n", st.ToString().c_str());
      break;
    }
    if (end) break;
    ++by_kind[static_cast<size_t>(journal::KindOf(e))];
  }
  for (size_t k = 0; k < journal::kEventKindCount; ++k)
    if (by_kind[k]) std::printf("  %-18s %" PRIu64 "\n", journal::EventKindName(static_cast<journal::EventKind>(k)), by_kind[k]);
  return 0;
}

int Verify(const JournalOptions& o) {
  std::unique_ptr<journal::JournalReader> r;
  if (int rc = OpenOrFail(o.path, &r)) return rc;
  journal::VerifyReport rep;
  uint64_t last_pct = 101;
  Status st = r->Verify(
      [&](uint64_t done, uint64_t total) {
        uint64_t pct = total ? done * 100 / total : 100;
        if (pct / 10 != last_pct / 10) {
          std::fprintf(stderr, "\rverifying: %3" PRIu64 "%%", pct);
          last_pct = pct;
        }
      },
      &rep);
  std::fprintf(stderr, "\r");
  std::printf("records %" PRIu64 " (%" PRIu64 " bytes), blobs %" PRIu64 ", images %" PRIu64 ", icount %" PRIu64
              "..%" PRIu64 ", %s\n",
              rep.records, rep.record_bytes, rep.blobs, rep.images, rep.first_icount, rep.last_icount,
              rep.clean_close ? "closed cleanly" : "not closed cleanly");
  if (!st.ok() || rep.problems) {
    if (rep.first_problem)
      std::printf("FAILED: %" PRIu64 " problem(s); first: %s\n", rep.problems, rep.first_problem->message.c_str());
    else
      std::printf("FAILED: %s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("OK: every record, the chain and every blob verify\n");
  return 0;
}

int Dump(const JournalOptions& o) {
  std::unique_ptr<journal::JournalReader> r;
  if (int rc = OpenOrFail(o.path, &r)) return rc;
  std::vector<journal::EventKind> kinds;
  for (const std::string& k : o.kinds) {
    journal::EventKind kind;
    if (!journal::ParseEventKind(k, &kind)) {
      std::fprintf(stderr, "tapvm: unknown event kind '%s'\n", k.c_str());
      return kExitUsage;
    }
    kinds.push_back(kind);
  }
  journal::Event e;
  bool end = false;
  uint64_t shown = 0;
  while (true) {
    Status st = r->Next(&e, &end);
    if (!st.ok()) {
      std::printf("damaged: %s\n", st.ToString().c_str());
      return 1;
    }
    if (end || e.icount > o.to_icount) break;
    if (e.icount < o.from_icount) continue;
    if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), journal::KindOf(e)) == kinds.end()) continue;
    std::printf("%s\n", journal::DescribeEvent(e).c_str());
    if (o.limit && ++shown >= o.limit) break;
  }
  return 0;
}

}  // namespace

void AddJournalCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<JournalOptions>();
  CLI::App* j = app.add_subcommand("journal", "Inspect a journal: info, verify, dump");
  j->require_subcommand(1);
  CLI::App* info = j->add_subcommand("info", "Summary: header, configuration, images, events by kind");
  info->add_option("journal", o->path, "Journal file")->required();
  info->callback([o, exit_code] { *exit_code = Info(*o); });
  CLI::App* verify = j->add_subcommand("verify", "Check every record, the chain hash and every blob");
  verify->add_option("journal", o->path, "Journal file")->required();
  verify->callback([o, exit_code] { *exit_code = Verify(*o); });
  CLI::App* dump = j->add_subcommand("dump", "Print events, one per line");
  dump->add_option("journal", o->path, "Journal file")->required();
  dump->add_option("--kind", o->kinds, "Only these kinds (e.g. console_out, mmio_write); repeatable");
  dump->add_option("--from", o->from_icount, "From this icount");
  dump->add_option("--to", o->to_icount, "Up to this icount");
  dump->add_option("-n,--limit", o->limit, "At most this many events");
  dump->callback([o, exit_code] { *exit_code = Dump(*o); });
}

}  // namespace tapvm::cli
