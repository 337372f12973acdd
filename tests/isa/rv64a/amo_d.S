/* RV64A doubleword AMOs amoswap/add/xor/and/or/min/max/minu/maxu.d: rd
 * gets the old 64-bit value, memory gets op(old, rs2) with signed or
 * unsigned 64-bit compares for min/max; the next doubleword is untouched.
 * Also .aq/.rl/.aqrl forms, rd = x0 and rd = rs2.
 * Mutant: amoxor.d. */
#include "../rv64i/macros.h"

/* Checks n (rd = the old value `init`), n+1 (memory) and that the
   sentinel after it is intact, after `insn a0, t2, (s0)` with memory
   `init` and t2 = `src`. */
#define AMO_CASE(n, insn, init, src, mem_exp) \
  li t1, init;                      \
  sd t1, 0(s0);                     \
  li t2, src;                       \
  li a0, 0x77;                      \
  insn a0, t2, (s0);                \
  CHECK_D(n, a0, init);             \
  ld t1, 0(s0);                     \
  CHECK_D(n + 1, t1, mem_exp);      \
  ld t1, 8(s0);                     \
  CHECK_D(n + 1, t1, 0x5555555555555555)

  .data
  .balign 16
slot: .dword 0
  .dword 0x5555555555555555

ISA_BEGIN
  la s0, slot
  AMO_CASE(2, amoswap.d, 0x0123456789abcdef, 0xffffffffffffffff, 0xffffffffffffffff)
  AMO_CASE(4, amoadd.d, 0x7fffffffffffffff, 1, 0x8000000000000000)
  AMO_CASE(6, amoadd.d, 0xffffffffffffffff, 0x0123456789abcdef, 0x0123456789abcdee)
  AMO_CASE(8, amoxor.d, 0x0123456789abcdef, 0xff00ff00ff00ff00, 0xfe23ba6776ab32ef)
  AMO_CASE(10, amoand.d, 0x0123456789abcdef, 0xff00ff00ff00ff00, 0x010045008900cd00)
  AMO_CASE(12, amoor.d, 0x0123456789abcdef, 0xff00ff00ff00ff00, 0xff23ff67ffabffef)
  AMO_CASE(14, amomin.d, 1, 0x8000000000000000, 0x8000000000000000)
  AMO_CASE(16, amomin.d, 0xffffffffffffffff, 0, 0xffffffffffffffff)
  AMO_CASE(18, amomin.d, 0x80000000, 0x7fffffff, 0x7fffffff)
  AMO_CASE(20, amomax.d, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff)
  AMO_CASE(22, amomax.d, 0xffffffffffffffff, 0, 0)
  AMO_CASE(24, amomax.d, 0x100000000, 0xffffffff, 0x100000000)
  AMO_CASE(26, amominu.d, 1, 0xffffffffffffffff, 1)
  AMO_CASE(28, amominu.d, 0xffffffffffffffff, 0, 0)
  AMO_CASE(30, amomaxu.d, 1, 0x8000000000000000, 0x8000000000000000)
  AMO_CASE(32, amomaxu.d, 0xffffffffffffffff, 0, 0xffffffffffffffff)
  AMO_CASE(34, amoxor.d, 0xffffffffffffffff, 0xffffffffffffffff, 0)

  /* ordering bits do not change the result on one hart */
  AMO_CASE(36, amoadd.d.aq, 0x100000000, 0x100000000, 0x200000000)
  AMO_CASE(38, amoswap.d.rl, 0x10, 5, 5)
  AMO_CASE(40, amoand.d.aqrl, 0x1f, 0xf1, 0x11)
  AMO_CASE(42, amomaxu.d.aq, 0x10, 0xfffffffffffffff0, 0xfffffffffffffff0)
  AMO_CASE(44, amomin.d.rl, 0x10, 0xfffffffffffffff0, 0xfffffffffffffff0)
  AMO_CASE(46, amoxor.d.aqrl, 0x10, 0x11, 0x01)

  /* rd = x0 still updates memory; rd = rs2 gets the old value */
  li t1, 3
  sd t1, 0(s0)
  li t2, 0x100000004
  amoadd.d x0, t2, (s0)
  ld t1, 0(s0)
  CHECK_D(48, t1, 0x100000007)
  li a1, -9
  amoswap.d a1, a1, (s0)
  CHECK_D(49, a1, 0x100000007)
  ld t1, 0(s0)
  CHECK_D(50, t1, 0xfffffffffffffff7)
  beq x0, x0, pass
ISA_END
