// Hart: one RV64GC hart (RV64IMAFDC + Zicsr, Zifencei, Zicntr; M, S and U
// modes; Sv39/Sv48 paging; 16 PMP entries; the Sdtrig debug triggers of
// triggers.h) executing against a Bus.
//
// Contract:
// - Deterministic: what the hart does is a function of its HartState, the
//   bus contents and device behaviour. Virtual time (mtime and the `time`
//   CSR) is (icount + idle_warp) >> time_shift; no host clock is read.
// - Run(limit) executes until icount == limit, or the hart idles in WFI with
//   nothing to wake it, or a device asks the machine to stop. Interrupts are
//   taken only at instruction boundaries, at the start of a run slice; slices
//   end at every event that may change interrupt state (most CSR writes, xRET,
//   device accesses, traps, timer deadlines), so an interrupt is taken at the
//   same icount on every run.
// - Misaligned loads and stores to RAM are performed (byte by byte, as if by
//   hardware) and never trap; misaligned accesses to devices raise an access
//   fault; misaligned AMO/LR/SC raise an address-misaligned exception.
// - Self-modifying code is visible after fence.i (the decoded-instruction
//   cache is dropped then), as the spec requires.
// - Instructions run in an ExecutionEngine (engine.h) the hart owns, chosen
//   by HartConfig::engine; the engine reaches the hart's private slow paths
//   through HartEngineAccess, which only the hart hands out.
//
// Not thread-safe: runs on the CPU thread; devices call SetInterruptLine from
// that thread too.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "emulator/cpu/debug_hook.h"
#include "emulator/cpu/decode.h"
#include "emulator/cpu/engine.h"
#include "emulator/base/state_io.h"
#include "emulator/base/status.h"
#include "emulator/cpu/hart_state.h"
#include "emulator/machine/bus.h"
#include "emulator/machine/device.h"

namespace tapvm {

struct HartConfig {
  // mtime advances by one tick every 2^time_shift instructions.
  unsigned time_shift = 4;
  uint64_t reset_pc = 0x80000000;
  uint64_t hartid = 0;
  // What runs the instructions. Every engine gives the same results.
  EngineKind engine = EngineKind::kInterpreter;
  // The JIT's code cache, flushed whole when full, and how many times the
  // JIT reaches a block before it translates it (1: at once).
  unsigned jit_cache_mb = 64;
  unsigned jit_hot_after = 8;
  // Mnemonic of an instruction to execute wrongly (mutation testing of the
  // ISA tests, see decode.h); empty for none.
  std::string break_insn;
};

// kIdle: waiting in WFI with nothing that can wake it. kStuck: taking traps
// without retiring any instruction (a fault at its own trap vector).
// kDebug: the debug hook asked to stop (debug_hook.h).
enum class StopReason { kLimit, kIdle, kStuck, kDeviceRequest, kDebug };

class Hart : public HartPort {
 public:
  Hart(Bus* bus, const HartConfig& config);
  ~Hart() override;
  Hart(const Hart&) = delete;
  Hart& operator=(const Hart&) = delete;

  // Resets architectural state: M-mode at reset_pc, a0 = hartid.
  void Reset();

  // Runs until icount reaches `icount_limit` (exactly), or the hart idles
  // in WFI with no interrupt pending (kIdle: the caller decides how far
  // virtual time jumps, see WarpTo), or the stop check asks to stop.
  StopReason Run(uint64_t icount_limit);
  // Ends the current Run after the current instruction.
  void RequestStop() { stop_requested_ = true; }
  // Called after every run slice (slices end after device accesses); when it
  // returns true, Run returns kDeviceRequest. The board checks its finisher
  // and HTIF mailbox here.
  void set_stop_check(std::function<bool()> f) { stop_check_ = std::move(f); }

  HartState& state() { return s_; }
  const HartState& state() const { return s_; }
  // xxHash (XXH3-64) of the architectural state (not caches, not x[32]).
  uint64_t StateDigest() const;
  // Checkpoints: the fields VisitHartState walks, in its order. LoadState
  // (between runs, CPU thread) validates them (a privilege that does not
  // exist, x0 not zero, frm/fflags out of range, a trigger register value
  // the trigger module cannot hold), installs them and drops every cache
  // (TLBs, decoded pages, the engine's code), as FlushCaches; on error the
  // hart is unchanged. A hart saved before the trigger module (without
  // its fields) loads with the triggers at reset.
  void SaveState(StateWriter& w) const;
  Status LoadState(StateReader& r);
  // Makes every store take the slow path once more (drops the write TLB
  // entries of every privilege), so the bus sees the next write to each
  // page: the dirty-page tracker's reset (Bus::ClearDirty). Translations
  // and decoded code stay.
  void DropWriteTlbs();

  // The next mtime at which a timed device acts, UINT64_MAX if none.
  uint64_t NextTimerDeadline() const;
  // Advances virtual time to `mtime` (a clock warp while idle); never back.
  void WarpTo(uint64_t mtime);

  // Devices with time-driven behaviour (the CLINT).
  void AddTimedDevice(TimedDevice* dev) { timed_.push_back(dev); }
  // The `time` CSR reads this (default: Mtime()); the board points it at the
  // CLINT so a guest write to mtime is seen by both.
  void set_time_source(std::function<uint64_t()> f) { time_source_ = std::move(f); }

  // HartPort
  void SetInterruptLine(uint64_t mip_bits, bool level) override;
  uint64_t Mtime() const override { return (s_.icount + s_.idle_warp) >> config_.time_shift; }

  // Drops all translation and decoded-instruction caches, the engine's
  // included (ExecutionEngine::OnCodeInvalidated, OnTranslationFlushed),
  // and derives again what the triggers watch. Call after changing guest
  // memory or state from outside (loading a program, restoring a
  // snapshot, setting trigger registers in state()).
  void FlushCaches();

  // ---- debugger access (hart_debug.cc), for a stub outside emulator/ ----
  // Installs (nullptr: removes) the hook Run asks at every instruction
  // boundary (debug_hook.h); the hook must outlive its installation. Call
  // between runs.
  void set_debug_hook(DebugHook* hook);
  DebugHook* debug_hook() const { return debug_hook_; }
  // Virtual to physical as the current data privilege (MPRV honoured), or
  // for `fetch` the current privilege, sees it, with no side effect at
  // all: no A/D bit written, no TLB entry filled, no exception made
  // pending. Permissions are not checked beyond the page being mapped (a
  // debugger may look at any mapped page).
  bool DebugTranslate(uint64_t va, uint64_t* pa, bool fetch = false) const;
  // Reads guest virtual memory through DebugTranslate: RAM and ROM only (a
  // device register read has side effects); false if any byte is not.
  bool DebugReadVirt(uint64_t va, void* out, unsigned len, bool fetch = false) const;
  // Writes guest virtual memory (RAM only) and drops every decoded
  // instruction, so code written is what runs. Changes the machine: only
  // where nothing replays it (run mode).
  bool DebugWriteVirt(uint64_t va, const void* in, unsigned len);
  // A CSR as M-mode reads it, without privilege checks; false for a CSR
  // that does not exist. No side effect.
  bool DebugReadCsr(unsigned csr, uint64_t* value);
  // Writes a CSR as M-mode would (run mode only, like DebugWriteVirt).
  bool DebugWriteCsr(unsigned csr, uint64_t value);

  const HartConfig& config() const { return config_; }

  // The engine running this hart's instructions.
  const ExecutionEngine& engine() const { return *engine_; }
  ExecutionEngine& engine() { return *engine_; }
  // Replaces the engine with one that `make` builds around the access it is
  // given: for engines that are no EngineKind (tests, experiments). Call
  // between runs, never from inside one.
  using EngineFactory = std::function<std::unique_ptr<ExecutionEngine>(HartEngineAccess)>;
  void InstallEngine(const EngineFactory& make);

 private:
  friend class HartTestPeer;
  friend class HartEngineAccess;
  struct TlbEntry {
    uint64_t tag;      // virtual page | access-size check bits; kInvalidTag if empty
    uintptr_t addend;  // host address = va + addend
  };
  struct DecodedPage;
  struct FetchEntry {
    uint64_t tag;
    DecodedPage* page;
  };
  enum Access : uint8_t { kRead = 0, kWrite = 1, kExec = 2 };
  static constexpr unsigned kTlbSize = 1024;  // 4 MiB of reach per table
  static constexpr uint64_t kInvalidTag = ~0ull;

  // Executes one instruction with the mutation of config_.break_insn.
  void StepWithBreak();
  // Run with a debug hook: one instruction boundary per step (hart_debug.cc).
  StopReason RunDebug(uint64_t icount_limit);

  // The trigger module (triggers.cc, triggers.h). TriggersLive: some
  // trigger can fire at the current privilege, so the slice runs watched.
  bool TriggerCsrRead(unsigned csr, uint64_t* value) const;
  bool TriggerCsrWrite(unsigned csr, uint64_t value);
  void UpdateTriggerModes();
  bool TriggersLive() const;
  SliceEnd RunWatched(uint64_t budget);
  bool FireExecuteTrigger();
  bool FireDataTrigger();
  DecodedInsn PeekInsn();
  void FireTriggers(unsigned fired, uint64_t tval);

  // Traps (hart.cc).
  void RaiseException(Exc cause, uint64_t tval);
  void TakeTrap(uint64_t cause, bool interrupt, uint64_t tval);
  // The highest-priority interrupt that is pending and enabled, or -1.
  int PendingInterrupt() const;
  void ExecMret();
  void ExecSret();
  uint64_t EffectiveMip() const { return s_.mip | s_.mip_lines; }
  void UpdateTimers();
  uint64_t SliceBudget(uint64_t icount_limit) const;

  // CSRs (csr.cc). Return false for an illegal access.
  bool CsrRead(unsigned csr, uint64_t* value);
  bool CsrWrite(unsigned csr, uint64_t value);
  // Whether a write of `csr` must end the slice (engine.h): anything that
  // may change interrupt enables or pending bits, translation, PMP, the
  // counters' base or the debug triggers. The plain registers (fflags, frm,
  // fcsr, and the trap handlers' scratch, epc, cause, tval and tvec) are
  // only read back by instructions and traps, so a write of them does not.
  static bool CsrWriteEndsSlice(unsigned csr);
  // The value a CSRRS/CSRRC read-modify-write starts from: for mip (and
  // sip), SEIP is the software-writable bit alone, not ORed with the
  // external interrupt line (privileged spec 3.1.9), so setting another
  // bit never latches the PLIC's line into the software bit.
  uint64_t RmwValue(unsigned csr, uint64_t read) const {
    if (csr != 0x344 && csr != 0x144) return read;
    return (read & ~kMipSEIP) | (read & s_.mip & kMipSEIP);
  }
  void WriteMstatus(uint64_t v);
  uint64_t ReadSstatus() const;
  void SetFsDirty() { s_.mstatus |= mstatus::kFS | mstatus::kSD; }

  // Memory (mmu.cc).
  Priv DataPriv() const;
  void UpdateTlbPointers();
  // Drops translations and tells the engine. M-mode tables depend only on
  // PMP, so satp and sfence.vma leave them (include_m = false); PMP changes
  // drop them too.
  void FlushTlbs(bool include_m = true);
  // Drops the translations of one virtual page (sfence.vma with an address)
  // and tells the engine.
  void FlushTlbPage(uint64_t va);
  // Recomputes pmp_active_ and the spans after a pmpcfg write.
  void UpdatePmpActive();
  // Recomputes pmp_spans_ after a pmpcfg or pmpaddr write.
  void UpdatePmpSpans();
  // Translates va for an access of `len` bytes; on failure sets the pending
  // exception and returns false.
  bool Translate(uint64_t va, Access access, Priv priv, uint64_t* pa);
  bool WalkPageTable(uint64_t va, Access access, Priv priv, uint64_t* pa);
  bool PmpAllows(uint64_t pa, uint64_t len, Access access, Priv priv) const;
  bool PmpPageUniform(uint64_t pa_page, Access access, Priv priv) const;
  // Slow paths of Load/Store: 0 = exception pending, 1 = done,
  // 2 = done and it was a device access (the run slice must end).
  int LoadSlow(uint64_t va, unsigned size, uint64_t* out);
  int StoreSlow(uint64_t va, unsigned size, uint64_t value);
  // Host pointer for an aligned AMO/LR/SC of `size` bytes (RAM only); the
  // guest physical address goes to *pa_out when given (LR/SC reservations).
  uint8_t* AmoPtr(uint64_t va, unsigned size, bool for_lr, uint64_t* pa_out = nullptr);
  // The decoded instructions for the page holding pc (fetch translation).
  DecodedInsn* FetchSlow(uint64_t pc);
  DecodedPage* GetDecodedPage(uint64_t pa_page, const uint8_t* host);
  void DecodeCrossPage(uint64_t pc);
  // Drops every decoded page and tells the engine (FlushCaches, a full
  // decoded-page cache, a debugger's write).
  void DropDecodedPages();
  // fence.i: drops the decoded pages that were written since they were
  // decoded, as the bus's code watch lists them (Bus::WatchCode), and
  // tells the engine which (ExecutionEngine::OnCodePagesDropped). A page
  // not written since still matches memory, so keeping it changes nothing
  // the guest sees; Linux runs fence.i hundreds of times in a boot, and
  // dropping every page each time re-decoded (and re-translated) the
  // kernel's hot code over and over.
  void DropWrittenCode();
  // Drops the write TLB entries (every privilege) that point into the
  // host page at `host_page`.
  void DropWriteTlbsInto(const uint8_t* host_page);

  // TLB hits only (false: take the slow path). The engine syncs pc and
  // icount into the state before a slow path, so a device (and the tap
  // behind it) sees the exact instruction count of the access.
  template <typename T>
  inline bool LoadHit(uint64_t va, T* out);
  template <typename T>
  inline bool StoreHit(uint64_t va, T value);
  // Same results as LoadSlow/StoreSlow; a TLB hit is one compare and one add.
  template <typename T>
  inline int Load(uint64_t va, T* out);
  template <typename T>
  inline int Store(uint64_t va, T value);

  // Exception raised by a memory access, taken by the engine.
  Exc pending_cause_ = Exc::kIllegal;
  uint64_t pending_tval_ = 0;

  HartState s_{};
  HartConfig config_;
  Bus* bus_;
  std::vector<TimedDevice*> timed_;
  std::function<uint64_t()> time_source_;
  std::function<bool()> stop_check_;
  bool stop_requested_ = false;
  bool pmp_active_ = false;  // any PMP entry has A != OFF
  // The PMP entries that match some address, in priority order, decoded
  // from pmpcfg/pmpaddr (PmpAllows runs on every TLB fill and page walk).
  struct PmpSpan {
    uint64_t lo, hi;  // [lo, hi)
    uint8_t cfg;
  };
  PmpSpan pmp_spans_[16];
  unsigned pmp_span_count_ = 0;
  // Superpages whose 4 KiB pieces may sit in the TLBs (virtual base, size):
  // sfence.vma of an address inside one must drop them all.
  std::vector<std::pair<uint64_t, uint64_t>> tlb_superpages_;
  bool tlb_superpages_overflow_ = false;
  unsigned last_leaf_level_ = 0;  // of the last successful page walk
  void NoteTranslation(uint64_t va);
  bool slice_trapped_ = false;  // the last slice ended in an exception

  // TLBs by privilege (U, S, M) and access; rtlb_/wtlb_ point at the
  // tables for the current data privilege, ftlb_ for fetch. Index 2 holds
  // S-mode data translations made with mstatus.SUM set (UpdateTlbPointers);
  // its fetch table stays unused.
  static constexpr unsigned kSumTables = 2;
  TlbEntry tlb_[4][2][kTlbSize];
  FetchEntry fetch_tlb_[4][kTlbSize];
  // The entries filled since each privilege's tables were last flushed:
  // FlushTlbs clears just those while they are few (Linux runs sfence.vma
  // at every context switch, and clearing every table whole each time cost
  // 2.5% of a boot). n past kFillLogSize: too many, clear whole; so it
  // starts, as the tables start out uninitialised.
  static constexpr unsigned kFillLogSize = 256;
  struct FillLog {
    unsigned n = kFillLogSize + 1;
    uint16_t index[kFillLogSize];
  };
  FillLog fills_[4];
  unsigned TablePriv(const TlbEntry* table) const {
    return static_cast<unsigned>((reinterpret_cast<uintptr_t>(table) - reinterpret_cast<uintptr_t>(tlb_)) /
                                 sizeof(tlb_[0]));
  }
  unsigned TablePriv(const FetchEntry* table) const {
    return static_cast<unsigned>((reinterpret_cast<uintptr_t>(table) - reinterpret_cast<uintptr_t>(fetch_tlb_)) /
                                 sizeof(fetch_tlb_[0]));
  }
  // Logged by the table actually filled (the privilege it belongs to),
  // not by the privilege the access ran at.
  void NoteFill(unsigned table_priv, unsigned index) {
    FillLog& f = fills_[table_priv];
    if (f.n < kFillLogSize) f.index[f.n] = static_cast<uint16_t>(index);
    if (f.n <= kFillLogSize) ++f.n;
  }
  TlbEntry* rtlb_ = nullptr;
  TlbEntry* wtlb_ = nullptr;
  FetchEntry* ftlb_ = nullptr;

  // Decoded instructions by physical page number.
  std::unordered_map<uint64_t, std::unique_ptr<DecodedPage>> decoded_pages_;
  // Dropped pages kept for reuse (at most kSparePages): handing ~33 KB
  // blocks back to malloc only to fault them in again cost more than the
  // decoding, when every fence.i dropped the whole cache.
  std::vector<std::unique_ptr<DecodedPage>> spare_pages_;
  DecodedInsn cross_page_[3];
  std::vector<uint64_t> written_code_;  // DropWrittenCode's scratch
  std::vector<uint64_t> dropped_code_;  // the same
  std::vector<DecodedPage*> dropped_pages_;  // the same

  // Which privilege levels (one bit per Priv value) some trigger watches
  // for execution, for loads or stores, and either: derived from the
  // tdata1 registers by UpdateTriggerModes. Run checks trigger_modes_ at
  // each slice start, the one cost of the trigger module while it is idle.
  uint8_t exec_modes_ = 0, data_modes_ = 0, trigger_modes_ = 0;

  // While debugging: the hook. The interpreter that steps for it and for
  // watched slices, made on first use (the configured engine still hears
  // of every cache flush).
  DebugHook* debug_hook_ = nullptr;
  std::unique_ptr<ExecutionEngine> step_engine_;
  // Last, so it is destroyed first: it holds a pointer to this hart.
  std::unique_ptr<ExecutionEngine> engine_;
};

}  // namespace tapvm
