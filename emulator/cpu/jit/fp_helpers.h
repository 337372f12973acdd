// FP helpers: the F and D arithmetic, conversion, compare and move
// instructions as plain functions that translated code calls, on the
// bit-exact soft-float of fpu.h, with the interpreter's semantics (its FP
// handlers in interpreter.cc are the reference: same checks, same fflags,
// same NaN boxing, FS set dirty where it sets it).
//
// A helper returns 0 when it retired the instruction, 1 when it did
// nothing because the instruction is illegal here (FS off, or a dynamic
// rounding mode > 4): the translated code then has the interpreter run the
// instruction, which raises the exception exactly as it would.
#pragma once

#include <cstdint>

#include "emulator/cpu/decode.h"
#include "emulator/cpu/jit/translator.h"

namespace tapvm::jit {

using FpHelper = uint64_t (*)(JitContext* c, uint64_t operands);

// The helper for `op`, or nullptr for an operation it does not cover (FP
// loads and stores, anything not FP).
FpHelper FpHelperFor(Op op);

// The operands a helper is called with, packed into one immediate.
inline uint64_t PackFpOperands(const DecodedInsn& d) {
  return uint64_t{d.rd} | uint64_t{d.rs1} << 8 | uint64_t{d.rs2} << 16 | uint64_t{d.rs3} << 24 |
         uint64_t{d.rm} << 32;
}

}  // namespace tapvm::jit
