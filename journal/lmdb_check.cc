#include "journal/lmdb_check.h"

#include <lmdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "journal/fmt.h"

namespace tapvm::journal {
namespace {

// LMDB 0.9 on-disk constants (mdb.c; stable for data version 1).
constexpr uint32_t kLmdbMagic = 0xBEEFC0DE;
constexpr uint32_t kLmdbDataVersion = 1;
constexpr size_t kPageHeader = 16;   // pgno:u64 pad:u16 flags:u16 lower:u16 upper:u16
constexpr size_t kNodeHeader = 8;    // lo:u16 hi:u16 flags:u16 ksize:u16
constexpr size_t kDbRecordSize = 48; // MDB_db
constexpr uint16_t kPageBranch = 0x01, kPageLeaf = 0x02, kPageOverflow = 0x04, kPageMeta = 0x08;
constexpr uint16_t kNodeBig = 0x01, kNodeSubData = 0x02, kNodeDupData = 0x04;
constexpr uint64_t kInvalidPage = ~0ull;
constexpr int kMaxDepth = 32;  // LMDB's cursor stack
// Offsets inside a meta page.
constexpr size_t kMetaMagic = 16, kMetaVersion = 20, kMetaFreeDb = 40, kMetaMainDb = 88, kMetaLastPage = 136,
                 kMetaTxnid = 144;
// Offsets inside an MDB_db.
constexpr size_t kDbPad = 0, kDbFlags = 4, kDbDepth = 6, kDbRoot = 40;

uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t Le32(const uint8_t* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t(p[3]) << 24); }
uint64_t Le64(const uint8_t* p) { return Le32(p) | (uint64_t(Le32(p + 4)) << 32); }

bool ReadAt(int fd, uint64_t off, uint8_t* buf, size_t n) {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = pread(fd, buf + done, n - done, static_cast<off_t>(off + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

class Walker {
 public:
  Walker(int fd, uint32_t psize, uint64_t pages, std::string_view locate_db, std::string_view locate_key)
      : fd_(fd), psize_(psize), pages_(pages), seen_(pages, false), locate_db_(locate_db), locate_key_(locate_key) {}

  uint64_t located() const { return located_; }

  uint64_t walked() const { return walked_; }

  // Walks the tree rooted at `root` (kInvalidPage: empty). `main`: the
  // main database, whose leaves name the other databases.
  // LMDB's trees are balanced: every leaf sits at depth `depth` (the
  // database record's md_depth), and its cursors rely on it.
  Status WalkDb(uint64_t root, uint16_t depth, bool main, const char* name) {
    db_name_ = name;
    if ((root == kInvalidPage) != (depth == 0)) {
      return Status::Corruption(Fmt("LMDB database '%s' damaged: root page %" PRIu64 " with depth %u", name, root, depth));
    }
    if (root == kInvalidPage) return Status::Ok();
    if (depth > kMaxDepth) return Status::Corruption(Fmt("LMDB database '%s' damaged: depth %u", name, depth));
    db_depth_ = depth;
    return WalkPage(root, 0, main, name);
  }

 private:
  Status Bad(uint64_t pgno, const std::string& what) {
    return Status::Corruption(Fmt("LMDB page %" PRIu64 " (file offset 0x%" PRIx64 ", database '%s') damaged: %s", pgno,
                                  pgno * psize_, db_name_.c_str(), what.c_str()));
  }

  Status Claim(uint64_t pgno) {
    if (pgno < 2 || pgno >= pages_) return Bad(pgno, "page number out of range");
    if (seen_[pgno]) return Bad(pgno, "page reached twice (a loop or shared page)");
    seen_[pgno] = true;
    ++walked_;
    return Status::Ok();
  }

  Status WalkPage(uint64_t pgno, int depth, bool main, const char* name) {
    db_name_ = name;
    if (depth >= kMaxDepth) return Bad(pgno, "tree deeper than LMDB allows");
    TAPVM_RETURN_IF_ERROR(Claim(pgno));
    // One buffer per level: the children are read while this page is used.
    std::vector<uint8_t> page(psize_);
    if (!ReadAt(fd_, pgno * psize_, page.data(), psize_)) return Bad(pgno, "unreadable");
    const uint8_t* p = page.data();
    if (Le64(p) != pgno) return Bad(pgno, Fmt("page header says page %" PRIu64, Le64(p)));
    const uint16_t flags = Le16(p + 10);
    const bool branch = flags == kPageBranch;
    if (!branch && flags != kPageLeaf) return Bad(pgno, Fmt("unexpected page flags 0x%x", flags));
    const uint16_t lower = Le16(p + 12), upper = Le16(p + 14);
    if (lower < kPageHeader || lower > upper || upper > psize_ || (lower - kPageHeader) % 2 != 0) {
      return Bad(pgno, Fmt("bad free-space bounds (lower %u, upper %u)", lower, upper));
    }
    const size_t nkeys = (lower - kPageHeader) / 2;
    if (branch && depth + 1 >= db_depth_) return Bad(pgno, "branch page where the tree's leaves should be");
    if (!branch && depth + 1 != db_depth_) return Bad(pgno, "leaf page above the tree's leaf level");
    if (branch && nkeys < 2) return Bad(pgno, "branch page with fewer than two keys");
    // LMDB never leaves a leaf empty (an emptied database gets no root), and
    // its cursors read node 0 of a leaf without checking the key count: a
    // stale node pointer past `lower` would go unchecked here.
    if (!branch && nkeys == 0) return Bad(pgno, "leaf page with no keys");
    for (size_t i = 0; i < nkeys; ++i) {
      const size_t off = Le16(p + kPageHeader + 2 * i);
      if (off < upper || off + kNodeHeader > psize_) return Bad(pgno, Fmt("node %zu at bad offset %zu", i, off));
      const uint8_t* n = p + off;
      const uint16_t nflags = Le16(n + 4);
      const size_t ksize = Le16(n + 6);
      if (off + kNodeHeader + ksize > psize_) return Bad(pgno, Fmt("node %zu key runs off the page", i));
      if (branch) {
        const uint64_t child = Le16(n) | (uint64_t(Le16(n + 2)) << 16) | (uint64_t(nflags) << 32);
        TAPVM_RETURN_IF_ERROR(WalkPage(child, depth + 1, main, name));
        continue;
      }
      const uint64_t dsize = Le16(n) | (uint64_t(Le16(n + 2)) << 16);
      const size_t data_off = off + kNodeHeader + ksize;
      if (nflags & kNodeDupData) return Bad(pgno, Fmt("node %zu: duplicate-data node in a plain database", i));
      const bool locate = !main && db_name_ == locate_db_ &&
                          std::string_view(reinterpret_cast<const char*>(n + kNodeHeader), ksize) == locate_key_;
      if (nflags & kNodeBig) {
        if (nflags & kNodeSubData) return Bad(pgno, Fmt("node %zu: bad node flags 0x%x", i, nflags));
        if (data_off + 8 > psize_) return Bad(pgno, Fmt("node %zu overflow pointer runs off the page", i));
        const uint64_t first = Le64(p + data_off);
        TAPVM_RETURN_IF_ERROR(CheckOverflow(first, dsize, pgno, i));
        if (locate) located_ = first * psize_ + kPageHeader;
        continue;
      }
      if (data_off + dsize > psize_) return Bad(pgno, Fmt("node %zu data runs off the page", i));
      if (locate) located_ = pgno * psize_ + data_off;
      if (nflags & kNodeSubData) {
        if (!main || dsize != kDbRecordSize) return Bad(pgno, Fmt("node %zu: bad sub-database record", i));
        const uint8_t* db = p + data_off;
        std::string sub(reinterpret_cast<const char*>(n + kNodeHeader), ksize);
        if (Le16(db + kDbFlags) != 0) return Bad(pgno, Fmt("database '%s' has unexpected flags", sub.c_str()));
        const uint16_t main_depth = db_depth_;
        TAPVM_RETURN_IF_ERROR(WalkDb(Le64(db + kDbRoot), Le16(db + kDbDepth), false, sub.c_str()));
        db_name_ = name;
        db_depth_ = main_depth;
      } else if (nflags != 0) {
        return Bad(pgno, Fmt("node %zu: unknown node flags 0x%x", i, nflags));
      }
    }
    return Status::Ok();
  }

  Status CheckOverflow(uint64_t first, uint64_t dsize, uint64_t from, size_t node) {
    if (first < 2 || first >= pages_) return Bad(from, Fmt("node %zu: overflow page %" PRIu64 " out of range", node, first));
    uint8_t hdr[kPageHeader];
    if (!ReadAt(fd_, first * psize_, hdr, sizeof hdr)) return Bad(first, "unreadable overflow page");
    if (Le64(hdr) != first || Le16(hdr + 10) != kPageOverflow) return Bad(first, "bad overflow page header");
    const uint64_t count = Le32(hdr + 12);
    if (count == 0 || first + count > pages_) return Bad(first, Fmt("overflow run of %" PRIu64 " pages leaves the file", count));
    if (count * psize_ < kPageHeader + dsize) return Bad(first, "overflow run shorter than its data");
    for (uint64_t i = 0; i < count; ++i) {
      if (seen_[first + i]) return Bad(first + i, "page reached twice (overlapping overflow runs)");
      seen_[first + i] = true;
    }
    walked_ += count;
    return Status::Ok();
  }

  int fd_;
  uint64_t psize_;
  uint64_t pages_;
  std::vector<bool> seen_;
  std::string db_name_;
  uint16_t db_depth_ = 0;
  uint64_t walked_ = 0;
  std::string_view locate_db_, locate_key_;
  uint64_t located_ = 0;
};

struct Meta {
  bool ok = false;
  uint32_t magic = 0, version = 0, psize = 0;
  uint16_t main_flags = 0, main_depth = 0;
  uint64_t main_root = 0, last_page = 0, txnid = 0;
};

Meta ParseMeta(const uint8_t* p) {
  Meta m;
  m.magic = Le32(p + kMetaMagic);
  m.version = Le32(p + kMetaVersion);
  m.psize = Le32(p + kMetaFreeDb + kDbPad);
  m.main_flags = Le16(p + kMetaMainDb + kDbFlags);
  m.main_root = Le64(p + kMetaMainDb + kDbRoot);
  m.main_depth = Le16(p + kMetaMainDb + kDbDepth);
  m.last_page = Le64(p + kMetaLastPage);
  m.txnid = Le64(p + kMetaTxnid);
  m.ok = (Le16(p + 10) & kPageMeta) != 0;
  return m;
}

}  // namespace

Status CheckLmdbFile(int fd, bool walk, std::string_view locate_db, std::string_view locate_key,
                     LmdbLayout* layout) {
  struct stat st;
  if (fstat(fd, &st) != 0) return Status::IOError(Fmt("fstat: %s", std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument("not a tapvm journal: not a regular file");
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  layout->file_size = file_size;
  if (file_size == 0) return Status::InvalidArgument("not a tapvm journal: empty file");
  constexpr size_t kMetaBytes = 152;
  uint8_t m0[kMetaBytes];
  if (file_size < kMetaBytes || !ReadAt(fd, 0, m0, kMetaBytes)) {
    return Status::InvalidArgument(Fmt("not a tapvm journal: too short for an LMDB file (%" PRIu64 " bytes)", file_size));
  }
  const Meta meta0 = ParseMeta(m0);
  if (!meta0.ok || meta0.magic != kLmdbMagic) {
    return Status::InvalidArgument("not a tapvm journal: not an LMDB file (no LMDB magic in page 0)");
  }
  if (meta0.version != kLmdbDataVersion) {
    return Status::NotSupported(Fmt("LMDB data version %u (this build reads version %u)", meta0.version, kLmdbDataVersion));
  }
  const uint32_t psize = meta0.psize;
  if (psize < 512 || psize > 65536 || (psize & (psize - 1)) != 0) {
    return Status::Corruption(Fmt("LMDB meta page 0 damaged: page size %u", psize));
  }
  uint8_t m1[kMetaBytes];
  if (file_size < uint64_t(psize) + kMetaBytes || !ReadAt(fd, psize, m1, kMetaBytes)) {
    return Status::Corruption(Fmt("file truncated: %" PRIu64 " bytes, shorter than LMDB's two meta pages", file_size));
  }
  const Meta meta1 = ParseMeta(m1);
  if (!meta1.ok || meta1.magic != kLmdbMagic || meta1.version != kLmdbDataVersion) {
    return Status::Corruption(Fmt("LMDB meta page 1 (file offset 0x%x) damaged", psize));
  }
  // LMDB takes the page size from whichever meta page it picks: they must
  // agree, or it would place page 1 somewhere else than it read it from.
  if (meta1.psize != psize) {
    return Status::Corruption(Fmt("LMDB meta pages damaged: page sizes %u (page 0) and %u (page 1) differ", psize,
                                  meta1.psize));
  }
  // LMDB writes meta page (txnid & 1) at each commit, so the two pages
  // hold consecutive txnids, each on its parity's page (both 0 in a file
  // never committed to). Anything else is a damaged txnid, which would make
  // LMDB silently read an older snapshot.
  const bool fresh = meta0.txnid == 0 && meta1.txnid == 0;
  const uint64_t diff = meta0.txnid > meta1.txnid ? meta0.txnid - meta1.txnid : meta1.txnid - meta0.txnid;
  if (!fresh && (diff != 1 || (meta0.txnid & 1) != 0 || (meta1.txnid & 1) != 1)) {
    return Status::Corruption(Fmt("LMDB meta pages damaged: transaction ids %" PRIu64 " (page 0) and %" PRIu64
                                  " (page 1) are not consecutive",
                                  meta0.txnid, meta1.txnid));
  }
  // LMDB reads the snapshot of the meta page with the larger txnid (ties:
  // page 0); that is the one that must be sound.
  const bool use1 = meta1.txnid > meta0.txnid;
  const Meta& m = use1 ? meta1 : meta0;
  const int which = use1 ? 1 : 0;
  const uint64_t file_pages = file_size / psize;
  if (m.last_page < 1 || m.last_page >= file_pages) {
    return Status::Corruption(Fmt("file truncated or LMDB meta page %d damaged: the snapshot (txn %" PRIu64
                                  ") uses %" PRIu64 " pages, the file holds %" PRIu64,
                                  which, m.txnid, m.last_page + 1, file_pages));
  }
  if (m.main_flags != 0) return Status::Corruption(Fmt("LMDB meta page %d damaged: main database flags 0x%x", which, m.main_flags));
  if (m.main_root != kInvalidPage && (m.main_root < 2 || m.main_root > m.last_page)) {
    return Status::Corruption(Fmt("LMDB meta page %d damaged: root page %" PRIu64 " out of range", which, m.main_root));
  }
  layout->page_size = psize;
  layout->pages_used = m.last_page + 1;
  if (!walk) return Status::Ok();
  Walker walker(fd, psize, m.last_page + 1, locate_db, locate_key);
  TAPVM_RETURN_IF_ERROR(walker.WalkDb(m.main_root, m.main_depth, true, "(main)"));
  layout->pages_walked = walker.walked();
  layout->located_offset = walker.located();
  return Status::Ok();
}

Status LmdbError(int rc, const char* what) {
  const std::string msg = std::string(what) + ": " + mdb_strerror(rc);
  switch (rc) {
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_BAD_TXN:
      return Status::Corruption(msg);
    case MDB_VERSION_MISMATCH:
      return Status::NotSupported(msg);
    case MDB_NOTFOUND:
      return Status::NotFound(msg);
    default:
      return Status::IOError(msg);
  }
}

}  // namespace tapvm::journal
