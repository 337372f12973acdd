#include "tools/tapvm/replay_start.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <vector>

#include "replayer/journal_checkpoints.h"

namespace tapvm::cli {

namespace {

constexpr const char* kJournalChainKey = "journal_chain";

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string ChainValue(uint64_t events, uint64_t chain) {
  char b[48];
  std::snprintf(b, sizeof b, "%" PRIu64 ":%016" PRIx64, events, chain);
  return b;
}

Status ReadFile(const std::string& path, std::vector<uint8_t>* out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  out->clear();
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out->insert(out->end(), buf, buf + n);
  const bool bad = std::ferror(f);
  std::fclose(f);
  if (bad) return Status::IOError("cannot read " + path);
  return Status::Ok();
}

}  // namespace

std::string ReplayStart::Describe() const {
  if (!checkpoint) return "the start of the journal";
  char b[200];
  std::snprintf(b, sizeof b, "the checkpoint at icount %" PRIu64 " (after event %" PRIu64 "; %u increment%s folded; "
                "loaded in %.0f ms, restored in %.0f ms)", icount, events, folded, folded == 1 ? "" : "s", load_ms,
                restore_ms);
  return b;
}

Status StartReplayAt(journal::JournalReader* reader, const RecordedMachine& m, uint64_t icount, bool show_console,
                     JournalEventSource* source, std::unique_ptr<Vm>* vm, ReplayStart* start) {
  *start = ReplayStart();
  auto t0 = std::chrono::steady_clock::now();
  JournalCheckpoint c;
  bool found = false;
  TAPVM_RETURN_IF_ERROR(LoadJournalCheckpoint(reader, icount, &c, &found));
  if (!found) return Vm::CreateReplay(m.config, m.images, m.drive_sizes, source, show_console, false, vm);
  start->checkpoint = true;
  start->icount = c.machine.icount;
  start->events = c.machine.tap_position;
  start->folded = c.folded;
  start->load_ms = MsSince(t0);
  TAPVM_RETURN_IF_ERROR(SeekAfterCheckpoint(reader, c));
  t0 = std::chrono::steady_clock::now();
  TAPVM_RETURN_IF_ERROR(Vm::CreateReplay(m.config, m.images, m.drive_sizes, source, show_console, false, vm, &c.machine));
  start->restore_ms = MsSince(t0);
  return Status::Ok();
}

Status StartReplayFromFile(journal::JournalReader* reader, const RecordedMachine& m, const std::string& path,
                           bool show_console, JournalEventSource* source, std::unique_ptr<Vm>* vm,
                           ReplayStart* start) {
  *start = ReplayStart();
  auto t0 = std::chrono::steady_clock::now();
  std::vector<uint8_t> bytes;
  TAPVM_RETURN_IF_ERROR(ReadFile(path, &bytes));
  MachineCheckpoint c;
  if (Status st = DecodeCheckpoint(bytes, &c); !st.ok())
    return Status::InvalidArgument(path + " is not a usable checkpoint: " + st.message());
  if (c.kind != MachineCheckpoint::Kind::kFull)
    return Status::InvalidArgument(path + " is an incremental checkpoint; a replay starts from a full one");
  // Where in which recording: the key is ours, not the machine's.
  std::string theirs;
  for (auto it = c.identity.begin(); it != c.identity.end(); ++it) {
    if (it->first != kJournalChainKey) continue;
    theirs = it->second;
    c.identity.erase(it);
    break;
  }
  if (theirs.empty())
    return Status::InvalidArgument(path + " does not say which recording it belongs to (no " + kJournalChainKey +
                                   "; make one with `tapvm journal checkpoint`)");
  c.identity_hash = IdentityHash(c.identity);
  // Which recording: its position must be in this journal, and the
  // journal's chain there the one the file names. Checked after the
  // machine's identity, the more telling difference when both differ.
  const uint64_t last = reader->header().final_seq;
  const bool in_journal = c.tap_position <= last;
  std::string ours;
  if (in_journal) {
    uint64_t chain = 0;
    TAPVM_RETURN_IF_ERROR(reader->ChainAfter(c.tap_position, &chain));
    ours = ChainValue(c.tap_position, chain);
    TAPVM_RETURN_IF_ERROR(reader->Seek(c.tap_position + 1, chain));
  } else {
    TAPVM_RETURN_IF_ERROR(reader->Seek(last + 1));
  }
  start->checkpoint = true;
  start->icount = c.icount;
  start->events = c.tap_position;
  start->load_ms = MsSince(t0);
  t0 = std::chrono::steady_clock::now();
  // Another machine's checkpoint is refused here, naming what differs.
  Status st = Vm::CreateReplay(m.config, m.images, m.drive_sizes, source, show_console, false, vm, &c);
  if (!st.ok()) return Status::InvalidArgument(path + ": " + st.message());
  if (!in_journal) {
    vm->reset();
    return Status::InvalidArgument(path + " is from another recording: it continues after event " +
                                   std::to_string(c.tap_position) + "; this journal has " + std::to_string(last) +
                                   " events");
  }
  if (theirs != ours) {
    vm->reset();
    return Status::InvalidArgument(path + " is from another recording of this machine: it continues after events:chain " +
                                   theirs + ", where this journal has " + ours);
  }
  start->restore_ms = MsSince(t0);
  return Status::Ok();
}

Status WriteCheckpointFile(journal::JournalReader* reader, Board& board, uint64_t events, const std::string& path,
                           uint64_t* bytes) {
  MachineCheckpoint c;
  TAPVM_RETURN_IF_ERROR(board.SaveCheckpoint(MachineCheckpoint::Kind::kFull, &c));
  c.tap_position = events;
  uint64_t chain = 0;
  TAPVM_RETURN_IF_ERROR(reader->ChainAfter(events, &chain));
  c.identity.emplace_back(kJournalChainKey, ChainValue(events, chain));
  c.identity_hash = IdentityHash(c.identity);
  std::vector<uint8_t> out;
  TAPVM_RETURN_IF_ERROR(EncodeCheckpoint(c, &out));
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create " + tmp + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t w = write(fd, out.data() + done, out.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      const std::string why = std::strerror(errno);
      close(fd);
      unlink(tmp.c_str());
      return Status::IOError("cannot write " + tmp + ": " + why);
    }
    done += static_cast<size_t>(w);
  }
  const bool synced = fsync(fd) == 0;
  close(fd);
  if (!synced || rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    unlink(tmp.c_str());
    return Status::IOError("cannot write " + path + ": " + why);
  }
  *bytes = out.size();
  return Status::Ok();
}

}  // namespace tapvm::cli
