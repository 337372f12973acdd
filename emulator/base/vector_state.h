// ClearUpperVectorState: host vector-register hygiene after library code
// that uses wide (AVX2 / AVX-512) vectors.
//
// Why: Debian's libxxhash (0.8.1) picks AVX2 or AVX-512 code at run time
// for long inputs and returns without `vzeroupper`. Until something clears
// that state, the host CPU runs later legacy-SSE instructions (the
// soft-float helpers' double arithmetic, much compiled C++) with a
// transition penalty on each: on this project's machines a double
// multiply with its exactness check went from 2 ns to 110 ns, and the MIPS
// benchmark from 4.7 s to 19.8 s, because building a machine hashes its
// boot images. Every caller of a long XXH3 hash calls this after it.
//
// A `vzeroupper` where the host has AVX; nothing elsewhere. It changes no
// value the program computes (the upper halves are dead across calls in
// the System V ABI), only the CPU's state. Thread-safe (per thread state).
#pragma once

namespace tapvm {

void ClearUpperVectorState();

}  // namespace tapvm
