/* RV64A word AMOs amoswap/add/xor/and/or/min/max/minu/maxu.w: rd gets the
 * old memory word sign-extended; memory gets op(old word, low word of
 * rs2); the upper word of rs2 is ignored (min/max compare 32-bit values,
 * signed or unsigned); the other word of the doubleword is untouched.
 * Also .aq/.rl/.aqrl forms, rd = x0, rd = rs2, an AMO on the upper word
 * of a doubleword. (Misaligned AMOs: amo_misaligned.S.)
 * Mutant: amominu.w. */
#include "../rv64i/macros.h"

/* Checks n (rd) and n+1 (the doubleword at s0) after `insn a0, t2, (s0)`
   with the doubleword at s0 initially `init` and t2 = `src`. */
#define AMO_CASE(n, insn, init, src, rd_exp, mem_exp) \
  li t1, init;                      \
  sd t1, 0(s0);                     \
  li t2, src;                       \
  li a0, 0x77;                      \
  insn a0, t2, (s0);                \
  CHECK_D(n, a0, rd_exp);           \
  ld t1, 0(s0);                     \
  CHECK_D(n + 1, t1, mem_exp)

  .data
  .balign 8
slot: .dword 0
  .dword 0

ISA_BEGIN
  la s0, slot
  AMO_CASE(2, amoswap.w, 0x5555555580000001, 0x123456787ffffffe, 0xffffffff80000001, 0x555555557ffffffe)
  AMO_CASE(4, amoadd.w, 0x55555555ffffffff, 0xaaaaaaaa00000002, 0xffffffffffffffff, 0x5555555500000001)
  AMO_CASE(6, amoxor.w, 0x555555550f0f0f0f, 0xffffffff, 0x0f0f0f0f, 0x55555555f0f0f0f0)
  AMO_CASE(8, amoand.w, 0x55555555f0f0f0f0, 0x3c3c3c3c, 0xfffffffff0f0f0f0, 0x5555555530303030)
  AMO_CASE(10, amoor.w, 0x5555555500ff0000, 0x80000001, 0x00ff0000, 0x5555555580ff0001)
  AMO_CASE(12, amomin.w, 0x5555555500000001, 0x80000000, 1, 0x5555555580000000)
  AMO_CASE(14, amomin.w, 0x55555555fffffffe, 0xffffffff, 0xfffffffffffffffe, 0x55555555fffffffe)
  AMO_CASE(16, amomin.w, 0x555555557fffffff, 0x180000000, 0x7fffffff, 0x5555555580000000)
  AMO_CASE(18, amomax.w, 0x5555555580000000, 0x7fffffff, 0xffffffff80000000, 0x555555557fffffff)
  AMO_CASE(20, amomax.w, 0x55555555fffffffe, 0xffffffff, 0xfffffffffffffffe, 0x55555555ffffffff)
  AMO_CASE(22, amomax.w, 0x5555555500000005, 0xffffffff00000003, 5, 0x5555555500000005)
  AMO_CASE(24, amominu.w, 0x5555555580000000, 0x7fffffff, 0xffffffff80000000, 0x555555557fffffff)
  AMO_CASE(26, amominu.w, 0x5555555500000001, 0x100000000, 1, 0x5555555500000000)
  AMO_CASE(28, amomaxu.w, 0x555555557fffffff, 0x80000000, 0x7fffffff, 0x5555555580000000)
  AMO_CASE(30, amomaxu.w, 0x55555555ffffffff, 0x1ffffffff, 0xffffffffffffffff, 0x55555555ffffffff)

  /* ordering bits do not change the result on one hart */
  AMO_CASE(32, amoadd.w.aq, 0x5555555500000010, 0x5, 0x10, 0x5555555500000015)
  AMO_CASE(34, amoswap.w.rl, 0x5555555500000010, 0x5, 0x10, 0x5555555500000005)
  AMO_CASE(36, amoor.w.aqrl, 0x5555555500000010, 0x5, 0x10, 0x5555555500000015)
  AMO_CASE(38, amominu.w.aq, 0x5555555500000010, 0x5, 0x10, 0x5555555500000005)
  AMO_CASE(40, amomax.w.aqrl, 0x5555555500000010, 0x5, 0x10, 0x5555555500000010)

  /* the upper word of a doubleword: the lower one is untouched */
  li t1, 0x00000001aaaaaaaa
  sd t1, 0(s0)
  addi s1, s0, 4
  li t2, 0xfffffffe
  amoadd.w a0, t2, (s1)
  CHECK_D(42, a0, 1)
  ld t1, 0(s0)
  CHECK_D(43, t1, 0xffffffffaaaaaaaa)

  /* rd = x0 still updates memory; rd = rs2 gets the old value */
  li t1, 0x5555555500000003
  sd t1, 0(s0)
  li t2, 4
  amoadd.w x0, t2, (s0)
  ld t1, 0(s0)
  CHECK_D(44, t1, 0x5555555500000007)
  li a1, 9
  amoswap.w a1, a1, (s0)
  CHECK_D(45, a1, 7)
  ld t1, 0(s0)
  CHECK_D(46, t1, 0x5555555500000009)

  beq x0, x0, pass

ISA_END
