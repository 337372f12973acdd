/* RV64I register shifts sll, srl, sra: the shift amount is bits 5:0 of
 * rs2 only (64 shifts by 0, 65 by 1, -1 by 63, ...).
 * Mutant: sra. */
#include "macros.h"

ISA_BEGIN
  li s0, 0x8000000000000001
  li s1, 0x0123456789abcdef
  li s2, -1

  sll a0, s0, x0
  CHECK_D(2, a0, 0x8000000000000001)
  li t1, 1
  sll a0, s0, t1
  CHECK_D(3, a0, 0x2)
  li t1, 63
  sll a0, s0, t1
  CHECK_D(4, a0, 0x8000000000000000)
  li t1, 64                   /* amount 0 */
  sll a0, s1, t1
  CHECK_D(5, a0, 0x0123456789abcdef)
  li t1, 65                   /* amount 1 */
  sll a0, s1, t1
  CHECK_D(6, a0, 0x02468acf13579bde)
  sll a0, s1, s2              /* amount 63 */
  CHECK_D(7, a0, 0x8000000000000000)
  li t1, 0x7fffffffffffffc4   /* amount 4 */
  sll a0, s1, t1
  CHECK_D(8, a0, 0x123456789abcdef0)

  srl a0, s0, x0
  CHECK_D(9, a0, 0x8000000000000001)
  li t1, 1
  srl a0, s0, t1
  CHECK_D(10, a0, 0x4000000000000000)
  li t1, 63
  srl a0, s0, t1
  CHECK_D(11, a0, 1)
  li t1, 64
  srl a0, s0, t1
  CHECK_D(12, a0, 0x8000000000000001)
  li t1, 96                   /* amount 32 */
  srl a0, s0, t1
  CHECK_D(13, a0, 0x80000000)
  li t1, -4                   /* amount 60 */
  srl a0, s1, t1
  CHECK_D(14, a0, 0)

  sra a0, s0, x0
  CHECK_D(15, a0, 0x8000000000000001)
  li t1, 1
  sra a0, s0, t1
  CHECK_D(16, a0, 0xc000000000000000)
  li t1, 63
  sra a0, s0, t1
  CHECK_D(17, a0, 0xffffffffffffffff)
  li t1, 96
  sra a0, s0, t1
  CHECK_D(18, a0, 0xffffffff80000000)
  sra a0, s0, s2
  CHECK_D(19, a0, 0xffffffffffffffff)
  li t1, 4
  sra a0, s1, t1              /* positive: zeros shift in */
  CHECK_D(20, a0, 0x00123456789abcde)
  li t1, 0x100000008          /* amount 8 */
  sra a0, s1, t1
  CHECK_D(21, a0, 0x000123456789abcd)

  li a1, 0x8000000000000001   /* rd = rs1 = rs2: amount is bits 5:0 = 1 */
  sra a1, a1, a1
  CHECK_D(22, a1, 0xc000000000000000)
  beq x0, x0, pass
ISA_END
