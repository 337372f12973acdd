/* mstatus.FS: with FS = Off every F/D instruction and every access to
 * fcsr/frm/fflags is an illegal instruction (mcause 2) without effect;
 * changing FP state (an f register or an FP CSR) turns Initial or Clean
 * into Dirty, which also sets mstatus.SD (bit 63); switching FS does not
 * change the f registers. (Every write checked here changes the value:
 * that is what the spec requires to set Dirty.)
 * Mutants: fmv.w.x, fmv.x.d. */
#include "fp_macros.h"

/* Sets mstatus.FS to `fs`. */
#define SET_FS(fs)                  \
  li t0, MSTATUS_FS;                \
  csrc mstatus, t0;                 \
  li t0, fs;                        \
  csrs mstatus, t0

/* Checks mstatus.FS == fs and SD == sd. */
#define CHECK_FS_STATE(n, fs, sd)   \
  csrr t1, mstatus;                 \
  li t0, MSTATUS_FS;                \
  and t2, t1, t0;                   \
  CHECK_XONLY(n, t2, fs);           \
  srli t2, t1, 63;                  \
  CHECK_XONLY(n + 1, t2, sd)

FP_BEGIN
  la t0, trap_recorder
  csrw mtvec, t0
  li s5, 0
  li t0, 0x4000000040490fdb
  fmv.d.x fa0, t0             /* a value to find again after FS = Off */
  LOAD_S(fa1, S_ONE)
  la a1, slot

  SET_FS(0)
  CHECK_FS_STATE(2, 0, 0)
  li a0, 0x55
off1: fadd.s fa2, fa1, fa1
  CHECK_ILLEGAL(4, 1, off1)
off2: flw fa2, 0(a1)
  CHECK_ILLEGAL(5, 2, off2)
off3: fsw fa1, 0(a1)
  CHECK_ILLEGAL(6, 3, off3)
off4: fld fa2, 0(a1)
  CHECK_ILLEGAL(7, 4, off4)
off5: fsd fa1, 0(a1)
  CHECK_ILLEGAL(8, 5, off5)
off6: fmv.w.x fa2, a0
  CHECK_ILLEGAL(9, 6, off6)
off7: fmv.x.w a0, fa1
  CHECK_ILLEGAL(10, 7, off7)
off8: fmv.x.d a0, fa1
  CHECK_ILLEGAL(11, 8, off8)
off9: feq.d a0, fa1, fa1
  CHECK_ILLEGAL(12, 9, off9)
off10: fclass.s a0, fa1
  CHECK_ILLEGAL(13, 10, off10)
off11: fcvt.d.w fa2, a0
  CHECK_ILLEGAL(14, 11, off11)
off12: fmadd.d fa2, fa1, fa1, fa1
  CHECK_ILLEGAL(15, 12, off12)
off13: csrr a0, fflags
  CHECK_ILLEGAL(16, 13, off13)
off14: csrr a0, frm
  CHECK_ILLEGAL(17, 14, off14)
off15: csrr a0, fcsr
  CHECK_ILLEGAL(18, 15, off15)
off16: csrwi fflags, 1
  CHECK_ILLEGAL(19, 16, off16)
off17: fsrmi 2
  CHECK_ILLEGAL(20, 17, off17)
  CHECK_XONLY(21, a0, 0x55)   /* no destination was written */
  ld a2, 0(a1)
  CHECK_XONLY(22, a2, 0x1111111111111111)
  CHECK_FS_STATE(23, 0, 0)

  /* Initial: the registers and fcsr are still there; reading does not
     need to change FS, writing an f register makes it Dirty. */
  SET_FS(MSTATUS_FS_INIT)
  CHECK_FS_STATE(25, MSTATUS_FS_INIT, 0)
  fmv.x.d a0, fa0
  CHECK_X(27, a0, 0x4000000040490fdb, 0)
  li t0, 0xc0000000
  fmv.w.x fa2, t0
  CHECK_FS_STATE(28, MSTATUS_FS_DIRTY, 1)
  CHECK_FS(30, fa2, 0xc0000000, 0)

  /* Clean -> Dirty by an arithmetic result. */
  SET_FS(MSTATUS_FS_CLEAN)
  CHECK_FS_STATE(31, MSTATUS_FS_CLEAN, 0)
  fadd.s fa2, fa1, fa1, rne
  CHECK_FS_STATE(33, MSTATUS_FS_DIRTY, 1)
  CHECK_FS(35, fa2, S_TWO, 0)
  /* Clean -> Dirty by a load. */
  SET_FS(MSTATUS_FS_CLEAN)
  fld fa3, 0(a1)
  CHECK_FS_STATE(36, MSTATUS_FS_DIRTY, 1)
  CHECK_F(38, fa3, 0x1111111111111111, 0)
  /* Clean -> Dirty by writing fflags. */
  SET_FS(MSTATUS_FS_CLEAN)
  csrwi fflags, NX
  CHECK_FS_STATE(39, MSTATUS_FS_DIRTY, 1)
  frflags a0
  CHECK_XONLY(41, a0, NX)
  csrwi fflags, 0
  /* Clean -> Dirty by writing frm (with a new value: only a change of
     state is required to make FS Dirty). */
  SET_FS(MSTATUS_FS_CLEAN)
  fsrmi 3
  CHECK_FS_STATE(42, MSTATUS_FS_DIRTY, 1)
  fsrmi 0
  CHECK_XONLY(44, s5, 17)     /* no trap since FS was turned on */
  j pass

TRAP_RECORDER
FP_END

.data
.balign 8
slot: .dword 0x1111111111111111
