// The Sdtrig trigger module (RISC-V Debug Specification 1.0, "Sdtrig"):
// the guest-visible trigger CSRs and how a trigger matches. The state lives
// in HartState (tselect, tcontrol, tdata1[], tdata2[]); the hart runs the
// checks (triggers.cc, Hart::RunWatched). Triggers belong to the guest:
// they are architectural, digested, checkpointed and replayed. A host
// debugger's breakpoints (debug_hook.h) are a different thing and never
// show in these registers.
//
// What a guest finds:
// - kTriggers (4) triggers, each of type 2 (mcontrol) only. tinfo reads
//   version 1, type 2; writing it does nothing.
// - mcontrol: action 0 (breakpoint exception), timing 0 (before), select 0
//   (address), any access size, no chaining, maskmax 0; match 0 (equal),
//   2 (>=), 3 (<), 4 and 5 (mask low/high) and their negations 8, 12, 13;
//   the m, s and u bits; execute, store and load; hit, set when the
//   trigger fires; dmode reads 0 (there is no Debug Mode).
// - WARL rules of a tdata1 write: another type (0 included) leaves a
//   disabled type-2 trigger; a request this hart cannot honour with the same
//   meaning (select 1, action other than 0, chain 1, match 1, 9 or a
//   reserved value) leaves the trigger disabled as well (execute, store and
//   load clear), so it never fires on conditions nobody asked for; timing 1
//   and a nonzero size read back 0 (before, any size: it fires at least
//   where asked). A debugger reads back what it wrote, as the spec says.
// - tdata2 holds any 64-bit value. tdata3 reads 0 (no textra conditions)
//   and ignores writes. A tselect write of kTriggers or more is ignored, so
//   tselect always names a trigger (the spec's enumeration stops there).
// - tcontrol with mte and mpte, the spec's second answer to re-entrancy:
//   an action-0 trigger matches in M-mode only while mte is 1; a trap into
//   M-mode copies mte to mpte and clears mte, mret copies mpte back (the
//   official rv64mi-p-breakpoint test sets mte). medeleg[3] stays writable,
//   since Linux firmware delegates breakpoints: re-entrancy in an S-mode
//   handler is S-mode's business, as on Spike.
// - mcontext, scontext and the other context CSRs do not exist (illegal).
//
// Compare values: an execute trigger compares pc, the lowest address of
// the instruction. A load or store trigger compares every byte address the
// access touches (the spec recommends all of them): lr is a load, sc a
// store (failing or not), an AMO both. The breakpoint's tval is the first
// byte address that matched (for a negated match, the lowest one).
//
// When, in the spec's priority table: an execute trigger fires before the
// instruction is fetched, ahead of fetch faults; a load or store trigger
// after decode, ahead of misaligned, page and access faults but behind an
// illegal instruction (an FP access with mstatus.FS off). Either way the
// instruction does not retire: icount stays, xepc is its pc.
#pragma once

#include <cstdint>

#include "emulator/cpu/hart_state.h"

namespace tapvm::sdtrig {

inline constexpr unsigned kTriggers = 4;

// CSR numbers.
inline constexpr unsigned kTselect = 0x7a0, kTdata1 = 0x7a1, kTdata2 = 0x7a2, kTdata3 = 0x7a3;
inline constexpr unsigned kTinfo = 0x7a4, kTcontrol = 0x7a5;

// mcontrol (tdata1 of type 2) fields.
inline constexpr uint64_t kLoad = 1 << 0, kStore = 1 << 1, kExecute = 1 << 2;
inline constexpr uint64_t kU = 1 << 3, kS = 1 << 4, kM = 1 << 6;
inline constexpr int kMatchShift = 7;
inline constexpr uint64_t kMatch = 0xfull << kMatchShift, kChain = 1ull << 11;
inline constexpr uint64_t kAction = 0xfull << 12, kSizeLo = 3ull << 16, kTiming = 1ull << 18;
inline constexpr uint64_t kSelect = 1ull << 19, kHit = 1ull << 20, kSizeHi = 3ull << 21;
inline constexpr uint64_t kType2 = 2ull << 60;
inline constexpr uint64_t kTdata1Reset = kType2;  // type 2, matching nothing

// tcontrol fields; tinfo's value (version 1, type 2).
inline constexpr uint64_t kMte = 1 << 3, kMpte = 1 << 7;
inline constexpr uint64_t kTinfoValue = (1ull << 24) | (1ull << 2);

// The value tdata1 holds after a guest writes `written` (the WARL rules
// above). A legal value is its own result.
uint64_t LegalizeTdata1(uint64_t written);

// The privilege levels a trigger watches, one bit per Priv value (U = bit
// 0, S = bit 1, M = bit 3); 0 when it watches no access at all.
unsigned WatchedModes(uint64_t tdata1);

// Whether the trigger (tdata1, tdata2) matches an access to the `len`
// bytes at `va` (for an execution, len 1 at pc); on a match *hit is the
// address reported as tval. Checks the match condition only, not the
// access kind or the privilege.
bool Matches(uint64_t tdata1, uint64_t tdata2, uint64_t va, unsigned len, uint64_t* hit);

// Reset values, and whether `s` still holds them (the state digest adds the
// trigger fields only then, see Hart::StateDigest).
void ResetTriggers(HartState* s);
bool TriggersAtReset(const HartState& s);

}  // namespace tapvm::sdtrig
