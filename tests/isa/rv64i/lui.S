/* RV64I lui: the 20-bit immediate lands in bits 31:12, the low 12 bits are
 * zero and bit 31 is sign-extended into bits 63:32 (RV64I spec, LUI).
 * Mutant: lui. Ends with ISA_END_ALT because TEST_FAIL itself uses lui. */
#include "macros.h"

ISA_BEGIN
  lui a0, 0x12345
  CHECK_D(2, a0, 0x12345000)
  lui a1, 0x80000             /* bit 31 set: upper half becomes all ones */
  CHECK_D(3, a1, 0xffffffff80000000)
  lui a2, 0xfffff
  CHECK_D(4, a2, 0xfffffffffffff000)
  lui a3, 0x7ffff             /* largest positive result */
  CHECK_D(5, a3, 0x7ffff000)
  li a4, -1
  lui a4, 0                   /* overwrites all 64 bits, including 11:0 */
  CHECK_D(6, a4, 0)
  lui a5, 1                   /* the usual lui+addi pair for 0xfff */
  addi a5, a5, -1
  CHECK_D(7, a5, 0xfff)
  lui a6, 0x80000             /* lui+addiw builds 0x7fffffff ... */
  addiw a6, a6, -1
  CHECK_D(8, a6, 0x7fffffff)
  lui x0, 0x12345             /* a HINT: x0 stays zero */
  CHECK_D(9, x0, 0)
  lui t0, 0x00001             /* rd = t0 also used by the macros: no clash */
  CHECK_D(10, t0, 0x1000)
  beq x0, x0, pass
ISA_END_ALT
