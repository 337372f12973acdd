// `tapvm journal info|verify|dump FILE`, `tapvm journal diff A B` and
// `tapvm journal compact FILE COPY`: read journals written by `tapvm
// record` (see docs/journal-format.md). `journal reblock` is in
// cmd_reblock.cc.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <unistd.h>
#include <cstdio>
#include <memory>
#include <vector>

#include "journal/diff.h"
#include "journal/reader.h"
#include "replayer/recorded_machine.h"
#include "tools/tapvm/commands.h"

namespace tapvm::cli {

namespace {

struct JournalOptions {
  std::string path;
  std::string other;  // diff: the second journal
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

// A numeric configuration value; false if absent or not a number (the
// journal is input: never trust it to parse).
bool ConfigNumber(const journal::JournalHeader& h, std::string_view key, uint64_t* out) {
  const std::string* v = h.FindConfig(key);
  if (v == nullptr) return false;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), *out);
  return ec == std::errc() && end == v->data() + v->size();
}

// The checkpoints (format 3): how many, how far apart, what they cost.
bool PrintCheckpoints(journal::JournalReader* r) {
  std::vector<journal::CheckpointSummary> list;
  if (Status st = r->ListCheckpoints(&list); !st.ok()) {
    std::printf("checkpoints damaged: %s\n", st.ToString().c_str());
    return false;
  }
  if (list.empty()) {
    std::printf("checkpoints none (`tapvm journal index` adds them)\n");
    return true;
  }
  uint64_t full = 0, pages = 0, bytes = 0;
  for (const auto& c : list) {
    full += c.full;
    pages += c.full ? 0 : c.pages;
    bytes += c.record_bytes;
  }
  const uint64_t incremental = list.size() - full;
  std::printf("checkpoints %zu (%" PRIu64 " full, %" PRIu64 " incremental) at icount %" PRIu64 "..%" PRIu64
              "; records %" PRIu64 " bytes; %.0f pages written between checkpoints on average\n",
              list.size(), full, incremental, list.front().icount, list.back().icount, bytes,
              incremental ? static_cast<double>(pages) / static_cast<double>(incremental) : 0.0);
  return true;
}

int Info(const JournalOptions& o) {
  journal::ReaderOptions ro;
  ro.load_payloads = false;  // sizes are enough; verify checks the blobs
  std::unique_ptr<journal::JournalReader> r;
  if (Status st = journal::JournalReader::Open(o.path, ro, &r); !st.ok()) {
    std::fprintf(stderr, "tapvm: %s: %s\n", o.path.c_str(), st.ToString().c_str());
    return 1;
  }
  const journal::JournalHeader& h = r->header();
  std::printf("journal    %s (%" PRIu64 " bytes)\n", o.path.c_str(), r->file_size());
  std::printf("format     %u, written by %s\n", h.format_version, h.writer_version.c_str());
  std::printf("closed     %s\n", h.clean_close ? "cleanly" : "NOT cleanly (recording was interrupted)");
  if (h.clean_close && !h.end_reason.empty()) std::printf("ended      %s\n", h.end_reason.c_str());
  std::printf("events     %" PRIu64 " (last at icount %" PRIu64 ")\n", h.final_seq, h.last_icount);
  for (const auto& [k, v] : h.config) std::printf("config     %s = %s\n", k.c_str(), v.c_str());
  for (const auto& img : h.images)
    std::printf("image      %-8s %s (%" PRIu64 " bytes%s)\n", journal::ImageRoleName(img.role), img.name.c_str(),
                img.size, img.stored ? ", stored" : "");
  // Events and payload bytes by kind, and the idle time skipped by clock
  // warps: one pass over the records.
  uint64_t count[journal::kEventKindCount] = {}, bytes[journal::kEventKindCount] = {};
  uint64_t warped_ticks = 0;
  journal::Event e;
  bool end = false;
  while (true) {
    Status st = r->Next(&e, &end);
    if (!st.ok()) {
      std::printf("damaged    %s\n", st.ToString().c_str());
      break;
    }
    if (end) break;
    const size_t k = static_cast<size_t>(journal::KindOf(e));
    ++count[k];
    bytes[k] += e.payload.size;
    if (const auto* w = std::get_if<journal::ClockWarp>(&e.body); w && w->to_mtime > w->from_mtime)
      warped_ticks += w->to_mtime - w->from_mtime;
  }
  // Duration: instructions, and guest time = (icount >> time_shift) ticks
  // plus the warps, at the board's timebase.
  const uint64_t insns = h.clean_close ? h.final_icount : h.last_icount;
  std::printf("duration   %" PRIu64 " instructions", insns);
  uint64_t shift = 0, hz = 0;
  if (ConfigNumber(h, "time_shift", &shift) && shift < 64 && ConfigNumber(h, "timebase_hz", &hz) && hz > 0) {
    const double ticks = static_cast<double>((insns >> shift) + warped_ticks);
    std::printf(", %.3f s of guest time (%.3f s of it idle, skipped)", ticks / static_cast<double>(hz),
                static_cast<double>(warped_ticks) / static_cast<double>(hz));
  }
  std::printf("\n");
  std::printf("  %-18s %10s %12s\n", "kind", "events", "payload B");
  for (size_t k = 0; k < journal::kEventKindCount; ++k)
    if (count[k])
      std::printf("  %-18s %10" PRIu64 " %12" PRIu64 "\n",
                  journal::EventKindName(static_cast<journal::EventKind>(k)), count[k], bytes[k]);
  return PrintCheckpoints(r.get()) ? 0 : 1;
}

int Verify(const JournalOptions& o) {
  std::unique_ptr<journal::JournalReader> r;
  if (int rc = OpenOrFail(o.path, &r)) return rc;
  journal::VerifyReport rep;
  uint64_t last_pct = 101;
  const bool show_progress = isatty(STDERR_FILENO) != 0;  // not into logs
  Status st = r->Verify(
      [&](uint64_t done, uint64_t total) {
        if (!show_progress) return;
        uint64_t pct = total ? done * 100 / total : 100;
        if (pct / 10 != last_pct / 10) {
          std::fprintf(stderr, "\rverifying: %3" PRIu64 "%%", pct);
          last_pct = pct;
        }
      },
      &rep);
  if (show_progress) std::fprintf(stderr, "\r                \r");
  std::printf("records %" PRIu64 " (%" PRIu64 " bytes), blobs %" PRIu64 ", images %" PRIu64 ", checkpoints %" PRIu64
              ", icount %" PRIu64 "..%" PRIu64 ", %s\n",
              rep.records, rep.record_bytes, rep.blobs, rep.images, rep.checkpoints, rep.first_icount, rep.last_icount,
              rep.clean_close ? "closed cleanly" : "not closed cleanly");
  if (!st.ok() || rep.problems) {
    if (rep.first_problem) {
      std::printf("FAILED: %" PRIu64 " problem(s):\n", rep.problems);
      for (const journal::Problem& p : rep.listed) std::printf("  %s\n", p.message.c_str());
      if (rep.problems > rep.listed.size())
        std::printf("  ... and %" PRIu64 " more\n", rep.problems - static_cast<uint64_t>(rep.listed.size()));
    } else {
      std::printf("FAILED: %s\n", st.ToString().c_str());
    }
    return 1;
  }
  // Sound, but can it be replayed? It needs its configuration and boot
  // images (a recording killed in its first milliseconds has neither).
  RecordedMachine m;
  Status rm = LoadRecordedMachine(r.get(), &m);
  if (!rm.ok()) {
    std::printf("FAILED: every record, the chain and every blob verify, but the journal cannot be replayed: %s\n",
                rm.ToString().c_str());
    return 1;
  }
  std::printf("OK: every record, the chain, every blob and checkpoint verify; the machine and its images are there to "
              "replay\n");
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
  // Checkpoints are shown after the event they follow (unless --kind).
  std::vector<journal::CheckpointSummary> checkpoints;
  if (Status st = r->ListCheckpoints(&checkpoints); !st.ok()) {
    std::printf("damaged: %s\n", st.ToString().c_str());
    return 1;
  }
  size_t next_checkpoint = 0;
  auto show_checkpoints = [&](uint64_t up_to_seq) {
    for (; next_checkpoint < checkpoints.size() && checkpoints[next_checkpoint].tap_position <= up_to_seq;
         ++next_checkpoint) {
      const journal::CheckpointSummary& c = checkpoints[next_checkpoint];
      if (!kinds.empty() || c.icount < o.from_icount || c.icount > o.to_icount) continue;
      if (c.full)
        std::printf("   checkpoint @%" PRIu64 " full pages=%" PRIu64 " state=%" PRIu64 "B\n", c.icount, c.pages,
                    c.state_bytes);
      else
        std::printf("   checkpoint @%" PRIu64 " incremental on @%" PRIu64 " pages=%" PRIu64 " state=%" PRIu64 "B\n",
                    c.icount, c.parent_icount, c.pages, c.state_bytes);
    }
  };
  show_checkpoints(0);
  journal::Event e;
  bool end = false;
  uint64_t shown = 0;
  while (true) {
    Status st = r->Next(&e, &end);
    if (!st.ok()) {
      std::printf("damaged: %s\n", st.ToString().c_str());
      return 1;
    }
    if (end) show_checkpoints(UINT64_MAX);
    if (end || e.icount > o.to_icount) break;
    show_checkpoints(e.seq - 1);
    if (e.icount < o.from_icount) continue;
    if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), journal::KindOf(e)) == kinds.end()) continue;
    std::printf("%s\n", journal::DescribeEvent(e).c_str());
    if (std::ferror(stdout)) return 1;  // the reader went away (`| head`): SIGPIPE is ignored
    if (o.limit && ++shown >= o.limit) break;
  }
  return 0;
}

// Exit 0: identical; 1: they differ; 2: a journal could not be read.
int Diff(const JournalOptions& o) {
  std::unique_ptr<journal::JournalReader> a, b;
  if (OpenOrFail(o.path, &a) || OpenOrFail(o.other, &b)) return kExitUsage;
  journal::JournalDiff d;
  if (Status st = journal::DiffJournals(a.get(), b.get(), &d); !st.ok()) {
    std::fprintf(stderr, "tapvm: journal diff: %s\n", st.ToString().c_str());
    return kExitUsage;
  }
  for (const std::string& line : d.header_differences) std::printf("header: %s\n", line.c_str());
  if (d.first_a || d.first_b) {
    const uint64_t seq = d.common_events + 1;
    std::printf("first difference at event #%" PRIu64 " (%" PRIu64 " events agree before it)\n", seq,
                d.common_events);
    std::printf("  a: %s\n", d.first_a ? journal::DescribeEvent(*d.first_a).c_str() : "(journal ends)");
    std::printf("  b: %s\n", d.first_b ? journal::DescribeEvent(*d.first_b).c_str() : "(journal ends)");
    if (const auto& r = d.request_shift) {
      journal::Event e;
      e.seq = r->seq_a;
      e.icount = r->icount_a;
      e.body = r->request;
      const int64_t delta = static_cast<int64_t>(r->icount_b - r->icount_a);
      std::printf("first block request whose timing changed: %s\n  submitted at icount %" PRIu64
                  " (event #%" PRIu64 ") in a, at icount %" PRIu64 " (event #%" PRIu64 ") in b (%+" PRId64
                  " instructions)\n",
                  journal::DescribeEvent(e).c_str(), r->icount_a, r->seq_a, r->icount_b, r->seq_b, delta);
    }
  } else {
    std::printf("events: all %" PRIu64 " agree\n", d.common_events);
  }
  if (d.final_icount_differs)
    std::printf("final icount: %" PRIu64 " vs %" PRIu64 "\n", a->header().final_icount, b->header().final_icount);
  if (d.last_common_digest)
    std::printf("last common state digest: %s\n", journal::DescribeEvent(*d.last_common_digest).c_str());
  if (d.identical()) {
    std::printf("identical\n");
    return 0;
  }
  return 1;
}

// A compacted copy, checked: it must verify and end with the source's
// chain. Exit 0, 1 when the copy fails or does not check, 2 when the
// source cannot be read.
int Compact(const JournalOptions& o) {
  std::unique_ptr<journal::JournalReader> src;
  if (OpenOrFail(o.path, &src)) return kExitUsage;
  if (Status st = src->CopyCompact(o.other); !st.ok()) {
    std::fprintf(stderr, "tapvm: journal compact: %s\n", st.ToString().c_str());
    return 1;
  }
  std::unique_ptr<journal::JournalReader> copy;
  if (OpenOrFail(o.other, &copy)) return 1;
  journal::VerifyReport rep;
  Status st = copy->Verify({}, &rep);
  const journal::JournalHeader &a = src->header(), &b = copy->header();
  if (!st.ok() || rep.problems || a.final_seq != b.final_seq || a.final_chain != b.final_chain) {
    std::fprintf(stderr, "tapvm: journal compact: the copy %s does not check: %s\n", o.other.c_str(),
                 st.ok() ? "it does not end as the source does" : st.ToString().c_str());
    return 1;
  }
  std::printf("%s: %" PRIu64 " bytes -> %s: %" PRIu64 " bytes; %" PRIu64 " events, chain %016" PRIx64 ", verified\n",
              o.path.c_str(), src->file_size(), o.other.c_str(), copy->file_size(), b.final_seq, b.final_chain);
  return 0;
}

}  // namespace

void AddJournalCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<JournalOptions>();
  CLI::App* j = app.add_subcommand("journal", "Inspect journals: info, verify, dump, diff, compact, reblock, checkpoint, index");
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
  dump->add_option("--from", o->from_icount, "From this icount")->check(CountValidator(false));
  dump->add_option("--to", o->to_icount, "Up to this icount")->check(CountValidator(false));
  dump->add_option("-n,--limit", o->limit, "At most this many events")->check(CountValidator(false));
  dump->callback([o, exit_code] { *exit_code = Dump(*o); });
  CLI::App* diff = j->add_subcommand("diff", "The first difference between two journals (exit 1 if any)");
  diff->add_option("a", o->path, "First journal")->required();
  diff->add_option("b", o->other, "Second journal")->required();
  diff->callback([o, exit_code] { *exit_code = Diff(*o); });
  CLI::App* compact = j->add_subcommand("compact", "Copy a journal without LMDB's free pages (smallest file), and verify the copy");
  compact->add_option("journal", o->path, "Journal file")->required();
  compact->add_option("copy", o->other, "The copy (a new file)")->required();
  compact->callback([o, exit_code] { *exit_code = Compact(*o); });
  AddJournalReblockCommand(*j, exit_code);
  AddJournalCheckpointCommands(*j, exit_code);
}

}  // namespace tapvm::cli
