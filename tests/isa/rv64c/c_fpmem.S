/* RV64C double-precision loads and stores: c.fld, c.fsd (f8..f15 with a
 * base in x8..x15, offsets up to 248) and c.fldsp, c.fsdsp (any f
 * register, sp-relative, offsets up to 504). FP loads and stores move the
 * 64 bits unchanged, so a signalling NaN payload and -0.0 survive; values
 * are moved to and from integer registers with fmv.x.d / fmv.d.x and
 * memory is checked with ld. mstatus.FS is switched on first.
 * Mutant: c.fldsp. */
#include "../rv64i/macros.h"

  .data
  .balign 16
area: .skip 512

ISA_BEGIN
  li t1, 0x2000               /* mstatus.FS = Initial */
  csrs mstatus, t1
  la s0, area
  mv sp, s0
  li t1, 0x7ff0000000000001   /* signalling NaN */
  sd t1, 8(s0)
  li t1, 0x3ff8000000000000   /* 1.5 */
  sd t1, 248(s0)
  li t1, 0xc00921fb54442d18   /* -pi */
  sd t1, 504(s0)
  li t1, 0x0000000000000001   /* smallest subnormal */
  sd t1, 0(s0)
  .option rvc

  c.fld fa0, 8(s0)
  fmv.x.d a0, fa0
  CHECK_D(2, a0, 0x7ff0000000000001)
  c.fld fs1, 248(s0)
  fmv.x.d a0, fs1
  CHECK_D(3, a0, 0x3ff8000000000000)

  c.fldsp ft0, 504(sp)
  fmv.x.d a0, ft0
  CHECK_D(4, a0, 0xc00921fb54442d18)
  c.fldsp fs11, 0(sp)
  fmv.x.d a0, fs11
  CHECK_D(5, a0, 1)
  c.fldsp ft11, 8(sp)
  fmv.x.d a0, ft11
  CHECK_D(6, a0, 0x7ff0000000000001)

  li t1, 0x8000000000000000   /* -0.0 */
  fmv.d.x fa1, t1
  c.fsd fa1, 16(s0)
  ld a1, 16(s0)
  CHECK_D(7, a1, 0x8000000000000000)
  li t1, 0xfff8000000000123   /* quiet NaN, negative, with payload */
  fmv.d.x fa5, t1
  c.fsd fa5, 240(s0)
  ld a1, 240(s0)
  CHECK_D(8, a1, 0xfff8000000000123)
  ld a1, 248(s0)              /* neighbour untouched */
  CHECK_D(9, a1, 0x3ff8000000000000)

  li t1, 0x4000000000000000   /* 2.0 */
  fmv.d.x ft1, t1
  c.fsdsp ft1, 504(sp)
  ld a1, 504(s0)
  CHECK_D(10, a1, 0x4000000000000000)
  li t1, 0x7ff0000000000000   /* +inf */
  fmv.d.x f31, t1
  c.fsdsp f31, 24(sp)
  ld a1, 24(s0)
  CHECK_D(11, a1, 0x7ff0000000000000)
  beq x0, x0, pass
ISA_END
