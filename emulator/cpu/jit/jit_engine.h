// JitEngine: the baseline JIT (EngineKind::kJit). Translates basic blocks
// of the hart's decoded instructions to x86-64 and runs them, with the
// interpreter's results to the bit and its slice ends to the instruction
// (engine.h); the interpreter runs whatever is not translated.
//
// Dispatch: each block is looked up from the hart's fetch TLB, so every
// entry into translated code goes through the current translation and
// permissions; a block is keyed by the physical address it was translated
// from and by the virtual pc it bakes in. A direct-mapped jump cache in
// front of the block map is checked against the same fetch TLB entry.
//
// Exact counts: a block retires its instructions as constants. Before a
// block is entered the remaining budget is checked; a budget shorter than
// the block is run in the interpreter. An instruction a block cannot hold
// (a CSR write that ends the slice, fence.i, sfence.vma, ecall, ebreak,
// wfi, xRET, an instruction straddling pages) ends the block before it, and
// the interpreter runs that one instruction (its RunSlice(1) reports
// whether it ends the slice).
// Cold blocks (reached fewer than hot_after times) are not translated: the
// interpreter runs up to kColdRun instructions from them.
//
// Chaining: a block exit to a constant pc in its own page is patched, the
// first time it is taken, to jump straight to the next block; other exits
// look the next block up in the jump cache from translated code
// (translator.h). Links live in the code cache and go with it.
//
// Self-modifying code: a block decodes its instructions into the hart's
// decoded pages, as the interpreter does, but when it is translated, before
// earlier instructions of the block ran. So it stops before an instruction
// not decoded yet that follows a memory access: code rewriting instructions
// ahead of it, even without fence.i, runs as in the interpreter.
//
// Invalidation: OnCodeInvalidated (every decoded page dropped) drops
// every block and flushes the code cache; so does OnCodePagesDropped
// (fence.i dropped the pages written since decoded) when some block was
// translated from one of those pages, and otherwise nothing needs to go
// (blocks are chained to each other, so dropping a single page's would
// mean unlinking them). Both may come from inside a slow path, so they
// only mark the flush, done by the dispatcher before the next lookup,
// never while translated code runs. OnTranslationFlushed needs
// nothing: no block is reached without the fetch TLB. The code cache is
// also flushed whole when full.
//
// Not thread-safe: CPU thread only, like the Hart.
#pragma once

#include <cstdint>
#include <string_view>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "emulator/cpu/engine.h"
#include "emulator/cpu/hart_engine_access.h"
#include "emulator/cpu/interpreter.h"
#include "emulator/cpu/jit/code_cache.h"
#include "emulator/cpu/jit/translator.h"

namespace tapvm::jit {

class JitEngine final : public ExecutionEngine {
 public:
  static constexpr uint32_t kDefaultHotAfter = 8;

  // hot_after: see kDefaultHotAfter (0 counts as 1).
  JitEngine(HartEngineAccess hart, size_t cache_bytes, uint32_t hot_after = kDefaultHotAfter);

  std::string_view name() const override { return EngineKindName(EngineKind::kJit); }
  SliceEnd RunSlice(uint64_t budget) override;
  void OnCodeInvalidated() override { flush_pending_ = true; }
  void OnCodePagesDropped(std::span<const uint64_t> pa_pages) override;
  void OnTranslationFlushed(uint64_t va_page) override {}
  EngineStats stats() const override {
    EngineStats s = stats_;
    s.insns_interpreted += ctx_.interp_insns;
    return s;
  }
  void set_stats_clock(uint64_t (*now_ns)()) override { clock_ = now_ns; }

 private:
  // fn set: translated. Else cold (hits < kHotAfter: not worth
  // translating yet) or, with hits == kUntranslated, not translatable.
  struct Block {
    BlockFn fn = nullptr;
    uint8_t* chain = nullptr;  // the chain entry (translator.h)
    uint32_t ninsns = 0;
    uint32_t hits = 0;
  };
  // A block is translated when the dispatcher reaches it for the
  // hot_after-th time (default kDefaultHotAfter); until then the interpreter runs up to kColdRun
  // instructions from it at a time. Most of a Linux boot runs a few times
  // only: translating all of it cost more than it saved (the boot, with
  // fence.i dropping only written code, `run` wall seconds by
  // --jit-hot-after: 1: 0.43, 2: 0.28, 4, 8 and 16: 0.25-0.26).
  static constexpr uint64_t kColdRun = 64;
  static constexpr uint32_t kUntranslated = ~0u;
  struct Key {
    uint64_t pa, va;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return (k.pa * 0x9e3779b97f4a7c15ull) ^ (k.va >> 1); }
  };

  // The block at the hart's pc; false when the fetch TLB has no entry for
  // it (the interpreter then fetches).
  bool Find(uint64_t pc, Block* out);
  Block Translate(uint64_t pc, uint64_t pa, HartEngineAccess::DecodedPage* page);
  void FlushNow();

  HartEngineAccess hart_;
  Interpreter interp_;
  JitContext ctx_;
  CodeCache cache_;
  Translator translator_;
  std::unordered_map<Key, Block, KeyHash> blocks_;
  std::unordered_set<uint64_t> translated_pages_;  // guest-physical pages with a block in the cache
  std::vector<JumpCacheEntry> jump_cache_;
  // The dispatcher's own cache of blocks_ entries by virtual pc (valid
  // like the jump cache: only while the fetch TLB maps pc to `pa`), for
  // the blocks not translated yet and the translated ones the smaller jump
  // cache lost: cold code is reached through the dispatcher again and
  // again, and a map lookup each time showed at 9% of a boot. Map nodes
  // stay put until FlushNow clears both.
  struct ColdCacheEntry {
    uint64_t va = ~0ull;
    uint64_t pa = ~0ull;
    Block* block = nullptr;
  };
  static constexpr unsigned kColdCacheSize = 4 * kJumpCacheSize;
  std::vector<ColdCacheEntry> cold_cache_;
  std::vector<DecodedInsn> scratch_;
  const uint32_t hot_after_;
  bool flush_pending_ = false;
  uint64_t flushes_ = 0;  // every FlushNow that dropped code: a link site from before one is stale
  EngineStats stats_;
  uint64_t (*clock_)() = nullptr;
};

}  // namespace tapvm::jit
