// Address translation (Sv39, Sv48), physical memory protection, TLBs and the
// decoded-instruction cache.
#include <algorithm>
#include <cstring>

#include "emulator/cpu/hart_inl.h"

namespace tapvm {

namespace {
constexpr uint64_t kPteV = 1, kPteR = 2, kPteW = 4, kPteX = 8, kPteU = 16, kPteA = 64, kPteD = 128;
constexpr unsigned kMaxDecodedPages = 4096;  // 128 MiB of decoded slots at most

Exc PageFault(int access) {
  return access == 0 ? Exc::kLoadPage : access == 1 ? Exc::kStorePage : Exc::kInsnPage;
}
Exc AccessFault(int access) {
  return access == 0 ? Exc::kLoadAccess : access == 1 ? Exc::kStoreAccess : Exc::kInsnAccess;
}
}  // namespace

Priv Hart::DataPriv() const {
  if (s_.priv == Priv::kM && (s_.mstatus & mstatus::kMPRV))
    return static_cast<Priv>((s_.mstatus & mstatus::kMPP) >> mstatus::kMPPShift);
  return s_.priv;
}

void Hart::UpdateTlbPointers() {
  unsigned dp = static_cast<unsigned>(DataPriv());
  // S-mode data accesses with mstatus.SUM set have tables of their own
  // (index 2, no privilege of its own): Linux sets and clears SUM around
  // every copy from or to user memory, and each entry is right for the
  // SUM it was filled under, so the flip is a switch of tables, not a flush.
  if (dp == static_cast<unsigned>(Priv::kS) && (s_.mstatus & mstatus::kSUM)) dp = kSumTables;
  rtlb_ = tlb_[dp][0];
  wtlb_ = tlb_[dp][1];
  ftlb_ = fetch_tlb_[static_cast<unsigned>(s_.priv)];
}

void Hart::FlushTlbs(bool include_m) {
  unsigned privs = include_m ? 4 : 3;  // U = 0, S = 1, S with SUM = 2, M = 3
  for (unsigned p = 0; p < privs; ++p) {
    FillLog& f = fills_[p];
    if (f.n <= kFillLogSize) {  // only the entries filled since the last flush
      for (unsigned k = 0; k < f.n; ++k) {
        const unsigned i = f.index[k];
        tlb_[p][kRead][i].tag = kInvalidTag;
        tlb_[p][kWrite][i].tag = kInvalidTag;
        fetch_tlb_[p][i] = {kInvalidTag, nullptr};
      }
    } else {
      for (auto& table : tlb_[p])
        for (auto& e : table) e.tag = kInvalidTag;
      for (auto& e : fetch_tlb_[p]) e = {kInvalidTag, nullptr};
    }
    f.n = 0;
  }
  tlb_superpages_.clear();
  tlb_superpages_overflow_ = false;
  UpdateTlbPointers();
  engine_->OnTranslationFlushed(ExecutionEngine::kAllPages);
}

void Hart::DropWriteTlbs() {
  for (auto& per_priv : tlb_)
    for (auto& e : per_priv[kWrite]) e.tag = kInvalidTag;
}

void Hart::NoteTranslation(uint64_t va) {
  if (last_leaf_level_ == 0) return;
  uint64_t size = 1ull << (12 + 9 * last_leaf_level_);
  uint64_t base = va & ~(size - 1);
  for (const auto& sp : tlb_superpages_)
    if (sp.first == base) return;
  if (tlb_superpages_.size() >= 64) {
    tlb_superpages_overflow_ = true;
    return;
  }
  tlb_superpages_.emplace_back(base, size);
}

void Hart::FlushTlbPage(uint64_t va) {
  if (tlb_superpages_overflow_) return FlushTlbs(false);
  for (const auto& sp : tlb_superpages_)
    if (va - sp.first < sp.second) return FlushTlbs(false);
  unsigned i = (va >> 12) & (kTlbSize - 1);
  for (unsigned p = 0; p <= kSumTables; ++p) {
    tlb_[p][0][i].tag = kInvalidTag;
    tlb_[p][1][i].tag = kInvalidTag;
    fetch_tlb_[p][i] = {kInvalidTag, nullptr};
  }
  engine_->OnTranslationFlushed(va & ~0xfffull);
}

void Hart::UpdatePmpActive() {
  pmp_active_ = false;
  for (uint64_t cfg : s_.pmpcfg)
    for (unsigned b = 0; b < 8; ++b)
      if ((cfg >> (8 * b + 3)) & 3) pmp_active_ = true;
  UpdatePmpSpans();
}

namespace {
constexpr size_t kSparePages = 512;  // 16 MiB
}  // namespace

void Hart::DropWriteTlbsInto(const uint8_t* host_page) {
  const uintptr_t target = reinterpret_cast<uintptr_t>(host_page);
  for (auto& per_priv : tlb_)
    for (auto& e : per_priv[kWrite])
      if (e.tag != kInvalidTag && (e.tag & ~0xfffull) + e.addend == target) e.tag = kInvalidTag;
}

void Hart::DropWrittenCode() {
  written_code_.clear();
  if (!bus_->TakeWrittenCode(&written_code_)) return DropDecodedPages();
  dropped_code_.clear();
  dropped_pages_.clear();
  for (uint64_t pa : written_code_) {
    auto it = decoded_pages_.find(pa);
    if (it == decoded_pages_.end()) continue;  // dropped since
    dropped_code_.push_back(pa);
    dropped_pages_.push_back(it->second.get());
  }
  if (dropped_code_.empty()) return;
  // Fetch TLB entries point at decoded pages: drop those of the pages going.
  for (auto& table : fetch_tlb_)
    for (auto& e : table)
      if (e.page && std::find(dropped_pages_.begin(), dropped_pages_.end(), e.page) != dropped_pages_.end())
        e = {kInvalidTag, nullptr};
  for (uint64_t pa : dropped_code_) {
    auto it = decoded_pages_.find(pa);
    if (it == decoded_pages_.end()) continue;  // listed twice
    if (spare_pages_.size() < kSparePages) spare_pages_.push_back(std::move(it->second));
    decoded_pages_.erase(it);
  }
  engine_->OnCodePagesDropped(dropped_code_);
}

void Hart::DropDecodedPages() {
  for (auto& [pa, page] : decoded_pages_) {
    if (spare_pages_.size() >= kSparePages) break;
    spare_pages_.push_back(std::move(page));
  }
  decoded_pages_.clear();
  for (auto& table : fetch_tlb_)
    for (auto& e : table) e = {kInvalidTag, nullptr};
  engine_->OnCodeInvalidated();
}

void Hart::FlushCaches() {
  UpdatePmpActive();  // derived from the state, which may have been set from outside
  FlushTlbs();
  DropDecodedPages();
  UpdateTriggerModes();  // derived from the state, which may have been set from outside
}

// ---- PMP ----

namespace {
struct PmpRange {
  uint64_t lo, hi;  // [lo, hi)
};

// The byte range entry i covers, or an empty range when it is off.
PmpRange PmpEntryRange(const HartState& s, unsigned i) {
  uint8_t cfg = static_cast<uint8_t>(s.pmpcfg[i / 8] >> (8 * (i % 8)));
  uint64_t addr = s.pmpaddr[i] & ((1ull << 54) - 1);
  switch ((cfg >> 3) & 3) {
    case 1: {  // TOR
      uint64_t lo = i == 0 ? 0 : (s.pmpaddr[i - 1] & ((1ull << 54) - 1)) << 2;
      return {lo, addr << 2};
    }
    case 2: return {addr << 2, (addr << 2) + 4};  // NA4
    case 3: {  // NAPOT
      unsigned t = static_cast<unsigned>(__builtin_ctzll(~addr));
      if (t >= 54) return {0, ~0ull};
      uint64_t base = (addr & ~((1ull << t) - 1)) << 2;
      return {base, base + (8ull << t)};
    }
  }
  return {0, 0};
}

uint8_t PmpCfg(const HartState& s, unsigned i) { return static_cast<uint8_t>(s.pmpcfg[i / 8] >> (8 * (i % 8))); }

bool PmpPermits(uint8_t cfg, int access, Priv priv) {
  if (priv == Priv::kM && !(cfg & 0x80)) return true;
  return (cfg >> access) & 1;  // R=bit0, W=bit1, X=bit2 match kRead/kWrite/kExec
}
}  // namespace

// PMP check of [pa, pa+len). With no entry active at all every access is
// allowed (as QEMU does; the spec would deny S/U accesses, but then a machine
// without firmware could not run S-mode code).
bool Hart::PmpAllows(uint64_t pa, uint64_t len, Access access, Priv priv) const {
  if (!pmp_active_) return true;
  for (unsigned k = 0; k < pmp_span_count_; ++k) {
    const PmpSpan& r = pmp_spans_[k];
    if (pa + len <= r.lo || pa >= r.hi) continue;
    if (pa < r.lo || pa + len > r.hi) return false;  // partially matching
    return PmpPermits(r.cfg, access, priv);
  }
  return priv == Priv::kM;  // some entry is active, none matched
}

void Hart::UpdatePmpSpans() {
  pmp_span_count_ = 0;
  for (unsigned i = 0; i < 16; ++i) {
    const PmpRange r = PmpEntryRange(s_, i);
    if (r.lo < r.hi) pmp_spans_[pmp_span_count_++] = PmpSpan{r.lo, r.hi, PmpCfg(s_, i)};
  }
}

bool Hart::PmpPageUniform(uint64_t pa_page, Access access, Priv priv) const {
  return PmpAllows(pa_page, 4096, access, priv);
}

// ---- translation ----

bool Hart::WalkPageTable(uint64_t va, Access access, Priv priv, uint64_t* pa) {
  uint64_t mode = s_.satp >> 60;
  int levels = mode == 8 ? 3 : 4;
  int va_bits = 12 + 9 * levels;
  // The address must be a sign extension of its top translated bit.
  int64_t sva = static_cast<int64_t>(va);
  if ((sva << (64 - va_bits)) >> (64 - va_bits) != sva) {
    pending_cause_ = PageFault(access);
    pending_tval_ = va;
    return false;
  }
  uint64_t table = (s_.satp & ((1ull << 44) - 1)) << 12;
  bool mxr = s_.mstatus & mstatus::kMXR;
  bool sum = s_.mstatus & mstatus::kSUM;
  for (int level = levels - 1; level >= 0; --level) {
    uint64_t pte_addr = table + ((va >> (12 + 9 * level)) & 511) * 8;
    const uint8_t* host = bus_->HostPtr(pte_addr, 8);
    if (!host || !PmpAllows(pte_addr, 8, kRead, Priv::kS)) {
      pending_cause_ = AccessFault(access);
      pending_tval_ = va;
      return false;
    }
    uint64_t pte;
    std::memcpy(&pte, host, 8);
    auto fault = [&] {
      pending_cause_ = PageFault(access);
      pending_tval_ = va;
      return false;
    };
    // Reserved bits 63:54 (no Svnapot/Svpbmt) and W-without-R are reserved.
    if (!(pte & kPteV) || (!(pte & kPteR) && (pte & kPteW)) || (pte >> 54)) return fault();
    uint64_t ppn = (pte >> 10) & ((1ull << 44) - 1);
    if (!(pte & (kPteR | kPteX))) {
      if (level == 0 || (pte & (kPteA | kPteD | kPteU))) return fault();
      table = ppn << 12;
      continue;
    }
    // Leaf: permissions.
    if (priv == Priv::kU && !(pte & kPteU)) return fault();
    if (priv == Priv::kS && (pte & kPteU) && (access == kExec || !sum)) return fault();
    if (access == kExec && !(pte & kPteX)) return fault();
    if (access == kRead && !(pte & kPteR) && !(mxr && (pte & kPteX))) return fault();
    if (access == kWrite && !(pte & kPteW)) return fault();
    uint64_t low_mask = (1ull << (9 * level)) - 1;  // in pages
    if (ppn & low_mask) return fault();             // misaligned superpage
    // Hardware A/D update.
    uint64_t want = kPteA | (access == kWrite ? kPteD : 0);
    if ((pte & want) != want) {
      if (!PmpAllows(pte_addr, 8, kWrite, Priv::kS)) {
        pending_cause_ = AccessFault(access);
        pending_tval_ = va;
        return false;
      }
      pte |= want;
      std::memcpy(bus_->HostPtrForWrite(pte_addr, 8), &pte, 8);  // not null: read from there above
    }
    *pa = ((ppn & ~low_mask) << 12) | (va & ((1ull << (12 + 9 * level)) - 1));
    last_leaf_level_ = static_cast<unsigned>(level);
    return true;
  }
  return false;  // not reached
}

bool Hart::Translate(uint64_t va, Access access, Priv priv, uint64_t* pa) {
  if (priv == Priv::kM || (s_.satp >> 60) == 0) {
    *pa = va;
    last_leaf_level_ = 0;
    return true;
  }
  return WalkPageTable(va, access, priv, pa);
}

// ---- data access slow paths ----

int Hart::LoadSlow(uint64_t va, unsigned size, uint64_t* out) {
  Priv priv = DataPriv();
  if (va & (size - 1)) {
    // Misaligned: assemble from bytes (RAM only; a device sees no such access).
    uint64_t v = 0;
    *out = 0;
    for (unsigned i = 0; i < size; ++i) {
      uint64_t pa;
      if (!Translate(va + i, kRead, priv, &pa)) return 0;
      const uint8_t* host = bus_->HostPtr(pa, 1);
      if (!host || !PmpAllows(pa, 1, kRead, priv)) {
        pending_cause_ = Exc::kLoadAccess;
        pending_tval_ = va;
        return 0;
      }
      v |= static_cast<uint64_t>(*host) << (8 * i);
    }
    *out = v;
    return 1;
  }
  uint64_t pa;
  if (!Translate(va, kRead, priv, &pa)) return 0;
  if (!PmpAllows(pa, size, kRead, priv)) {
    pending_cause_ = Exc::kLoadAccess;
    pending_tval_ = va;
    return 0;
  }
  uint64_t page = pa & ~0xfffull;
  if (const uint8_t* host = bus_->HostPtr(page, 4096)) {
    if (PmpPageUniform(page, kRead, priv)) {
      NoteTranslation(va);
      TlbEntry& e = rtlb_[(va >> 12) & (kTlbSize - 1)];
      NoteFill(TablePriv(rtlb_), (va >> 12) & (kTlbSize - 1));
      e.tag = va & ~0xfffull;
      e.addend = reinterpret_cast<uintptr_t>(host) - e.tag;
    }
    uint64_t v = 0;
    std::memcpy(&v, host + (pa & 0xfff), size);
    *out = v;
    return 1;
  }
  if (!bus_->Read(pa, size, out)) {
    pending_cause_ = Exc::kLoadAccess;
    pending_tval_ = va;
    return 0;
  }
  return 2;  // a device access may change interrupt state
}

int Hart::StoreSlow(uint64_t va, unsigned size, uint64_t value) {
  Priv priv = DataPriv();
  if (va & (size - 1)) {
    // Misaligned: translate every byte first so a fault leaves memory as it was.
    uint8_t* hosts[8];
    for (unsigned i = 0; i < size; ++i) {
      uint64_t pa;
      if (!Translate(va + i, kWrite, priv, &pa)) return 0;
      Bus::MemoryRegion* r = bus_->FindMemoryForWrite(pa, 1);
      if (!r || !r->writable() || !PmpAllows(pa, 1, kWrite, priv)) {
        pending_cause_ = Exc::kStoreAccess;
        pending_tval_ = va;
        return 0;
      }
      hosts[i] = r->host() + (pa - r->base());
    }
    for (unsigned i = 0; i < size; ++i) *hosts[i] = static_cast<uint8_t>(value >> (8 * i));
    return 1;
  }
  uint64_t pa;
  if (!Translate(va, kWrite, priv, &pa)) return 0;
  if (!PmpAllows(pa, size, kWrite, priv)) {
    pending_cause_ = Exc::kStoreAccess;
    pending_tval_ = va;
    return 0;
  }
  uint64_t page = pa & ~0xfffull;
  if (Bus::MemoryRegion* r = bus_->FindMemoryForWrite(page, 4096)) {
    if (!r->writable()) {
      pending_cause_ = Exc::kStoreAccess;
      pending_tval_ = va;
      return 0;
    }
    uint8_t* host = r->host() + (page - r->base());
    if (PmpPageUniform(page, kWrite, priv)) {
      NoteTranslation(va);
      TlbEntry& e = wtlb_[(va >> 12) & (kTlbSize - 1)];
      NoteFill(TablePriv(wtlb_), (va >> 12) & (kTlbSize - 1));
      e.tag = va & ~0xfffull;
      e.addend = reinterpret_cast<uintptr_t>(host) - e.tag;
    }
    std::memcpy(host + (pa & 0xfff), &value, size);
    return 1;
  }
  if (!bus_->Write(pa, size, value)) {
    pending_cause_ = Exc::kStoreAccess;
    pending_tval_ = va;
    return 0;
  }
  return 2;
}

uint8_t* Hart::AmoPtr(uint64_t va, unsigned size, bool for_lr, uint64_t* pa_out) {
  Exc misaligned = for_lr ? Exc::kLoadMisaligned : Exc::kStoreMisaligned;
  Exc access_fault = for_lr ? Exc::kLoadAccess : Exc::kStoreAccess;
  if (va & (size - 1)) {
    pending_cause_ = misaligned;
    pending_tval_ = va;
    return nullptr;
  }
  Priv priv = DataPriv();
  Access access = for_lr ? kRead : kWrite;
  uint64_t pa;
  if (!Translate(va, access, priv, &pa)) return nullptr;
  // LR only reads, but one writable pointer serves LR, SC and the AMOs;
  // marking the page of an LR costs nothing the SC after it would not.
  Bus::MemoryRegion* r = bus_->FindMemoryForWrite(pa, size);
  if (!r || (!for_lr && !r->writable()) || !PmpAllows(pa, size, access, priv) ||
      (!for_lr && !PmpAllows(pa, size, kRead, priv))) {
    pending_cause_ = access_fault;
    pending_tval_ = va;
    return nullptr;
  }
  if (pa_out) *pa_out = pa;
  return r->host() + (pa - r->base());
}

// ---- instruction fetch ----

Hart::DecodedPage* Hart::GetDecodedPage(uint64_t pa_page, const uint8_t* host) {
  auto it = decoded_pages_.find(pa_page);
  if (it != decoded_pages_.end()) return it->second.get();
  if (decoded_pages_.size() >= kMaxDecodedPages) DropDecodedPages();
  std::unique_ptr<DecodedPage> page;
  if (!spare_pages_.empty()) {
    page = std::move(spare_pages_.back());
    spare_pages_.pop_back();
  } else {
    page.reset(new DecodedPage);  // every slot is set just below
  }
  for (auto& d : page->insns) d = DecodedInsn{};  // Op::DECODE
  page->insns[2048].op = Op::PAGE_END;
  page->host = host;
  page->pa = pa_page;
  // From now on the bus tells DropWrittenCode if the page is written; a
  // write TLB entry into it from before would write unseen.
  if (bus_->WatchCode(pa_page)) DropWriteTlbsInto(host);
  DecodedPage* p = page.get();
  decoded_pages_.emplace(pa_page, std::move(page));
  return p;
}

// Fetches and decodes the instruction at pc into cross_page_[0], checking
// every halfword: for instructions that straddle a page boundary, and for
// pages that PMP covers only in part.
void Hart::DecodeCrossPage(uint64_t pc) {
  cross_page_[0] = DecodedInsn{};
  cross_page_[0].op = Op::ILLEGAL;
  uint32_t raw = 0;
  for (unsigned half = 0; half < 2; ++half) {
    uint64_t va = pc + 2 * half, pa;
    if (!Translate(va, kExec, s_.priv, &pa)) return void(cross_page_[0].op = Op::PAGE_END);
    const uint8_t* host = bus_->HostPtr(pa, 2);
    if (!host || !PmpAllows(pa, 2, kExec, s_.priv)) {
      pending_cause_ = Exc::kInsnAccess;
      pending_tval_ = va;
      cross_page_[0].op = Op::PAGE_END;
      return;
    }
    uint16_t h;
    std::memcpy(&h, host, 2);
    raw |= static_cast<uint32_t>(h) << (16 * half);
    if (half == 0 && (h & 3) != 3) break;
  }
  cross_page_[0] = Decode(raw);
  cross_page_[1].op = Op::PAGE_END;
  cross_page_[2].op = Op::PAGE_END;
}

DecodedInsn* Hart::FetchSlow(uint64_t pc) {
  uint64_t pa;
  if (!Translate(pc, kExec, s_.priv, &pa)) return nullptr;
  uint64_t page = pa & ~0xfffull;
  const uint8_t* host = bus_->HostPtr(page, 4096);
  if (!host) {
    pending_cause_ = Exc::kInsnAccess;
    pending_tval_ = pc;
    return nullptr;
  }
  if (!PmpPageUniform(page, kExec, s_.priv)) {
    if (!PmpAllows(pa, 2, kExec, s_.priv)) {
      pending_cause_ = Exc::kInsnAccess;
      pending_tval_ = pc;
      return nullptr;
    }
    DecodeCrossPage(pc);
    if (cross_page_[0].op == Op::PAGE_END) return nullptr;  // fault pending
    return &cross_page_[0];
  }
  DecodedPage* dp = GetDecodedPage(page, host);
  NoteTranslation(pc);
  FetchEntry& e = ftlb_[(pc >> 12) & (kTlbSize - 1)];
  NoteFill(TablePriv(ftlb_), (pc >> 12) & (kTlbSize - 1));
  e.tag = pc & ~0xfffull;
  e.page = dp;
  return &dp->insns[(pc & 0xfff) >> 1];
}

}  // namespace tapvm
