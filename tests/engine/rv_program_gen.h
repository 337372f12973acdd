// Random RV64GC programs for differential testing of execution engines
// (engine_diff_fuzz.cc): every engine must leave the machine exactly as the
// interpreter does, slice by slice, on any program.
//
// A program is a fixed frame around a random body:
//   kPrologue  mtvec = handler, FP on, x1..x29 and f0..f31 from a table of
//              random values (zeros, small numbers, extremes, NaN/inf
//              patterns), x2 = the middle of a 64 KiB data area, x3 = the
//              CLINT (device accesses), x29 = a second data pointer, then
//              on to the body: in M-mode, or (paging) in S-mode under Sv39
//              page tables: RAM identity-mapped by a gigapage, the CLINT by
//              a megapage, and a 2 MiB window of 4 KiB pages with random
//              permissions (invalid, read-only, user, no A/D...) onto the
//              data area, which x29 points into and is re-aimed at now and
//              then. With interrupts, a timer interrupt is due soon after
//              the start (MTIE and MSIE on; MIE in M-mode). With triggers,
//              tcontrol.mte is set and triggers 0 and 1 are armed at
//              random (type 2, watching the body's mode, execute, load or
//              store, match equal, >=, < or not equal, on a body address
//              or near x2).
//   kHandler   for an exception, skips the instruction that trapped (2 or
//              4 bytes) and returns, so illegal instructions, misaligned
//              and faulting accesses, ecall, ebreak and breakpoints from
//              triggers all fall through;
//              for an interrupt, moves mtimecmp a varying distance on,
//              clears msip and the S-level pending bits, and returns;
//   kBody      random instructions, then `j .`.
// The body draws random 32-bit and 16-bit words and keeps most of those the
// decoder accepts (some illegal ones stay, to trap). Then it steers what
// would run away: loads, stores and AMOs mostly use x2 (RAM, often
// misaligned) or x3 (the CLINT) as base; branches and jumps go forward
// inside the body, indirect jumps through an auipc just before them; short
// counted loops (x28 counts) bring blocks back to run again; CSR
// instructions name a CSR from a list that cannot break the frame (or, now
// and then, any number; never satp under paging; with triggers, now and
// then a trigger CSR); mret and sret are left out. x2, x3, x29 (bases), x28 (loop counter), x30 and x31 (handler) are
// never written by the body.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace tapvm::test {

constexpr uint64_t kGenRam = 0x80000000;
constexpr uint64_t kGenRamBytes = 2 << 20;
constexpr uint64_t kGenHandler = kGenRam + 0x800;
constexpr uint64_t kGenBody = kGenRam + 0x1000;
constexpr uint64_t kGenInitTable = kGenRam + 0x100000;  // 64 words: x regs, then f regs
constexpr uint64_t kGenData = kGenRam + 0x180000;       // 64 KiB; x2 points at its middle
constexpr uint64_t kGenDataBytes = 64 << 10;
constexpr uint64_t kGenClint = 0x2000000;
constexpr uint64_t kGenPageTables = kGenRam + 0x1c0000;  // root, then level 1, then level 0
constexpr uint64_t kGenWindow = 0x8000000;               // paging: 512 pages onto the data area

struct GenOptions {
  unsigned body_insns = 400;  // instructions in the body, about
  unsigned illegal_percent = 3;
  unsigned compressed_percent = 30;
  unsigned loop_percent = 4;   // chance, per instruction, that a counted loop starts
  bool paging = false;         // run the body in S-mode under Sv39
  bool interrupts = false;     // timer interrupts (drive the hart with Hart::Run)
  bool triggers = false;       // Sdtrig triggers armed (they fire only under Hart::Run)
};

// One program: bytes to place at given guest physical addresses.
struct GenProgram {
  struct Chunk {
    uint64_t addr;
    std::vector<uint8_t> bytes;
  };
  std::vector<Chunk> chunks;
  // The body's instructions, for a listing: address, bits, length.
  struct Insn {
    uint64_t addr;
    uint32_t bits;
    unsigned len;
  };
  std::vector<Insn> body;
};

GenProgram GenerateProgram(uint64_t seed, const GenOptions& options = {});

// A listing of the body ("80001000: 00a50533  add"), for reports.
std::string ListBody(const GenProgram& program, uint64_t from = 0, uint64_t to = ~0ull);

}  // namespace tapvm::test
