// ExecutionEngine: what runs a hart's instructions. The interpreter
// (interpreter.h) is the default; a JIT (cpu/jit/) sits beside it, and the
// choice must be invisible to the guest, to a journal and to a replay.
//
// Hart::Run owns the loop around the engine: it ticks timed devices, takes
// interrupts, picks each slice's budget and asks the board's stop check after
// each slice. The engine runs one slice at a time, with one virtual call per
// slice (never per instruction), and reaches the hart only through the
// HartEngineAccess it was created with (hart_engine_access.h).
//
// Contract of RunSlice(budget), budget >= 1:
// - It starts from the hart's current HartState and runs at most `budget`
//   instructions, each with exactly the interpreter's semantics; interrupts
//   are not its business (Hart::Run takes them between slices), nor are
//   the guest's debug triggers (triggers.h): while one can fire, Hart::Run
//   runs the slice itself, checking each instruction, and the engine sits
//   it out.
// - Slice ends are guest-visible: the machine looks at devices, the HTIF
//   mailbox and pending interrupts only between slices. So an engine ends the
//   slice exactly where the interpreter does:
//     * after an instruction that made a device access (a load or store that
//       the bus sent to a device: LoadSlow/StoreSlow returned 2);
//     * after a CSR instruction that writes a CSR the machine or the
//       translation depends on (HartEngineAccess::CsrInsnEndsSlice: not
//       after pure reads, nor after writes of fflags, frm, fcsr and the
//       trap handlers' scratch/epc/cause/tval/tvec), and after mret, sret,
//       wfi, sfence.vma and fence.i;
//     * at an exception, which it takes before returning (the faulting
//       instruction does not retire); ecall and ebreak are exceptions;
//     * when the budget runs out.
//   Nothing else ends a slice: RAM loads, stores, AMOs and LR/SC do not.
// - pc and icount in the HartState are exact before every slow path (devices,
//   the tap behind them and the counter CSRs read them): pc is the address of
//   the instruction making the call, icount counts the instructions retired
//   before it.
// - The HartState (with guest memory) is the engine's only architectural
//   result. On return, pc is the next instruction to run and icount counts
//   every instruction retired; nothing the guest can observe stays behind in
//   the engine.
//
// Caches: an engine may keep what it derives from guest code or translations
// (translated blocks, jump caches). The hart tells it when to drop them:
// OnCodeInvalidated(), OnCodePagesDropped() and OnTranslationFlushed() below. Both may be called
// from inside the engine's own RunSlice, through a slow path (fence.i,
// sfence.vma, a satp or PMP write, a fetch that evicts decoded pages): an
// engine must not free code it is still executing, and may defer the drop
// until control is back in its dispatcher.
//
// Not thread-safe: used on the CPU thread only, like the Hart.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace tapvm {

class HartEngineAccess;

// How a slice ended.
enum class SliceEnd : uint8_t {
  // `budget` instructions retired, and the last of them did not end the slice.
  kBudget,
  // The last instruction retired ends the slice (device access, CSR
  // write that ends it, xRET, wfi, sfence.vma, fence.i), whether or not it was also
  // the last of the budget: an engine that runs another one instruction at a
  // time learns from this where to stop.
  kEvent,
  // An exception was taken; the instruction that raised it did not retire.
  kTrap,
};

// What an engine did, for --stats (all zero for the interpreter). Host
// figures, never seen by the guest and never part of a digest.
struct EngineStats {
  uint64_t blocks_translated = 0;
  uint64_t insns_translated = 0;   // guest instructions in those blocks
  uint64_t code_bytes = 0;         // host code emitted
  uint64_t links = 0;              // block exits chained to the next block
  uint64_t cache_flushes = 0;      // the code cache dropped whole
  uint64_t insns_interpreted = 0;  // run by the fallback interpreter
  uint64_t translate_ns = 0;       // host time translating (0 without a stats clock)
};

class ExecutionEngine {
 public:
  // Passed to OnTranslationFlushed when every translation was dropped.
  static constexpr uint64_t kAllPages = ~0ull;

  virtual ~ExecutionEngine() = default;

  // A short fixed name ("interpreter"), for logs and statistics.
  virtual std::string_view name() const = 0;

  // Runs one slice; see the contract above.
  virtual SliceEnd RunSlice(uint64_t budget) = 0;

  // Guest code may have changed: fence.i, Hart::FlushCaches (a program was
  // loaded, a snapshot restored) or the hart dropped its decoded pages. Drop
  // everything derived from code bytes.
  virtual void OnCodeInvalidated() {}

  // fence.i dropped the decoded pages at these guest-physical page
  // addresses (they were written since decoded; the others were not and
  // still hold). Drop everything derived from their code bytes. The
  // default drops everything, as OnCodeInvalidated.
  virtual void OnCodePagesDropped(std::span<const uint64_t> pa_pages) { OnCodeInvalidated(); }

  // The translation of the virtual page `va_page` (or of every page, when
  // kAllPages) was dropped: sfence.vma, a satp or PMP write, an mstatus
  // SUM/MXR change, Hart::FlushCaches. Drop everything that baked in a
  // virtual-to-physical mapping or its permissions.
  virtual void OnTranslationFlushed(uint64_t va_page) {}

  // Statistics (see EngineStats).
  virtual EngineStats stats() const { return {}; }
  // A host clock (nanoseconds) an engine may time its own work with, for
  // stats() only. Supplied from outside emulator/, which reads no host
  // clock itself; nullptr (the default) turns timing off.
  virtual void set_stats_clock(uint64_t (*now_ns)()) {}
};

// The engines a machine can be configured with (HartConfig::engine).
// kJit translates basic blocks to x86-64 host code (cpu/jit/).
enum class EngineKind : uint8_t { kInterpreter, kJit };

// The name of each kind, the same as its engine's name().
std::string_view EngineKindName(EngineKind kind);
// The kind named `name` ("interpreter" or its short form "interp", "jit");
// false if none.
bool ParseEngineKind(std::string_view name, EngineKind* out);

// The engine the command line uses unless told otherwise: the JIT on
// x86-64 hosts (the only ones it translates for), the interpreter
// elsewhere. The interpreter stays the reference (cosim, the fuzzer).
constexpr std::string_view DefaultEngineName() {
#if defined(__x86_64__)
  return "jit";
#else
  return "interp";
#endif
}

// Creates the engine of `kind` for the hart behind `hart`.
std::unique_ptr<ExecutionEngine> MakeEngine(EngineKind kind, HartEngineAccess hart);

}  // namespace tapvm
