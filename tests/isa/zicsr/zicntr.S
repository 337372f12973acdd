/* Zicntr: the unprivileged counters cycle, time and instret, read with
 * rdcycle/rdtime/rdinstret (csrrs rd, csr, x0):
 *   - instret counts retired instructions exactly; a read returns the
 *     count before the reading instruction retires, so two back-to-back
 *     reads differ by 1 and reads around n instructions by n + 1;
 *   - cycle never decreases and moves on over a long loop;
 *   - time never decreases, moves on, and is the same clock as the CLINT's
 *     memory-mapped mtime (mtime <= time <= mtime read around it);
 *   - cycleh/timeh/instreth exist only on RV32: illegal on RV64.
 * On QEMU the exact instret counts need -icount (see tests.cmake).
 * Mutant: csrrs (each counter read has bit 0 flipped: odd differences
 * change). */
#include "../rv64i/macros.h"

#define MTIME (CLINT_BASE + 0xbff8)

ISA_BEGIN
  rdinstret a0
  rdinstret a1
  sub t1, a1, a0
  CHECK_D(2, t1, 1)

  rdinstret a0
  nop
  nop
  nop
  rdinstret a1
  sub t1, a1, a0
  CHECK_D(3, t1, 4)

  rdinstret a0                /* 1 + li + 10 * (addi + bne) = 22 */
  li t0, 10
1:
  addi t0, t0, -1
  bne t0, x0, 1b
  rdinstret a1
  sub t1, a1, a0
  CHECK_D(4, t1, 22)

  csrrs a0, instret, x0       /* the same, spelled out; csrrc reads too */
  csrrc a1, instret, x0
  sub t1, a1, a0
  CHECK_D(5, t1, 1)

  /* cycle: non-decreasing, and moving over 1000 loop iterations */
  rdcycle a0
  rdcycle a1
  li TESTNUM, 6
  bltu a1, a0, fail
  li t0, 1000
2:
  addi t0, t0, -1
  bne t0, x0, 2b
  rdcycle a2
  li TESTNUM, 7
  bgeu a1, a2, fail

  /* time: between two reads of mtime, non-decreasing, and it moves */
  li s0, MTIME
  ld a0, 0(s0)
  rdtime a1
  ld a2, 0(s0)
  li TESTNUM, 8
  bltu a1, a0, fail
  li TESTNUM, 9
  bltu a2, a1, fail
  rdtime a0
  li t0, 1000000
3:
  rdtime a1
  li TESTNUM, 10
  bltu a1, a0, fail
  bne a1, a0, 4f
  addi t0, t0, -1
  bne t0, x0, 3b
  FAIL_HERE(11)               /* time did not move in a million reads */
4:

  /* the RV32-only high halves are illegal on RV64 */
  la t0, trap_recorder
  csrw mtvec, t0
  li s5, 0
  li a0, 0x55
site_h:
  csrr a0, 0xc82              /* instreth */
  CHECK_D(12, s5, 1)
  CHECK_D(13, s2, 2)
  CHECK_D(14, s3, site_h)
  CHECK_D(15, a0, 0x55)
  csrr a0, 0xc80              /* cycleh */
  csrr a0, 0xc81              /* timeh */
  CHECK_D(16, s5, 3)
  beq x0, x0, pass

TRAP_RECORDER
ISA_END
