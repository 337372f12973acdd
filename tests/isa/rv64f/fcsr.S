/* The fcsr, frm and fflags CSRs: fcsr = frm << 5 | fflags; fflags and frm
 * are views of its fields; bits above are read as zero and writes to them
 * ignored; csrrw/csrrs/csrrc (and immediate forms) return the old value;
 * flags raised by instructions accumulate until software clears them.
 * Mutants: csrrs (frcsr/frrm/frflags reads), csrrw (fscsr/fsrm/fsflags
 * swaps). */
#include "fp_macros.h"

FP_BEGIN
  frcsr a0
  CHECK_XONLY(2, a0, 0)
  li t0, 0xff
  fscsr a1, t0                /* csrrw: old value 0 */
  CHECK_XONLY(3, a1, 0)
  frcsr a0
  CHECK_XONLY(4, a0, 0xff)
  frrm a0
  CHECK_XONLY(5, a0, 7)
  frflags a0
  CHECK_XONLY(6, a0, 0x1f)
  /* Bits 31:8 of fcsr are reserved: writes ignored, read as zero. */
  li t0, 0xffffffff
  fscsr a1, t0
  CHECK_XONLY(7, a1, 0xff)
  frcsr a0
  CHECK_XONLY(8, a0, 0xff)
  fscsr x0

  /* frm and fflags are separate fields of fcsr. */
  li t0, 2
  fsrm a1, t0
  CHECK_XONLY(9, a1, 0)
  frcsr a0
  CHECK_XONLY(10, a0, 0x40)
  li t0, 0xff                 /* fflags keeps 5 bits; frm is not touched */
  fsflags a1, t0
  CHECK_XONLY(11, a1, 0)
  frcsr a0
  CHECK_XONLY(12, a0, 0x5f)
  li t0, 0xfd                 /* frm keeps 3 bits */
  fsrm a1, t0
  CHECK_XONLY(13, a1, 2)
  frrm a0
  CHECK_XONLY(14, a0, 5)
  frcsr a0
  CHECK_XONLY(15, a0, 0xbf)

  /* Immediate forms and set/clear. */
  fsrmi a1, 1
  CHECK_XONLY(16, a1, 5)
  fsflagsi a1, 0x0a
  CHECK_XONLY(17, a1, 0x1f)
  frcsr a0
  CHECK_XONLY(18, a0, 0x2a)
  csrrsi a1, fflags, 0x11
  CHECK_XONLY(19, a1, 0x0a)
  csrrci a1, fflags, 0x08
  CHECK_XONLY(20, a1, 0x1b)
  frflags a0
  CHECK_XONLY(21, a0, 0x13)
  li t0, 0x60
  csrrs a1, fcsr, t0          /* frm 1 -> 3 */
  CHECK_XONLY(22, a1, 0x33)
  frrm a0
  CHECK_XONLY(23, a0, 3)
  li t0, 0xe3
  csrrc a1, fcsr, t0          /* clears frm and NX, UF */
  CHECK_XONLY(24, a1, 0x73)
  frcsr a0
  CHECK_XONLY(25, a0, 0x10)
  csrwi fcsr, 0
  frcsr a0
  CHECK_XONLY(26, a0, 0)

  /* Flags accumulate: DZ from 1/0, then NX from an inexact add; a later
     exact operation does not clear them. */
  LOAD_S(fa0, S_ONE)
  LOAD_S(fa1, 0x00000000)
  fdiv.s fa2, fa0, fa1, rne
  frflags a0
  CHECK_XONLY(27, a0, DZ)
  LOAD_S(fa1, 0x33800000)
  fadd.s fa2, fa0, fa1, rne
  frflags a0
  CHECK_XONLY(28, a0, DZ | NX)
  fadd.s fa2, fa0, fa0, rne
  frcsr a0
  CHECK_XONLY(29, a0, DZ | NX)
  /* ...and they show up in fcsr next to frm. */
  fsrmi 4
  frcsr a0
  CHECK_XONLY(30, a0, 0x80 | DZ | NX)
  csrwi fcsr, 0
  j pass

FP_END
