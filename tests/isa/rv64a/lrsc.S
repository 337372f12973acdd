/* RV64A load-reserved / store-conditional, single hart:
 *   - lr.w sign-extends the loaded word; lr.d loads 64 bits;
 *   - sc after a matching lr succeeds: rd = 0 and memory is written;
 *   - sc without a valid reservation fails: rd = 1 and memory is not
 *     written (1 is the only failure code the spec defines, "unspecified
 *     failure"; portable software may only assume nonzero, but tapvm and
 *     QEMU write 1). Any sc invalidates the reservation,
 *     so a second sc fails, and at reset no reservation exists;
 *   - sc.w writes only the low word of rs2; neighbours stay untouched;
 *   - the .aq/.rl/.aqrl forms behave the same on one hart;
 *   - a bounded lr/sc increment loop (a constrained loop: it must succeed).
 * Cases the spec leaves to the implementation (sc to another address than
 * the lr, a plain store between lr and sc, traps in between) are not
 * tested.
 * Mutant: sc.w (rd bit 0 flipped, or the stored byte: both fail). */
#include "../rv64i/macros.h"

  .data
  .balign 16
wdata: .dword 0x5555555580000001
ddata: .dword 0x0123456789abcdef
cdata: .dword 0

ISA_BEGIN
  la s0, wdata
  la s1, ddata
  li s2, 0xaaaaaaaa12345678
  li s3, 0xfedcba9876543210

  /* no reservation since reset: sc.w fails and writes nothing */
  li a0, 7
  sc.w a0, s2, (s0)
  CHECK_D(2, a0, 1)
  ld t1, 0(s0)
  CHECK_D(3, t1, 0x5555555580000001)

  lr.w a1, (s0)
  CHECK_D(4, a1, 0xffffffff80000001)
  sc.w a0, s2, (s0)
  CHECK_D(5, a0, 0)
  ld t1, 0(s0)                /* low word replaced, upper word kept */
  CHECK_D(6, t1, 0x5555555512345678)

  sc.w a0, s3, (s0)           /* reservation used up */
  CHECK_D(7, a0, 1)
  ld t1, 0(s0)
  CHECK_D(8, t1, 0x5555555512345678)

  lr.w.aq a1, (s0)
  CHECK_D(9, a1, 0x12345678)
  sc.w.rl a0, s3, (s0)
  CHECK_D(10, a0, 0)
  ld t1, 0(s0)
  CHECK_D(11, t1, 0x5555555576543210)

  /* the same for doublewords */
  sc.d a0, s2, (s1)
  CHECK_D(12, a0, 1)
  lr.d a1, (s1)
  CHECK_D(13, a1, 0x0123456789abcdef)
  sc.d a0, s3, (s1)
  CHECK_D(14, a0, 0)
  ld t1, 0(s1)
  CHECK_D(15, t1, 0xfedcba9876543210)
  sc.d a0, s2, (s1)
  CHECK_D(16, a0, 1)
  ld t1, 0(s1)
  CHECK_D(17, t1, 0xfedcba9876543210)
  lr.d.aqrl a1, (s1)
  CHECK_D(18, a1, 0xfedcba9876543210)
  sc.d.aqrl a0, s2, (s1)
  CHECK_D(19, a0, 0)
  ld t1, 0(s1)
  CHECK_D(20, t1, 0xaaaaaaaa12345678)
  ld t1, 0(s0)                /* the word area was not touched */
  CHECK_D(21, t1, 0x5555555576543210)

  /* lr.w then sc.w, rd = rs2 (the value is read before rd is written) */
  lr.w a1, (s0)
  li a2, 0x11
  sc.w a2, a2, (s0)
  CHECK_D(22, a2, 0)
  lw t1, 0(s0)
  CHECK_D(23, t1, 0x11)

  /* atomic increment loop, 3 times, each with at most 16 attempts */
  la s4, cdata
  li s5, 3
1:
  li s6, 16
2:
  addi s6, s6, -1
  blt s6, x0, 3f
  lr.d t1, (s4)
  addi t1, t1, 1
  sc.d t2, t1, (s4)
  bne t2, x0, 2b
  addi s5, s5, -1
  bne s5, x0, 1b
  ld t1, 0(s4)
  CHECK_D(24, t1, 3)
  beq x0, x0, pass
3:
  FAIL_HERE(25)
ISA_END
