#include "tools/reblock/expected_image.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <utility>

namespace tapvm::reblock {

namespace {

using Type = BlockRequest::Type;

bool Modifies(Type t) { return t == Type::kWrite || t == Type::kDiscard || t == Type::kWriteZeroes; }

struct Modification {
  BlockRequest request;
  enum class State : uint8_t { kPending, kOk, kFailed } state = State::kPending;
};

// One drive's file and its modifications not yet applied, in submission
// order: the head is applied as soon as its outcome is known.
struct DriveModel {
  const RecordedDrive* drive = nullptr;
  std::string path;
  int fd = -1;
  std::deque<std::unique_ptr<Modification>> queue;
};

bool WriteAll(int fd, const uint8_t* p, uint64_t len, uint64_t off) {
  while (len) {
    const ssize_t n = ::pwrite(fd, p, len, static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n, len -= static_cast<uint64_t>(n), off += static_cast<uint64_t>(n);
  }
  return true;
}

Status Apply(DriveModel& m, const BlockRequest& r) {
  const uint64_t size = m.drive->image.size;
  if (r.offset > size || r.length > size - r.offset) return Status::Ok();  // the backend refuses it too
  bool ok = true;
  if (r.type == Type::kWrite) ok = r.data.size() == r.length && WriteAll(m.fd, r.data.data(), r.length, r.offset);
  else ok = ZeroFileRange(m.fd, r.offset, r.length);
  return ok ? Status::Ok() : Status::IOError(m.path + ": " + std::strerror(errno));
}

Status ApplyReady(DriveModel& m, ExpectedStats* stats, bool all) {
  while (!m.queue.empty() && (all || m.queue.front()->state != Modification::State::kPending)) {
    Modification& head = *m.queue.front();
    if (head.state == Modification::State::kFailed) {
      ++stats->failed;
    } else {
      if (head.state == Modification::State::kPending) ++stats->unanswered;
      ++stats->applied;
      TAPVM_RETURN_IF_ERROR(Apply(m, head.request));
    }
    m.queue.pop_front();
  }
  return Status::Ok();
}

Status Run(journal::JournalReader* reader, std::vector<DriveModel>& models, ExpectedStats* stats) {
  std::map<std::pair<TapDeviceId, uint64_t>, std::pair<DriveModel*, Modification*>> pending;
  auto model_of = [&](TapDeviceId dev) -> DriveModel* {
    for (DriveModel& m : models)
      if (m.drive->dev == dev) return &m;
    return nullptr;
  };
  TAPVM_RETURN_IF_ERROR(reader->Seek(1));
  journal::Event e;
  for (bool end = false;;) {
    TAPVM_RETURN_IF_ERROR(reader->Next(&e, &end));
    if (end) break;
    if (auto* r = std::get_if<BlockRequest>(&e.body)) {
      DriveModel* m = model_of(r->dev);
      if (m == nullptr || !Modifies(r->type)) continue;
      auto mod = std::make_unique<Modification>();
      mod->request = std::move(*r);
      pending[{mod->request.dev, mod->request.id}] = {m, mod.get()};
      m->queue.push_back(std::move(mod));
    } else if (auto* c = std::get_if<BlockCompletion>(&e.body)) {
      auto it = pending.find({c->dev, c->id});
      if (it == pending.end()) continue;  // a read's or flush's answer
      auto [m, mod] = it->second;
      pending.erase(it);
      mod->state = c->status == BlockCompletion::Status::kOk ? Modification::State::kOk
                                                               : Modification::State::kFailed;
      TAPVM_RETURN_IF_ERROR(ApplyReady(*m, stats, false));
    }
  }
  for (DriveModel& m : models) TAPVM_RETURN_IF_ERROR(ApplyReady(m, stats, true));
  return Status::Ok();
}

}  // namespace

bool ZeroFileRange(int fd, uint64_t offset, uint64_t length) {
  if (length == 0) return true;
  if (::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                  static_cast<off_t>(length)) == 0)
    return true;
  static const std::vector<uint8_t> zeros(1 << 20, 0);
  while (length) {
    const uint64_t n = std::min<uint64_t>(length, zeros.size());
    if (!WriteAll(fd, zeros.data(), n, offset)) return false;
    offset += n, length -= n;
  }
  return true;
}

Status BuildExpectedImages(journal::JournalReader* reader, const std::vector<RecordedDrive>& drives,
                           const std::vector<std::string>& paths, ExpectedStats* stats) {
  if (paths.size() != drives.size()) return Status::InvalidArgument("one expected image path per drive");
  std::vector<DriveModel> models(drives.size());
  Status st;
  for (size_t i = 0; i < drives.size() && st.ok(); ++i) {
    models[i].drive = &drives[i];
    models[i].path = paths[i];
    models[i].fd = ::open(paths[i].c_str(), O_WRONLY | O_CLOEXEC);
    if (models[i].fd < 0) st = Status::IOError(paths[i] + ": " + std::strerror(errno));
  }
  *stats = ExpectedStats{};
  if (st.ok()) st = Run(reader, models, stats);
  for (DriveModel& m : models)
    if (m.fd >= 0 && ::close(m.fd) != 0 && st.ok()) st = Status::IOError(m.path + ": " + std::strerror(errno));
  return st;
}

}  // namespace tapvm::reblock
