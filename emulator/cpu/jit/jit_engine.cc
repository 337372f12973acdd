// JitEngine: the dispatcher around translated blocks (see jit_engine.h).
#include "emulator/cpu/jit/jit_engine.h"

#include <cstring>

namespace tapvm::jit {

using DecodedPage = HartEngineAccess::DecodedPage;

JitEngine::JitEngine(HartEngineAccess hart, size_t cache_bytes, uint32_t hot_after)
    : hart_(hart),
      interp_(hart),
      ctx_{0, nullptr, hart.read_tlb_ref(), hart.write_tlb_ref(), hart.fetch_tlb_ref(), nullptr, hart, &interp_},
      cache_(cache_bytes < 2 * kMaxBlockBytes ? 2 * kMaxBlockBytes : cache_bytes),
      jump_cache_(kJumpCacheSize),
      cold_cache_(kColdCacheSize),
      hot_after_(hot_after == 0 ? 1 : hot_after) {
  scratch_.reserve(kMaxBlockInsns);
  ctx_.jump_cache = jump_cache_.data();
}

SliceEnd JitEngine::RunSlice(uint64_t budget) {
  HartState& s = hart_.state();
  uint64_t remaining = budget;
  uint8_t* link_site = nullptr;  // the last block's exit, to link to the next
  while (true) {
    if (flush_pending_) {
      // Asked for from inside the last block (a slow path dropped the
      // decoded pages): its link site went with the code.
      FlushNow();
      link_site = nullptr;
    }
    const uint64_t flushes = flushes_;  // Find may flush a full cache too
    Block b;
    bool found = cache_.ok() && Find(s.pc, &b);
    if (link_site && found && b.fn && flushes == flushes_) {
      PatchJump(link_site, b.chain);
      ++stats_.links;
    }
    link_site = nullptr;
    if (found && b.fn && b.ninsns <= remaining) {
      const uint64_t before = s.icount;
      ctx_.link_site = nullptr;
      uint64_t r = b.fn(&s, &ctx_, remaining);
      remaining -= s.icount - before;  // chained blocks ran too
      if (r == kExitEvent) return SliceEnd::kEvent;
      if (r == kExitTrap) return SliceEnd::kTrap;
      if (remaining == 0) return SliceEnd::kBudget;
      link_site = ctx_.link_site;
      continue;
    }
    // The interpreter: a budget tail shorter than the block; a stretch of
    // cold code; or one instruction that is not translated or whose page
    // the fetch TLB does not hold yet (it fetches).
    uint64_t n = 1;
    if (found && b.fn) {
      n = remaining;
    } else if (found && b.hits != kUntranslated) {
      n = remaining < kColdRun ? remaining : kColdRun;
    }
    uint64_t before = s.icount;
    SliceEnd end = interp_.RunSlice(n);
    uint64_t ran = s.icount - before;
    stats_.insns_interpreted += ran;
    remaining -= ran;
    if (end != SliceEnd::kBudget) return end;
    if (remaining == 0) return SliceEnd::kBudget;
  }
}

bool JitEngine::Find(uint64_t pc, Block* out) {
  const HartEngineAccess::FetchEntry& e = hart_.FetchTlbEntry(pc);
  if (e.tag != (pc & ~0xfffull)) return false;
  const uint64_t pa = (e.page->pa & ~0xfffull) | (pc & 0xfff);
  JumpCacheEntry& j = jump_cache_[(pc >> 1) & (kJumpCacheSize - 1)];
  if (j.va == pc && j.pa == pa) {
    *out = Block{j.fn, j.chain, j.ninsns, 0};
    return true;
  }
  const Key key{pa, pc};
  ColdCacheEntry& c = cold_cache_[(pc >> 1) & (kColdCacheSize - 1)];
  if (c.va != pc || c.pa != pa) c = ColdCacheEntry{pc, pa, &blocks_[key]};
  Block& entry = *c.block;
  if (entry.fn || entry.hits == kUntranslated || ++entry.hits < hot_after_) {
    if (entry.fn) j = JumpCacheEntry{pc, pa, entry.chain, entry.fn, entry.ninsns};
    *out = entry;
    return true;
  }
  Block b = Translate(pc, pa, e.page);  // may flush the cache, the map and the jump cache
  if (!b.fn) b.hits = kUntranslated;
  blocks_[key] = b;
  if (b.fn) jump_cache_[(pc >> 1) & (kJumpCacheSize - 1)] = JumpCacheEntry{pc, pa, b.chain, b.fn, b.ninsns};
  *out = b;
  return true;
}

JitEngine::Block JitEngine::Translate(uint64_t pc, uint64_t pa, DecodedPage* page) {
  const uint64_t t0 = clock_ ? clock_() : 0;
  scratch_.clear();
  uint64_t at = pc;
  bool touched_memory = false;
  while (scratch_.size() < kMaxBlockInsns && (at & ~0xfffull) == (pc & ~0xfffull)) {
    // The interpreter decodes an instruction when it first runs it. After
    // an access that may have changed memory (a store, or a device access
    // with side effects), an instruction not decoded yet is left for a
    // later block, translated when it is reached: so it is decoded at the
    // same point, and even code that rewrites itself without fence.i runs
    // as in the interpreter.
    if (touched_memory && page->insns[(at & 0xfff) >> 1].op == Op::DECODE) break;
    const DecodedInsn* d = HartEngineAccess::DecodeSlot(page, at & 0xfff);
    DecodedInsn insn = *d;
    insn.op = CanonicalOp(d->op);
    const Op op = insn.op;
    if (!IsTranslated(op) && !RunsInBlock(insn)) break;
    scratch_.push_back(insn);
    at += d->len;
    if (EndsBlock(op)) break;
    touched_memory = touched_memory || TouchesMemory(op);
  }
  Block b;
  if (!scratch_.empty()) {
    if (cache_.free_bytes() < kMaxBlockBytes) FlushNow();
    TranslatedCode code =
        translator_.Translate(scratch_.data(), scratch_.size(), pc, cache_.cursor(), cache_.free_bytes());
    if (code.size != 0) {
      b.fn = reinterpret_cast<BlockFn>(cache_.cursor());
      b.chain = cache_.cursor() + code.chain_offset;
      b.ninsns = static_cast<uint32_t>(scratch_.size());
      cache_.Commit(code.size);
      translated_pages_.insert(pa & ~0xfffull);
      ++stats_.blocks_translated;
      stats_.insns_translated += b.ninsns;
      stats_.code_bytes += code.size;
    }
  }
  if (clock_) stats_.translate_ns += clock_() - t0;
  return b;
}

void JitEngine::OnCodePagesDropped(std::span<const uint64_t> pa_pages) {
  for (uint64_t pa : pa_pages)
    if (translated_pages_.count(pa)) return void(flush_pending_ = true);
}

void JitEngine::FlushNow() {
  flush_pending_ = false;
  if (blocks_.empty()) return;
  blocks_.clear();
  translated_pages_.clear();
  std::fill(jump_cache_.begin(), jump_cache_.end(), JumpCacheEntry{});
  std::fill(cold_cache_.begin(), cold_cache_.end(), ColdCacheEntry{});
  cache_.Flush();
  ++flushes_;
  ++stats_.cache_flushes;
}

}  // namespace tapvm::jit
