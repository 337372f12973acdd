// HartEngineAccess: the part of a Hart an execution engine works with (its
// state, TLBs, decoded pages and the slow paths behind them) and nothing
// more. Hart keeps all of this private and hands an access object only to the
// engine it creates (MakeEngine, Hart::InstallEngine), so this header is the
// whole of what an engine may rely on, and the one door it comes in by.
//
// A handle of one pointer, copied freely; everything is inline. An engine
// keeps a copy in a local for the length of a slice so the hart's address
// stays in a register.
//
// Slow paths (the non-inline calls below) expect HartState::pc and ::icount
// to be exact first (engine.h). They report failure one way: a 0, false or
// nullptr result with an exception *pending* in the hart, which the engine
// takes with TakePendingException() and then ends the slice. A slow path
// that fails has changed no architectural state, except a page walk setting
// accessed/dirty bits, as hardware would.
//
// Not thread-safe: CPU thread only.
#pragma once

#include <cstdint>
#include <cstring>

#include "emulator/cpu/decode.h"
#include "emulator/cpu/hart_inl.h"
#include "emulator/cpu/hart_state.h"

namespace tapvm {

class HartEngineAccess {
 public:
  // A data TLB entry: a hit when tag == (va & (~0xfff | (size - 1))), i.e.
  // the page matches and the access is aligned; host address = va + addend.
  using TlbEntry = Hart::TlbEntry;
  // A fetch TLB entry: a hit when tag == (pc & ~0xfff); pc's slot is then
  // page->insns[(pc & 0xfff) >> 1].
  using FetchEntry = Hart::FetchEntry;
  // The decoded instructions of one physical page: a slot per halfword, set
  // lazily (Op::DECODE until something decodes it from `host`), and a
  // PAGE_END slot past the end.
  using DecodedPage = Hart::DecodedPage;
  static constexpr unsigned kTlbSize = Hart::kTlbSize;
  static constexpr uint64_t kInvalidTag = Hart::kInvalidTag;

  HartState& state() const { return hart_->s_; }
  const HartConfig& config() const { return hart_->config_; }

  // ---- data memory ----

  // TLB hits only: true when the access was done, false (with no side
  // effect) when it needs the slow path.
  template <typename T>
  bool LoadHit(uint64_t va, T* out) const { return hart_->LoadHit(va, out); }
  template <typename T>
  bool StoreHit(uint64_t va, T value) const { return hart_->StoreHit(va, value); }

  // A load or store of `size` (1, 2, 4 or 8) bytes with the data privilege
  // (MPRV honoured): translation, PMP, then RAM or the bus. RAM pages are
  // entered in the TLB so the next access hits. Misaligned RAM accesses are
  // done byte by byte and never trap; misaligned device accesses fault; a
  // faulting store writes nothing. Returns 0: exception pending; 1: done in
  // RAM; 2: done and it was a device access, so the slice ends after this
  // instruction.
  int LoadSlow(uint64_t va, unsigned size, uint64_t* out) const { return hart_->LoadSlow(va, size, out); }
  int StoreSlow(uint64_t va, unsigned size, uint64_t value) const { return hart_->StoreSlow(va, size, value); }
  // LoadHit or else LoadSlow (StoreHit or else StoreSlow) in one call, with
  // the same results; pc and icount must be synced before, as for the slow
  // paths, since the call may take one.
  template <typename T>
  int Load(uint64_t va, T* out) const { return hart_->Load(va, out); }
  template <typename T>
  int Store(uint64_t va, T value) const { return hart_->Store(va, value); }

  // Where the hart keeps its current read and write TLB tables (kTlbSize
  // entries each; they change with the data privilege and MPRV), for an
  // engine that looks the TLB up in generated code: read the pointer at
  // each access, never keep the table.
  TlbEntry* const* read_tlb_ref() const { return &hart_->rtlb_; }
  TlbEntry* const* write_tlb_ref() const { return &hart_->wtlb_; }
  // The same for the fetch TLB (it changes with the privilege).
  FetchEntry* const* fetch_tlb_ref() const { return &hart_->ftlb_; }

  // The host address of the naturally aligned `size` bytes at va for an AMO
  // or SC (translated and PMP-checked for read and write) or an LR (for_lr:
  // for read). RAM only. nullptr: exception pending (address-misaligned if
  // unaligned, access fault on a device or ROM). *pa_out gets the guest
  // physical address, which is what an LR/SC reservation holds. The caller
  // does the access itself; an AMO does not end the slice.
  uint8_t* AmoPtr(uint64_t va, unsigned size, bool for_lr, uint64_t* pa_out = nullptr) const {
    return hart_->AmoPtr(va, size, for_lr, pa_out);
  }

  // ---- instruction fetch ----

  // The fetch TLB entry for pc's page under the current privilege (hit or
  // not: compare its tag, see FetchEntry).
  const FetchEntry& FetchTlbEntry(uint64_t pc) const {
    return hart_->ftlb_[(pc >> 12) & (kTlbSize - 1)];
  }
  // Translates pc for execution and returns its slot: in its page's decoded
  // page (now in the fetch TLB), or cross_page() for an instruction that
  // straddles two pages or lies in a page PMP covers only in part (already
  // decoded, followed by PAGE_END). nullptr: fetch exception pending.
  DecodedInsn* FetchSlow(uint64_t pc) const { return hart_->FetchSlow(pc); }
  // The slot of the instruction at page offset `off`, decoded first if it
  // is not yet (Op::DECODE): the one way every engine decodes, so all leave
  // a decoded page in the same state. An instruction that straddles the
  // page's end becomes CROSS_PAGE; a pc-relative jump that stays in the
  // page gets its same-page variant (BEQ -> BEQ_L), which needs no check.
  static DecodedInsn* DecodeSlot(DecodedPage* page, unsigned off) {
    DecodedInsn* d = &page->insns[off >> 1];
    if (d->op != Op::DECODE) return d;
    uint16_t lo;
    std::memcpy(&lo, page->host + off, 2);
    if ((lo & 3) == 3 && off == 0xffe) {
      d->op = Op::CROSS_PAGE;
      return d;
    }
    uint32_t raw = lo;
    if ((lo & 3) == 3) {
      uint16_t hi;
      std::memcpy(&hi, page->host + off + 2, 2);
      raw |= static_cast<uint32_t>(hi) << 16;
    }
    *d = Decode(raw);
    const Op local = LocalJumpVariant(d->op);
    const int64_t target_off = static_cast<int64_t>(off) + d->imm;
    if (local != d->op && target_off >= 0 && target_off < 4096) d->op = local;
    return d;
  }
  // Fetches and decodes the instruction at pc into cross_page()[0], checking
  // translation and PMP for each halfword; op PAGE_END there means a fetch
  // exception is pending.
  void DecodeCrossPage(uint64_t pc) const { hart_->DecodeCrossPage(pc); }
  DecodedInsn* cross_page() const { return hart_->cross_page_; }

  // ---- exceptions ----

  // Makes (cause, tval) the pending exception, for an instruction that
  // faults by itself (illegal, ecall, ebreak).
  void SetPendingException(Exc cause, uint64_t tval) const {
    hart_->pending_cause_ = cause;
    hart_->pending_tval_ = tval;
  }
  // Takes the pending exception as a trap of the instruction at state().pc:
  // sets xcause/xepc/xtval, mstatus and priv as delegation says, counts it in
  // traps, drops the LR reservation, and moves pc to the handler.
  void TakePendingException() const {
    hart_->TakeTrap(static_cast<uint64_t>(hart_->pending_cause_), false, hart_->pending_tval_);
  }
  // SetPendingException and TakePendingException in one.
  void RaiseException(Exc cause, uint64_t tval) const { hart_->RaiseException(cause, tval); }

  // ---- CSRs and privileged instructions ----

  // false: the access is illegal (the engine raises an illegal-instruction
  // exception with the instruction's bits). A write may flush TLBs (satp,
  // PMP, mstatus SUM/MXR) and change interrupt enables or the time base,
  // which is why a CSR instruction that writes ends the slice unless
  // CsrInsnEndsSlice says otherwise.
  bool CsrRead(unsigned csr, uint64_t* value) const { return hart_->CsrRead(csr, value); }
  bool CsrWrite(unsigned csr, uint64_t value) const { return hart_->CsrWrite(csr, value); }
  // Whether the CSR instruction `d` (csrrw .. csrrci) ends its slice when
  // it retires: it writes (csrrw/csrrwi always; the set and clear forms
  // when rs1 / uimm is not 0) a CSR that Hart::CsrWriteEndsSlice names. A
  // pure read never does: reading changes nothing the machine looks at
  // between slices, and what it reads (counters, time, mip) is exact at
  // any instruction.
  static bool CsrInsnEndsSlice(const DecodedInsn& d) {
    const bool writes = d.op == Op::CSRRW || d.op == Op::CSRRWI || d.rs1 != 0;
    return writes && Hart::CsrWriteEndsSlice(static_cast<unsigned>(d.imm));
  }
  // The value a csrrs/csrrc read-modify-write starts from, given what
  // CsrRead returned (differs from it for mip/sip, see Hart::RmwValue).
  uint64_t RmwValue(unsigned csr, uint64_t read) const { return hart_->RmwValue(csr, read); }

  // mret/sret after the caller's privilege checks (priv, mstatus.TSR): pc
  // becomes mepc/sepc, priv and mstatus change.
  void ExecMret() const { hart_->ExecMret(); }
  void ExecSret() const { hart_->ExecSret(); }
  // The interrupts pending from CSRs and device lines (wfi's wake check).
  uint64_t EffectiveMip() const { return hart_->EffectiveMip(); }
  // Marks the FP state dirty (mstatus.FS, SD) after an FP register write.
  void SetFsDirty() const { hart_->SetFsDirty(); }
  // sfence.vma: with an address (rs1 != x0) FlushTlbPage(va), else
  // FlushTlbs(false), which leaves the M-mode tables.
  void FlushTlbPage(uint64_t va) const { hart_->FlushTlbPage(va); }
  void FlushTlbs(bool include_m) const { hart_->FlushTlbs(include_m); }
  // fence.i: drops the decoded pages written since they were decoded (and
  // tells the engine, see engine.h).
  void FenceI() const { hart_->DropWrittenCode(); }

 private:
  friend class Hart;
  explicit HartEngineAccess(Hart* hart) : hart_(hart) {}

  Hart* hart_;
};

}  // namespace tapvm
