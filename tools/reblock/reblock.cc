#include "tools/reblock/reblock.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "tools/reblock/image_export.h"

namespace tapvm::reblock {

namespace {

namespace fs = std::filesystem;

// A folder for the images: the user's (kept) or a temporary one (removed).
class ImageDir {
 public:
  Status Make(const std::string& wanted) {
    std::error_code ec;
    if (!wanted.empty()) {
      fs::create_directories(wanted, ec);
      if (ec) return Status::IOError(wanted + ": " + ec.message());
      path_ = wanted;
      return Status::Ok();
    }
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/tapvm-reblock-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) return Status::IOError(templ + ": cannot make a temporary folder");
    path_ = templ;
    temporary_ = true;
    return Status::Ok();
  }
  ~ImageDir() {
    std::error_code ec;
    if (temporary_) fs::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
  bool temporary_ = false;
};

// The first byte at which two files differ (their sizes are equal: both
// are images of the drive's size).
Status FirstDifference(const std::string& a, const std::string& b, uint64_t* at) {
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  if (!fa || !fb) return Status::IOError("cannot read " + a + " or " + b);
  std::vector<char> ba(1 << 20), bb(1 << 20);
  for (uint64_t off = 0;;) {
    fa.read(ba.data(), static_cast<std::streamsize>(ba.size()));
    fb.read(bb.data(), static_cast<std::streamsize>(bb.size()));
    const auto na = static_cast<size_t>(fa.gcount()), nb = static_cast<size_t>(fb.gcount());
    const size_t n = std::min(na, nb);
    for (size_t i = 0; i < n; ++i)
      if (ba[i] != bb[i]) return *at = off + i, Status::Ok();
    if (na != nb || n == 0) return *at = off + n, Status::Ok();
    off += n;
  }
}

uint64_t PayloadBytes(const BlockEvent& e) {
  if (auto* r = std::get_if<BlockRequest>(&e.body)) return r->data.size();
  return std::get<BlockCompletion>(e.body).data.size();
}

// Reads the journal's block events in batches and feeds them; times only
// the feeding.
Status FeedAll(journal::JournalReader* reader, BlockReplayer* replayer, uint64_t batch_bytes, double* seconds) {
  TAPVM_RETURN_IF_ERROR(reader->Seek(1));
  using Clock = std::chrono::steady_clock;
  Clock::duration busy{};
  std::vector<BlockEvent> batch;
  journal::Event e;
  for (bool end = false; !end;) {
    batch.clear();
    uint64_t bytes = 0;
    while (bytes < batch_bytes) {
      TAPVM_RETURN_IF_ERROR(reader->Next(&e, &end));
      if (end) break;
      if (auto* r = std::get_if<BlockRequest>(&e.body)) batch.push_back(BlockEvent{e.seq, e.icount, std::move(*r)});
      else if (auto* c = std::get_if<BlockCompletion>(&e.body)) batch.push_back(BlockEvent{e.seq, e.icount, std::move(*c)});
      else continue;
      bytes += PayloadBytes(batch.back());
    }
    const Clock::time_point start = Clock::now();
    for (BlockEvent& b : batch) TAPVM_RETURN_IF_ERROR(replayer->Feed(std::move(b)));
    if (end) replayer->Finish();
    busy += Clock::now() - start;
  }
  *seconds = std::chrono::duration<double>(busy).count();
  return Status::Ok();
}

}  // namespace

bool ReblockReport::passed() const {
  if (schedule.mismatches != 0) return false;
  for (const DriveOutcome& d : drives)
    if (!d.equal) return false;
  return true;
}

Status Reblock(journal::JournalReader* reader, const std::vector<RecordedDrive>& drives, const BackendOpener& open,
               const ReblockOptions& options, ReblockReport* report) {
  ReblockReport rep;
  ImageDir dir;
  TAPVM_RETURN_IF_ERROR(dir.Make(options.image_dir));
  std::vector<std::string> expected;
  for (size_t i = 0; i < drives.size(); ++i) {
    DriveOutcome d;
    d.image = dir.File("drive" + std::to_string(i) + ".img");
    d.expected = dir.File("drive" + std::to_string(i) + ".expected.img");
    TAPVM_RETURN_IF_ERROR(ExportImage(reader, drives[i].image, d.image));
    TAPVM_RETURN_IF_ERROR(ExportImage(reader, drives[i].image, d.expected));
    expected.push_back(d.expected);
    rep.drives.push_back(std::move(d));
  }
  TAPVM_RETURN_IF_ERROR(BuildExpectedImages(reader, drives, expected, &rep.expected));
  {
    std::vector<std::unique_ptr<BlockBackend>> backends;
    std::vector<BlockBackend*> raw;
    std::vector<TapDeviceId> devs;
    for (size_t i = 0; i < drives.size(); ++i) {
      std::unique_ptr<BlockBackend> b;
      Status st = open(drives[i], rep.drives[i].image, &b);
      if (!st.ok()) return st.WithPrefix("drive " + std::to_string(i) + ": ");
      raw.push_back(b.get());
      devs.push_back(drives[i].dev);
      backends.push_back(std::move(b));
    }
    BlockReplayer replayer(devs, raw, options.max_listed);
    Status st = FeedAll(reader, &replayer, options.batch_bytes, &rep.seconds);
    replayer.Finish();  // even after an error: the backends call back into it
    for (auto& b : backends) b->Stop();
    TAPVM_RETURN_IF_ERROR(st);
    rep.schedule = replayer.stats();
  }  // backends closed: the images are complete and unlocked
  for (DriveOutcome& d : rep.drives) {
    TAPVM_RETURN_IF_ERROR(journal::HashFile(d.image, &d.got_hash));
    TAPVM_RETURN_IF_ERROR(journal::HashFile(d.expected, &d.expected_hash));
    d.equal = d.got_hash == d.expected_hash;
    if (!d.equal) TAPVM_RETURN_IF_ERROR(FirstDifference(d.image, d.expected, &d.first_difference));
  }
  *report = std::move(rep);
  return Status::Ok();
}

}  // namespace tapvm::reblock
