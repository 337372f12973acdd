// JournalReader::CopyCompact: LMDB's compacting copy of an open journal.
#include <lmdb.h>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

#include "journal/reader.h"
#include "journal/reader_impl.h"

namespace tapvm::journal {

Status JournalReader::CopyCompact(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return Status::InvalidArgument(path + ": exists (the copy must be a new file)");
  // The journal is opened MDB_NOSUBDIR, so LMDB writes the copy to `path`
  // itself (created O_EXCL), walking the newest snapshot's B-trees.
  const int rc = mdb_env_copy2(impl_->env, path.c_str(), MDB_CP_COMPACT);
  if (rc != 0) {
    ::unlink(path.c_str());  // new, and ours: no half copy left behind
    return Status::IOError(path + ": compacting copy failed: " + (rc > 0 ? std::strerror(rc) : mdb_strerror(rc)));
  }
  return Status::Ok();
}

}  // namespace tapvm::journal
