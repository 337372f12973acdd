/* Signature output of the differential test programs (tests/diff).
 *
 * A program prints "BEGIN <name>", then one line per checked result, then
 * "END <name>"; run_diff.sh compares the lines between the markers from
 * tapvm and from QEMU. A line is an operation name, optional words, its
 * operands and its results, all as fixed-width lowercase hex:
 *     fadd.d rtz 3ff0000000000000 0000000000000001 : 3ff0000000000000 01
 * so the first differing line names the exact case. Operands are produced
 * with integer arithmetic only, so they cannot differ between emulators;
 * only results can.
 */
#ifndef TAPVM_TESTS_DIFF_SIG_H
#define TAPVM_TESTS_DIFF_SIG_H

#include <stdint.h>

#include "tests/bench/runtime/bare.h"

void sig_begin(const char* program);
/* Prints "END <program>" and returns 0 (main's exit status). */
int sig_end(const char* program);

/* Building one line: sig_word("fadd.d"); sig_word("rne"); sig_x64(a); ...
   sig_sep() prints " :" between operands and results; sig_eol() ends it. */
void sig_word(const char* w);   /* " w", without the space at line start */
void sig_x64(uint64_t v);       /* " " + 16 hex digits */
void sig_x32(uint32_t v);       /* " " + 8 hex digits */
void sig_x8(uint32_t v);        /* " " + 2 hex digits (fflags) */
void sig_sep(void);
void sig_eol(void);

/* Deterministic operand generator (splitmix64). */
uint64_t sig_rand(uint64_t* state);

#endif
