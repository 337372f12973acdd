// checkpoint_replay_check JOURNAL [POINTS]: checkpoints taken during the
// replay of a recording, each restored into a new machine that replays on
// from there to the end of the recording.
//
// One replay runs the journal from the start; at POINTS icounts spread over
// the last 70% of the recording (each moved on, a slice at a time, to where a block or
// entropy request is in flight if one comes soon) it captures a full and an
// incremental checkpoint (through their byte encoding), and reports their
// sizes and capture times. It runs on to the end: the uninterrupted
// replay's final digest. Then, for each point, a new machine is built from
// the journal, the checkpoint restored into it (timed) and its replay tap
// started at the checkpoint's journal position; it replays to the end and
// must verify every event (no divergence) and end with the same final
// digest. The full checkpoint of the last point is also rebuilt from the
// first full one and the incremental ones (ApplyIncrement) and compared.
//
// Exit status 0 when everything matched; the figures go to stdout. The
// machine runs on the interpreter unless TAPVM_ENGINE names another engine.
#include <algorithm>
#include <chrono>
#include <iterator>
#include <map>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "emulator/machine/checkpoint.h"
#include "emulator/machine/machine_builder.h"
#include "emulator/tap/late_bound_tap.h"
#include "journal/reader.h"
#include "replayer/recorded_machine.h"
#include "replayer/replay_tap.h"

namespace tapvm {
namespace {

double Ms(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// A journal source that starts after the first `skip` events: a replay
// tap over it stands where the checkpoint's tap stood. (The journal layer
// will seek instead; the tap's own position is all a replay needs, since
// requests in flight are answered by the recording.)
class SkippingSource : public EventSource {
 public:
  SkippingSource(journal::JournalReader* reader, uint64_t skip) : inner_(reader), skip_(skip) {}
  Status Next(journal::Event* e, bool* end) override {
    for (; skip_ > 0; --skip_) {
      TAPVM_RETURN_IF_ERROR(inner_.Next(e, end));
      if (*end) return Status::Corruption("the journal ends before the checkpoint's position");
    }
    return inner_.Next(e, end);
  }
  bool closed_cleanly() const override { return inner_.closed_cleanly(); }

 private:
  JournalEventSource inner_;
  uint64_t skip_;
};

struct Replay {
  std::unique_ptr<journal::JournalReader> reader;
  RecordedMachine rm;
  RecordedEnd end;
  std::unique_ptr<EventSource> source;
  std::unique_ptr<ReplayTap> tap;
  std::unique_ptr<Board> board;
  bool stop = false;

  LateBoundTap late;
  double restore_ms = 0;

  // From the start of the journal, or (`from`) from a checkpoint: the
  // machine is built on the late-bound tap, restored, and only then given
  // a replay tap standing at the checkpoint's journal position.
  Status Open(const std::string& path, const MachineCheckpoint* from) {
    TAPVM_RETURN_IF_ERROR(journal::JournalReader::Open(path, &reader));
    TAPVM_RETURN_IF_ERROR(LoadRecordedMachine(reader.get(), &rm));
    // The engine is the host's choice, not the journal's (TAPVM_ENGINE=jit).
    if (const char* e = std::getenv("TAPVM_ENGINE"); e && !ParseEngineKind(e, &rm.config.engine))
      return Status::InvalidArgument(std::string("TAPVM_ENGINE: no engine ") + e);
    end = RecordedEndOf(reader->header());
    auto make_tap = [&](uint64_t skip) {
      source = std::make_unique<SkippingSource>(reader.get(), skip);
      tap = std::make_unique<ReplayTap>(source.get(), nullptr, [this] {
        stop = true;
        if (board) board->RequestQuit();
      });
      late.Bind(tap.get());
    };
    if (!from) make_tap(0);
    MachineLayout layout;
    TAPVM_RETURN_IF_ERROR(BuildMachine(rm.config, rm.images, rm.drive_sizes, &late, &board, &layout));
    if (from) {
      const auto t0 = std::chrono::steady_clock::now();
      TAPVM_RETURN_IF_ERROR(board->RestoreCheckpoint(*from));
      restore_ms = Ms(std::chrono::steady_clock::now() - t0);
      make_tap(from->tap_position);
    }
    return Status::Ok();
  }
  // Replays to the end; the final digest, or an error naming the divergence.
  Status Finish(uint64_t* digest) {
    board->Run(end.run_limit);
    if (end.final_digest && !tap->divergence()) board->ReportFinalDigest();
    if (tap->divergence()) return Status::Corruption(tap->divergence()->ToString());
    TAPVM_RETURN_IF_ERROR(tap->status());
    if (!tap->at_end()) return Status::Corruption("the replay stopped before the end of the journal");
    *digest = board->ComputeDigest().value;
    return Status::Ok();
  }
};

// Icounts where the guest is busy with a device: inside the widest window
// between a block request and its completion, and between an entropy
// request and its answer (a request is in flight there); just after the
// middle console input and received frame (input sits in the UART FIFO, or
// was just handed to the device).
Status BusyPoints(const std::string& path, std::vector<std::pair<uint64_t, std::string>>* out) {
  std::unique_ptr<journal::JournalReader> reader;
  TAPVM_RETURN_IF_ERROR(journal::JournalReader::Open(path, &reader));
  std::map<std::pair<TapDeviceId, uint64_t>, uint64_t> block_asked;
  uint64_t entropy_asked = 0;
  std::pair<uint64_t, uint64_t> block_window{0, 0}, entropy_window{0, 0};
  auto widen = [](std::pair<uint64_t, uint64_t>* w, uint64_t from, uint64_t to) {
    if (to - from > w->second - w->first) *w = {from, to};
  };
  std::vector<uint64_t> console_in, frames_in;
  for (;;) {
    journal::Event e;
    bool end = false;
    TAPVM_RETURN_IF_ERROR(reader->Next(&e, &end));
    if (end) break;
    if (const auto* r = std::get_if<BlockRequest>(&e.body)) block_asked[{r->dev, r->id}] = e.icount;
    if (const auto* c = std::get_if<BlockCompletion>(&e.body)) {
      auto it = block_asked.find({c->dev, c->id});
      if (it != block_asked.end()) widen(&block_window, it->second, e.icount);
    }
    if (std::holds_alternative<journal::EntropyRequest>(e.body)) entropy_asked = e.icount;
    if (std::holds_alternative<EntropyIn>(e.body) && entropy_asked) widen(&entropy_window, entropy_asked, e.icount);
    if (std::holds_alternative<ConsoleIn>(e.body)) console_in.push_back(e.icount);
    if (std::holds_alternative<NetFrameIn>(e.body)) frames_in.push_back(e.icount);
  }
  std::printf("journal: %zu block requests, the longest in flight over instructions %" PRIu64 "..%" PRIu64
              "; entropy %" PRIu64 "..%" PRIu64 "\n",
              block_asked.size(), block_window.first, block_window.second, entropy_window.first, entropy_window.second);
  auto middle = [](const std::pair<uint64_t, uint64_t>& w) { return w.first + (w.second - w.first) / 2; };
  // (An answer delivered at the next instruction boundary leaves no point
  // between: a window must span two instructions.)
  if (block_window.second > block_window.first + 1) out->emplace_back(middle(block_window), "block request in flight");
  if (entropy_window.second > entropy_window.first + 1)
    out->emplace_back(middle(entropy_window), "entropy request in flight");
  if (!console_in.empty()) out->emplace_back(console_in[console_in.size() / 2], "console input");
  if (!frames_in.empty()) out->emplace_back(frames_in[frames_in.size() / 2], "frame received");
  return Status::Ok();
}

struct Point {
  MachineCheckpoint full, incremental;
  uint64_t digest = 0;
  size_t in_flight = 0;
};

Status Capture(Board& b, MachineCheckpoint::Kind kind, uint64_t tap_position, MachineCheckpoint* out,
               size_t* encoded_bytes, double* capture_ms) {
  const auto t0 = std::chrono::steady_clock::now();
  MachineCheckpoint c;
  TAPVM_RETURN_IF_ERROR(b.SaveCheckpoint(kind, &c));
  c.tap_position = tap_position;
  const auto t1 = std::chrono::steady_clock::now();
  std::vector<uint8_t> bytes;
  TAPVM_RETURN_IF_ERROR(EncodeCheckpoint(c, &bytes));
  TAPVM_RETURN_IF_ERROR(DecodeCheckpoint(bytes, out));
  *encoded_bytes = bytes.size();
  *capture_ms = Ms(t1 - t0);
  return Status::Ok();
}

int Check(const std::string& path, unsigned points) {
  Replay a;
  Status st = a.Open(path, nullptr);
  if (!st.ok()) return std::fprintf(stderr, "%s\n", st.ToString().c_str()), 2;
  const uint64_t total = a.end.icount;
  std::printf("journal: %s, %" PRIu64 " instructions\n", path.c_str(), total);
  // Points spread over the last 70% of the run (the boot is the first
  // part), and points where a device is busy.
  std::vector<std::pair<uint64_t, std::string>> at;
  for (unsigned i = 1; i <= points; ++i) at.emplace_back(total * 3 / 10 + total * 67 / 100 * i / points, "spread");
  st = BusyPoints(path, &at);
  if (!st.ok()) return std::fprintf(stderr, "%s\n", st.ToString().c_str()), 2;
  std::sort(at.begin(), at.end());
  std::vector<Point> taken;
  for (const auto& [icount, why] : at) {
    if (!taken.empty() && icount <= taken.back().full.icount) continue;
    a.board->Run(icount);
    if (a.stop || a.tap->divergence()) break;
    Point p;
    p.in_flight = a.tap->requests_in_flight();
    size_t inc_bytes = 0, full_bytes = 0;
    double inc_ms = 0, full_ms = 0;
    if (!taken.empty()) {
      st = Capture(*a.board, MachineCheckpoint::Kind::kIncremental, a.tap->consumed(), &p.incremental, &inc_bytes,
                   &inc_ms);
      if (!st.ok()) return std::fprintf(stderr, "incremental capture: %s\n", st.ToString().c_str()), 1;
    }
    st = Capture(*a.board, MachineCheckpoint::Kind::kFull, a.tap->consumed(), &p.full, &full_bytes, &full_ms);
    if (!st.ok()) return std::fprintf(stderr, "capture: %s\n", st.ToString().c_str()), 1;
    p.digest = a.board->ComputeDigest().value;
    std::printf("checkpoint at icount %" PRIu64 " (%s; event %" PRIu64 ", %zu requests in flight, %zu console bytes "
                "unread): full %zu pages, %.1f MiB encoded, captured in %.1f ms",
                p.full.icount, why.c_str(), p.full.tap_position, p.in_flight,
                static_cast<size_t>(a.board->uart().state().rx_count), p.full.pages.size(), full_bytes / 1048576.0,
                full_ms);
    if (!taken.empty())
      std::printf("; incremental since icount %" PRIu64 ": %zu pages, %.1f MiB, %.1f ms", p.incremental.parent_icount,
                  p.incremental.pages.size(), inc_bytes / 1048576.0, inc_ms);
    std::printf("\n");
    taken.push_back(std::move(p));
  }
  uint64_t final_digest = 0;
  st = a.Finish(&final_digest);
  if (!st.ok()) return std::fprintf(stderr, "uninterrupted replay: %s\n", st.ToString().c_str()), 1;
  std::printf("uninterrupted replay: final digest %016" PRIx64 "\n", final_digest);
  if (taken.empty()) return std::fprintf(stderr, "no checkpoint was taken\n"), 1;

  int failures = 0;
  for (const Point& p : taken) {
    Replay b;
    st = b.Open(path, &p.full);
    const double restore_ms = b.restore_ms;
    uint64_t digest = 0;
    if (st.ok() && b.board->ComputeDigest().value != p.digest) st = Status::Corruption("digest after restore differs");
    if (st.ok()) st = b.Finish(&digest);
    if (st.ok() && digest != final_digest) st = Status::Corruption("final digest differs");
    std::printf("restored at icount %" PRIu64 " in %.1f ms, replayed to the end: %s\n", p.full.icount, restore_ms,
                st.ok() ? "verified, same final digest" : st.ToString().c_str());
    failures += !st.ok();
  }
  // The last point again, from the first full checkpoint and the chain of
  // incremental ones.
  MachineCheckpoint merged = taken.front().full;
  for (size_t i = 1; i < taken.size() && st.ok(); ++i) st = ApplyIncrement(&merged, taken[i].incremental);
  Replay c;
  if (st.ok()) st = c.Open(path, &merged);
  if (st.ok() && c.board->ComputeDigest().value != taken.back().digest) st = Status::Corruption("digest differs");
  uint64_t digest = 0;
  if (st.ok()) st = c.Finish(&digest);
  if (st.ok() && digest != final_digest) st = Status::Corruption("final digest differs");
  std::printf("first full + %zu incremental checkpoints restored at icount %" PRIu64 ", replayed to the end: %s\n",
              taken.size() - 1, merged.icount, st.ok() ? "verified, same final digest" : st.ToString().c_str());
  failures += !st.ok();
  return failures ? 1 : 0;
}

// --every N: the cost of checkpointing. Replays the journal `runs` times
// without checkpoints and with an incremental checkpoint (a full one first)
// every N instructions, alternating, and reports wall times, capture times
// and sizes.
int Bench(const std::string& path, uint64_t every, unsigned runs) {
  std::vector<double> plain, with;
  double capture_ms = 0;
  uint64_t pages = 0, bytes = 0, count = 0;
  for (unsigned run = 0; run < 2 * runs; ++run) {
    const bool checkpoints = run % 2;
    Replay r;
    Status st = r.Open(path, nullptr);
    if (!st.ok()) return std::fprintf(stderr, "%s\n", st.ToString().c_str()), 2;
    const auto t0 = std::chrono::steady_clock::now();
    if (checkpoints) {
      for (uint64_t at = every; at < r.end.icount && !r.stop; at += every) {
        r.board->Run(at);
        const auto c0 = std::chrono::steady_clock::now();
        MachineCheckpoint c;
        st = r.board->SaveCheckpoint(at == every ? MachineCheckpoint::Kind::kFull : MachineCheckpoint::Kind::kIncremental, &c);
        if (!st.ok()) return std::fprintf(stderr, "%s\n", st.ToString().c_str()), 1;
        if (run == 1) {
          capture_ms += Ms(std::chrono::steady_clock::now() - c0);
          if (at != every) pages += c.pages.size(), bytes += c.ram_bytes(), ++count;
        }
      }
    }
    uint64_t digest = 0;
    st = r.Finish(&digest);
    if (!st.ok()) return std::fprintf(stderr, "%s\n", st.ToString().c_str()), 1;
    (checkpoints ? with : plain).push_back(Ms(std::chrono::steady_clock::now() - t0));
  }
  std::sort(plain.begin(), plain.end());
  std::sort(with.begin(), with.end());
  const double p = plain[plain.size() / 2], w = with[with.size() / 2];
  std::printf("replay without checkpoints: median %.0f ms; with a checkpoint every %" PRIu64 " instructions: median %.0f "
              "ms (%+.1f%%), capture %.1f ms in all; incremental checkpoints: %" PRIu64 ", %.0f pages and %.2f MiB of "
              "page data each on average\n",
              p, every, w, 100.0 * (w - p) / p, capture_ms, count, count ? double(pages) / count : 0.0,
              count ? bytes / 1048576.0 / count : 0.0);
  return 0;
}

}  // namespace
}  // namespace tapvm

int main(int argc, char** argv) {
  if (argc >= 4 && std::string(argv[1]) == "--every")
    return tapvm::Bench(argv[3], std::stoull(argv[2]), argc > 4 ? static_cast<unsigned>(std::stoul(argv[4])) : 3);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s JOURNAL [POINTS]\n       %s --every N JOURNAL [RUNS]\n", argv[0], argv[0]);
    return 2;
  }
  return tapvm::Check(argv[1], argc > 2 ? static_cast<unsigned>(std::stoul(argv[2])) : 5);
}
