// Translator: one basic block of decoded RISC-V instructions to x86-64.
//
// A translated block is a function `uint64_t fn(HartState*, JitContext*,
// budget)` that runs every instruction of the block, or stops early at a
// trap or a device access, and returns a BlockExit. The caller makes sure
// budget >= the block's length.
//
// Chaining: an exit to a constant pc in the block's own page can be patched
// to jump straight into the next block's chain entry (same virtual page,
// so the same physical page and permissions: no fetch TLB check is needed,
// and the chain only runs translated code, which changes no mapping). Each
// block's chain entry checks the remaining budget against its length and
// returns to the dispatcher (pc = its start) when it is short, so a chain
// never runs past the budget. An exit to another page, or to a pc known
// only at run time (jalr), looks the next block up in the jump cache,
// checked against the fetch TLB, and enters it at its chain entry too.
//
// Guest registers stay in the HartState (no register caching yet). On
// return, HartState::pc is the next instruction and icount counts what
// retired; before each slow path call both are exact (engine.h), written
// as immediates: an instruction's offset in its block is a constant, so its
// icount is the entry icount plus that offset.
//
// What a block contains (the engine builds the list, see IsTranslated and
// RunsInBlock): RV64IM, loads and stores (FP ones too) translated natively;
// F and D arithmetic through soft-float helpers (fp_helpers.h); A and the
// CSR accesses that do not end a slice by the interpreter from inside the
// block; ending after a jump or branch, or before anything else (other CSR
// instructions, xRET, wfi, fences, ecall...), a page end or
// kMaxBlockInsns. Memory accesses look up the hart's data TLB inline (tag +
// addend, misalignment folded into the tag) and call LoadSlow/StoreSlow out
// of line on a miss.
//
// The block bakes in its virtual pc (auipc, jal, the pc written on exits),
// so the engine keys it by virtual pc as well as physical address.
#pragma once

#include <cstddef>
#include <cstdint>

#include "emulator/cpu/decode.h"
#include "emulator/cpu/hart_engine_access.h"
#include "emulator/cpu/interpreter.h"
#include "emulator/cpu/jit/emitter.h"

namespace tapvm::jit {

struct JitContext;
using BlockFn = uint64_t (*)(HartState* s, JitContext* c, uint64_t budget);

// The engine's jump cache: translated blocks by virtual pc, direct-mapped
// by (pc >> 1) % kJumpCacheSize, each entry valid only if the fetch TLB
// still maps pc to `pa`. The dispatcher and translated code (at an exit to
// a pc in another page or known only at run time) both look it up.
struct alignas(64) JumpCacheEntry {
  uint64_t va = ~0ull;
  uint64_t pa = ~0ull;
  uint8_t* chain = nullptr;  // the block's chain entry
  BlockFn fn = nullptr;
  uint32_t ninsns = 0;
};
inline constexpr unsigned kJumpCacheSize = 4096;

// What translated code works with besides the HartState (passed in rsi).
// Plain data: the generated code reads fields at fixed offsets.
struct JitContext {
  // LoadSlow's value, handed back to the generated code.
  uint64_t slow_value = 0;
  // Set by a block exit that could jump straight to the next block (a
  // constant target in the same page) to the patch site (PatchJump's
  // `after`); the dispatcher links it once that block is translated.
  uint8_t* link_site = nullptr;
  // The hart's current read and write TLB tables (they change with the data
  // privilege, so the code loads them at each access).
  HartEngineAccess::TlbEntry* const* read_tlb;
  HartEngineAccess::TlbEntry* const* write_tlb;
  HartEngineAccess::FetchEntry* const* fetch_tlb;
  const JumpCacheEntry* jump_cache;  // kJumpCacheSize entries
  HartEngineAccess hart;
  // Runs single instructions the translator hands over (RunsInBlock).
  Interpreter* interp;
  uint64_t interp_insns = 0;  // how many it ran so, for stats
};

// How a block returned.
enum BlockExit : uint64_t {
  kExitNext = 0,   // every instruction retired; pc is the next one
  kExitEvent = 1,  // a device access ended the slice after its instruction
  kExitTrap = 2,   // an exception was taken (pc is at its handler)
};

struct TranslatedCode {
  size_t size = 0;          // 0: translation failed
  size_t chain_offset = 0;  // of the chain entry from the start
};

inline constexpr size_t kMaxBlockInsns = 64;
// No block's code is larger than this (checked when copying).
inline constexpr size_t kMaxBlockBytes = 64 * 1024;

// The operation with its same-page variant folded back (BEQ_L -> BEQ):
// translated code does not need the distinction.
Op CanonicalOp(Op op);
// Whether the translator handles `op` (canonical) natively.
bool IsTranslated(Op op);
// Whether a block may contain `d` (canonical op) although it is not
// translated natively: F, D and A instructions, which neither jump nor end
// a slice except by a trap or (FP loads and stores) a device access, and
// the CSR instructions that do not end their slice (pure reads, writes of
// the plain CSRs: HartEngineAccess::CsrInsnEndsSlice), which Linux runs on
// every trap and glibc on every rounding-mode query. FP arithmetic calls
// its helper (fp_helpers.h); the rest syncs pc and icount and has the
// interpreter run that one instruction.
bool RunsInBlock(const DecodedInsn& d);
// The CSR (1 fflags, 2 frm, 3 fcsr) that `d` only reads, which the
// translator reads inline (BlockWriter::FpCsrRead); 0 for anything else.
unsigned FpCsrPureRead(const DecodedInsn& d);
// Whether `op` (canonical) reads or writes memory or a device (loads,
// stores, A, FP loads and stores).
bool TouchesMemory(Op op);
// Whether `op` (canonical) ends a block after itself (jumps and branches).
bool EndsBlock(Op op);

class Translator {
 public:
  // Translates the `n` (>= 1) canonical instructions `insns`, the first at
  // guest `pc`, into `dst` (where the code will run). Returns the code size
  // (0 if it failed or did not fit in `cap`) and where its chain entry is.
  TranslatedCode Translate(const DecodedInsn* insns, size_t n, uint64_t pc, uint8_t* dst, size_t cap);

 private:
  Emitter e_;
};

}  // namespace tapvm::jit
