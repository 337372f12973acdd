#include "ft/file_arbiter.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <thread>

namespace tapvm::ft {
namespace {

using Clock = std::chrono::steady_clock;

// An arbiter file is one short line; reading more than this tells nothing.
constexpr size_t kMaxContentBytes = 4096;

std::string Line(const RunId& run_id, Role winner) {
  return std::string(kFileArbiterMagic) + " 1 run=" + run_id.ToHex() + " winner=" + RoleName(winner) + "\n";
}

std::string Errno(int err) { return std::strerror(err); }

// Closing the descriptor also drops its flock.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

class FileArbiter final : public Arbiter {
 public:
  explicit FileArbiter(std::string path) : path_(std::move(path)) {}

  Status Claim(const RunId& run_id, Role role, std::chrono::milliseconds timeout, bool* won) override {
    *won = false;
    return ClaimInFile(run_id, role, Clock::now() + timeout, timeout, won).WithPrefix("file arbiter " + path_ + ": ");
  }

  std::string Describe() const override { return "file:" + path_; }

 private:
  Status ClaimInFile(const RunId& run_id, Role role, Clock::time_point deadline, std::chrono::milliseconds timeout,
                     bool* won) {
    // O_NONBLOCK: a FIFO or device at PATH must not hang us before the
    // regular-file check below; it changes nothing for a regular file.
    Fd fd(open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0644));
    if (fd.get() < 0) return Status::IOError("cannot open: " + Errno(errno));
    struct stat st {};
    if (fstat(fd.get(), &st) != 0) return Status::IOError("cannot stat: " + Errno(errno));
    if (!S_ISREG(st.st_mode)) return Status::InvalidArgument("is not a regular file");
    TAPVM_RETURN_IF_ERROR(Lock(fd.get(), deadline, timeout));

    std::string content;
    TAPVM_RETURN_IF_ERROR(ReadPrefix(fd.get(), &content));
    for (Role winner : {Role::kPrimary, Role::kSecondary}) {
      if (content == Line(run_id, winner)) {
        *won = winner == role;
        return Status::Ok();
      }
    }
    if (!content.empty() && content.compare(0, std::strlen(kFileArbiterMagic), kFileArbiterMagic) != 0) {
      return Status::InvalidArgument(std::string("is not a tapvm arbiter file (it does not start with \"") +
                                     kFileArbiterMagic + "\"); refusing to overwrite it");
    }
    // Empty, another run's, or damaged: the claim is ours.
    TAPVM_RETURN_IF_ERROR(Write(fd.get(), Line(run_id, role)));
    *won = true;
    return Status::Ok();
  }

  static Status Lock(int fd, Clock::time_point deadline, std::chrono::milliseconds timeout) {
    auto pause = std::chrono::milliseconds(1);
    for (;;) {
      if (flock(fd, LOCK_EX | LOCK_NB) == 0) return Status::Ok();
      if (errno == EINTR) continue;
      if (errno != EWOULDBLOCK) return Status::IOError("cannot lock: " + Errno(errno));
      const auto now = Clock::now();
      if (now >= deadline) {
        return Status::IOError("still locked by another claimer after " + std::to_string(timeout.count()) + " ms");
      }
      std::this_thread::sleep_for(std::min<Clock::duration>(pause, deadline - now));
      pause = std::min(pause * 2, std::chrono::milliseconds(20));
    }
  }

  // Up to kMaxContentBytes + 1 bytes from the start of the file.
  static Status ReadPrefix(int fd, std::string* content) {
    content->assign(kMaxContentBytes + 1, '\0');
    size_t got = 0;
    while (got < content->size()) {
      const ssize_t n = pread(fd, content->data() + got, content->size() - got, static_cast<off_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::IOError("cannot read: " + Errno(errno));
      if (n == 0) break;
      got += static_cast<size_t>(n);
    }
    content->resize(got);
    return Status::Ok();
  }

  static Status Write(int fd, const std::string& line) {
    if (ftruncate(fd, 0) != 0) return Status::IOError("cannot truncate: " + Errno(errno));
    size_t done = 0;
    while (done < line.size()) {
      const ssize_t n = pwrite(fd, line.data() + done, line.size() - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Status::IOError("cannot write: " + Errno(n < 0 ? errno : EIO));
      done += static_cast<size_t>(n);
    }
    if (fsync(fd) != 0) return Status::IOError("cannot fsync: " + Errno(errno));
    return Status::Ok();
  }

  const std::string path_;
};

}  // namespace

std::unique_ptr<Arbiter> NewFileArbiter(const std::string& path) { return std::make_unique<FileArbiter>(path); }

}  // namespace tapvm::ft
