/* Sdtrig debug triggers (RISC-V Debug Specification 1.0, Sdtrig chapter)
 * as tapvm implements them (emulator/cpu/triggers.h): 4 triggers of type 2
 * (mcontrol) with action 0, raising a breakpoint exception (cause 3).
 * Checked: enumeration (tselect, tinfo), reset values, the WARL rules of
 * tdata1/tdata3/tcontrol; execute triggers fire before the instruction
 * (xepc = xtval = its address, it has no effect) and ahead of a fetch
 * fault; load and store triggers fire before the access, on any byte it
 * touches (lr, sc, AMOs, FP, misaligned), behind an illegal FP access;
 * match equal, >=, <, not-equal and mask-low; the hit bit; the m, s and u
 * bits and the delegation of the breakpoint; tcontrol.mte gating M-mode
 * triggers, cleared in the M-mode handler (no re-entrancy) and restored
 * by mret. Every check that expects a trap fails on a hart whose triggers
 * never fire. */
#include "priv_macros.h"

#define CSR_TSELECT  0x7a0
#define CSR_TDATA1   0x7a1
#define CSR_TDATA2   0x7a2
#define CSR_TDATA3   0x7a3
#define CSR_TINFO    0x7a4
#define CSR_TCONTROL 0x7a5

/* mcontrol fields */
#define MC_TYPE2 (2 << 60)
#define MC_DMODE (1 << 59)
#define MC_HIT   (1 << 20)
#define MC_SELECT (1 << 19)
#define MC_TIMING (1 << 18)
#define MC_SIZELO(n) ((n) << 16)
#define MC_ACTION(n) ((n) << 12)
#define MC_CHAIN (1 << 11)
#define MC_MATCH(n) ((n) << 7)
#define MC_M 0x40
#define MC_S 0x10
#define MC_U 0x8
#define MC_X 0x4
#define MC_ST 0x2
#define MC_LD 0x1
#define TCONTROL_MTE  0x8
#define TCONTROL_MPTE 0x80
#define CAUSE_BREAKPOINT 3
#define MSTATUS_FS_INITIAL (1 << 13)
#define MSTATUS_FS (3 << 13)

/* Trigger `idx`: tdata1 = ctl, tdata2 = register `addr`, written in the
   order the spec gives (disable, tdata2, tdata1). Clobbers t0. */
#define SET_TRIGGER(idx, ctl, addr) \
  li t0, idx;                       \
  csrw CSR_TSELECT, t0;             \
  csrw CSR_TDATA1, zero;            \
  csrw CSR_TDATA2, addr;            \
  li t0, ctl;                       \
  csrw CSR_TDATA1, t0

#define CLEAR_TRIGGER(idx)  \
  li t0, idx;               \
  csrw CSR_TSELECT, t0;     \
  csrw CSR_TDATA1, zero

#define CLEAR_ALL_TRIGGERS \
  CLEAR_TRIGGER(0);        \
  CLEAR_TRIGGER(1);        \
  CLEAR_TRIGGER(2);        \
  CLEAR_TRIGGER(3)

/* Writes `value` to tdata1 of the selected trigger and expects `expect`
   back (check n). Clobbers t0, t1, t6. */
#define TDATA1_WARL(n, value, expect) \
  li t0, value;                       \
  csrw CSR_TDATA1, t0;                \
  csrr t1, CSR_TDATA1;                \
  li TESTNUM, n;                      \
  li t6, expect;                      \
  bne t1, t6, fail

/* Runs the instruction, expecting a breakpoint into M reporting tval in
   register `tv` (not s8) at this instruction (check n). */
#define BREAKS_M(n, tv, ...)                     \
  ARM_SKIP;                                      \
  la s8, 1f;                                     \
1: __VA_ARGS__;                                  \
  EXPECT_TRAP(n, PRV_M, CAUSE_BREAKPOINT);       \
  CHECK_REG(n, s3, s8);                          \
  CHECK_REG(n, s4, tv)

/* Runs the instruction, expecting no trap (check n). */
#define NO_BREAK(n, ...) \
  ARM_SKIP;              \
  __VA_ARGS__;           \
  EXPECT_NO_TRAP(n)

/* Sets tcontrol.mte: M-mode triggers match again (a handler that went on
   without mret leaves it clear). */
#define MTE_ON            \
  li t0, TCONTROL_MTE;    \
  csrs CSR_TCONTROL, t0

TEST_START
test_main:
  INSTALL_HANDLERS
  li s7, 0
  PMP_OPEN_ALL
  csrw mie, zero
  csrw medeleg, zero
  csrw mideleg, zero
  la s9, tpage
  addi s10, s9, 0x100         /* the watched word */
  li t1, 0x55
  sw t1, 0(s10)

  /* ---- enumeration, as the spec's algorithm walks it ---- */
  csrw CSR_TSELECT, zero
  csrr t1, CSR_TSELECT
  CHECK_EQ(1, t1, 0)
  li t0, 3
  csrw CSR_TSELECT, t0
  csrr t1, CSR_TSELECT
  CHECK_EQ(2, t1, 3)
  li t0, 4                    /* no trigger 4: the write is ignored */
  csrw CSR_TSELECT, t0
  csrr t1, CSR_TSELECT
  CHECK_EQ(3, t1, 3)
  csrr t1, CSR_TINFO          /* version 1, type 2 only */
  CHECK_EQ(4, t1, (1 << 24) | (1 << 2))
  csrw CSR_TINFO, zero        /* read-only: ignored */
  csrr t1, CSR_TINFO
  CHECK_EQ(5, t1, (1 << 24) | (1 << 2))

  /* ---- reset values: type 2, watching nothing; tcontrol 0 ---- */
#define RESET_VALUE(n, idx)   \
  li t0, idx;                 \
  csrw CSR_TSELECT, t0;       \
  csrr t1, CSR_TDATA1;        \
  CHECK_EQ(n, t1, MC_TYPE2);  \
  csrr t1, CSR_TDATA2;        \
  CHECK_EQ(n, t1, 0)
  RESET_VALUE(6, 0)
  RESET_VALUE(7, 1)
  RESET_VALUE(8, 2)
  RESET_VALUE(9, 3)
  csrr t1, CSR_TCONTROL
  CHECK_EQ(10, t1, 0)

  /* ---- WARL: what cannot be honoured leaves a disabled trigger ---- */
  csrw CSR_TSELECT, zero
  TDATA1_WARL(11, 0, MC_TYPE2)
  TDATA1_WARL(12, (6 << 60) | MC_M | MC_X, MC_TYPE2)            /* type 6: not here */
  TDATA1_WARL(13, MC_TYPE2 | MC_DMODE | MC_M | MC_X, MC_TYPE2 | MC_M | MC_X)  /* no Debug Mode */
  TDATA1_WARL(14, MC_TYPE2 | MC_SELECT | MC_M | MC_X, MC_TYPE2 | MC_M)        /* data match */
  TDATA1_WARL(15, MC_TYPE2 | MC_TIMING | MC_M | MC_LD, MC_TYPE2 | MC_M | MC_LD) /* after: before */
  TDATA1_WARL(16, MC_TYPE2 | MC_MATCH(1) | MC_M | MC_X, MC_TYPE2 | MC_M)      /* napot (maskmax 0) */
  TDATA1_WARL(17, MC_TYPE2 | MC_ACTION(1) | MC_M | MC_X, MC_TYPE2 | MC_M)     /* enter Debug Mode */
  TDATA1_WARL(18, MC_TYPE2 | MC_CHAIN | MC_M | MC_X, MC_TYPE2 | MC_M)         /* chain */
  TDATA1_WARL(19, MC_TYPE2 | MC_SIZELO(3) | MC_MATCH(2) | MC_M | MC_S | MC_U | MC_X | MC_ST | MC_LD,
              MC_TYPE2 | MC_MATCH(2) | MC_M | MC_S | MC_U | MC_X | MC_ST | MC_LD) /* any size */
  TDATA1_WARL(20, MC_TYPE2 | MC_HIT | (1 << 5), MC_TYPE2 | MC_HIT)           /* bit 5 is 0 */
  TDATA1_WARL(21, 0, MC_TYPE2)
  li t0, -1
  csrw CSR_TDATA2, t0
  csrr t1, CSR_TDATA2
  CHECK_EQ(22, t1, -1)
  csrw CSR_TDATA2, zero
  csrw CSR_TDATA3, t0         /* no textra conditions: reads 0 */
  csrr t1, CSR_TDATA3
  CHECK_EQ(23, t1, 0)
  csrw CSR_TCONTROL, t0       /* mte and mpte only */
  csrr t1, CSR_TCONTROL
  CHECK_EQ(24, t1, TCONTROL_MTE | TCONTROL_MPTE)
  csrw CSR_TCONTROL, zero
  CHECK_EQ(25, s7, 0)

  /* ---- execute: gated by tcontrol.mte in M-mode ---- */
  la s11, exec_site
  SET_TRIGGER(0, MC_TYPE2 | MC_M | MC_X, s11)
  li a0, 0
  NO_BREAK(30, jal exec_site)
  CHECK_EQ(31, a0, 1)         /* exec_site ran */
  MTE_ON
  /* Fires before exec_site's `li a0, 1`; the handler skips it. */
  ARM_SKIP
  li a0, 0
  jal exec_site
  EXPECT_TRAP(32, PRV_M, CAUSE_BREAKPOINT)
  CHECK_REG(33, s3, s11)      /* mepc */
  CHECK_REG(34, s4, s11)      /* mtval */
  CHECK_EQ(35, a0, 0)         /* the instruction had no effect */
  csrr t1, CSR_TCONTROL       /* mret brought mte back from mpte */
  CHECK_EQ(36, t1, TCONTROL_MTE | TCONTROL_MPTE)
  csrr t1, CSR_TDATA1
  CHECK_EQ(37, t1, MC_TYPE2 | MC_HIT | MC_M | MC_X)
  CLEAR_TRIGGER(0)

  /* No re-entrancy: a trigger on the handler's first instruction does not
     fire in the handler (the trap cleared mte). */
  la t1, mtrap_record
  SET_TRIGGER(1, MC_TYPE2 | MC_M | MC_X, t1)
  mv s8, s7
  ARM_SKIP
  ecall
  EXPECT_TRAP(40, PRV_M, CAUSE_ECALL_M)
  addi s8, s8, 1
  CHECK_REG(41, s7, s8)       /* one trap only */
  CLEAR_TRIGGER(1)

  /* Execute outranks a fetch fault: nothing is at 0x70000000. */
  li s11, 0x70000000
  SET_TRIGGER(0, MC_TYPE2 | MC_M | MC_X, s11)
  ARM_TRAP(45f)
  jalr s11
  j fail
45:
  EXPECT_TRAP(45, PRV_M, CAUSE_BREAKPOINT)
  CHECK_REG(46, s3, s11)
  CHECK_REG(46, s4, s11)
  CLEAR_TRIGGER(0)
  ARM_TRAP(47f)
  jalr s11
  j fail
47:
  EXPECT_TRAP(47, PRV_M, CAUSE_FETCH_ACCESS)  /* without the trigger: the fault */
  MTE_ON                      /* the handler went on without mret */

  /* ---- loads: before the access, on any byte it touches ---- */
  SET_TRIGGER(0, MC_TYPE2 | MC_M | MC_LD, s10)
  li a0, 0
  BREAKS_M(50, s10, lw a0, 0(s10))
  CHECK_EQ(51, a0, 0)         /* nothing loaded */
  li t1, 0x66
  NO_BREAK(52, sw t1, 0(s10)) /* a store does not match a load trigger */
  NO_BREAK(53, lw a0, 4(s10))
  NO_BREAK(54, lb a0, 1(s10))  /* equal: byte 1 is not the address */
  BREAKS_M(55, s10, ld a0, -4(s10))   /* bytes -4..3 include it */
  BREAKS_M(56, s10, lw a0, -2(s10))   /* misaligned, too */
  BREAKS_M(57, s10, lr.w a0, (s10))
  BREAKS_M(58, s10, amoadd.w a0, t1, (s10))
  li t0, MSTATUS_FS
  csrc mstatus, t0
  ARM_SKIP
  flw ft0, 0(s10)             /* FS off: illegal outranks the breakpoint */
  EXPECT_TRAP(59, PRV_M, CAUSE_ILLEGAL)
  li t0, MSTATUS_FS_INITIAL
  csrs mstatus, t0
  BREAKS_M(60, s10, flw ft0, 0(s10))
  BREAKS_M(61, s10, fld ft0, 0(s10))
  CLEAR_TRIGGER(0)
  lw a0, 0(s10)
  CHECK_EQ(62, a0, 0x66)      /* no AMO wrote it */

  /* ---- stores: the store does not happen ---- */
  SET_TRIGGER(0, MC_TYPE2 | MC_M | MC_ST, s10)
  li t1, 0x77
  BREAKS_M(70, s10, sw t1, 0(s10))
  NO_BREAK(71, lw a0, 0(s10))
  CHECK_EQ(72, a0, 0x66)
  BREAKS_M(73, s10, sb t1, 0(s10))
  BREAKS_M(74, s10, sc.w a0, t1, (s10))
  BREAKS_M(75, s10, amoswap.w a0, t1, (s10))
  BREAKS_M(76, s10, fsw ft0, 0(s10))
  NO_BREAK(77, sh t1, 2(s10))
  CLEAR_TRIGGER(0)
  lw a0, 0(s10)
  li t1, 0x00770066
  CHECK_REG(78, a0, t1)       /* only the sh at +2 wrote */

  /* ---- match kinds ---- */
  li t1, 0x800                /* >= */
  add s11, s9, t1
  SET_TRIGGER(0, MC_TYPE2 | MC_MATCH(2) | MC_M | MC_ST, s11)
  NO_BREAK(80, sw zero, 0x7fc(s9))
  BREAKS_M(81, s11, sw zero, 0x7fe(s9))  /* its bytes 2 and 3 are >= */
  addi s11, s11, 0x100
  BREAKS_M(82, s11, sd zero, 0(s11))     /* every byte matches: the lowest is reported */
  addi s11, s9, 0x100         /* < */
  SET_TRIGGER(0, MC_TYPE2 | MC_MATCH(3) | MC_M | MC_LD, s11)
  NO_BREAK(83, lw a0, 0x100(s9))
  addi a3, s9, 0xfc
  BREAKS_M(84, a3, lw a0, 0xfc(s9))
  addi s11, s9, 0x200         /* not equal: any other store */
  SET_TRIGGER(0, MC_TYPE2 | MC_MATCH(8) | MC_M | MC_ST, s11)
  NO_BREAK(85, sw zero, 0x200(s9))
  addi a3, s9, 0x204
  BREAKS_M(86, a3, sw zero, 0x204(s9))
  CLEAR_TRIGGER(0)
  /* mask low: tdata2[63:32] masks, tdata2[31:0] is compared: a 256-byte block */
  addi s11, s9, 0x300
  slli s11, s11, 32
  srli s11, s11, 32
  li t1, 0xffffff00
  slli t1, t1, 32
  or s11, s11, t1
  SET_TRIGGER(0, MC_TYPE2 | MC_MATCH(4) | MC_M | MC_ST, s11)
  addi a3, s9, 0x3f0
  BREAKS_M(87, a3, sw zero, 0x3f0(s9))
  NO_BREAK(88, sw zero, 0x400(s9))
  CLEAR_TRIGGER(0)

  /* ---- two triggers fire at once: both record a hit ---- */
  la s11, exec_site
  SET_TRIGGER(0, MC_TYPE2 | MC_M | MC_X, s11)
  SET_TRIGGER(1, MC_TYPE2 | MC_M | MC_X, s11)
  SET_TRIGGER(2, MC_TYPE2 | MC_M | MC_LD, s11)
  ARM_SKIP
  jal exec_site
  EXPECT_TRAP(90, PRV_M, CAUSE_BREAKPOINT)
  li t0, 1
  csrw CSR_TSELECT, t0
  csrr t1, CSR_TDATA1
  CHECK_EQ(91, t1, MC_TYPE2 | MC_HIT | MC_M | MC_X)
  li t0, 2
  csrw CSR_TSELECT, t0
  csrr t1, CSR_TDATA1
  CHECK_EQ(92, t1, MC_TYPE2 | MC_M | MC_LD)   /* a load trigger: no hit */
  CLEAR_ALL_TRIGGERS

  /* ---- privilege bits, and delegation of the breakpoint ---- */
  la s11, exec_site
  SET_TRIGGER(0, MC_TYPE2 | MC_S | MC_X, s11)   /* S only */
  SET_TRIGGER(1, MC_TYPE2 | MC_U | MC_LD, s10)  /* U only */
  SET_TRIGGER(2, MC_TYPE2 | MC_M | MC_LD, s10)  /* M only */
  NO_BREAK(100, jal exec_site)
  BREAKS_M(101, s10, lw a0, 0(s10))
  MRET_TO(PRV_S, in_s)
in_s:
  ARM_SKIP
  li a0, 0
  jal exec_site
  EXPECT_TRAP(102, PRV_M, CAUSE_BREAKPOINT)     /* not delegated: to M */
  CHECK_REG(103, s3, s11)
  CHECK_EQ(104, a0, 0)
  NO_BREAK(105, lw a0, 0(s10))                 /* U and M triggers sleep in S */
  ECALL_TO_M(back_in_m)
back_in_m:
  li t0, 1 << CAUSE_BREAKPOINT
  csrs medeleg, t0
  MRET_TO(PRV_S, in_s2)
in_s2:
  ARM_SKIP
  li a0, 0
  jal exec_site
  EXPECT_TRAP(106, PRV_S, CAUSE_BREAKPOINT)    /* delegated: to S */
  CHECK_REG(107, s3, s11)                      /* sepc */
  CHECK_REG(108, s4, s11)                      /* stval */
  SRET_TO(PRV_U, in_u)
in_u:
  NO_BREAK(110, jal exec_site)                 /* the S trigger sleeps in U */
  ARM_SKIP
  la s8, 1f
1: lw a0, 0(s10)
  EXPECT_TRAP(111, PRV_S, CAUSE_BREAKPOINT)
  CHECK_REG(112, s3, s8)
  CHECK_REG(113, s4, s10)
  ECALL_TO_M(done_modes)
done_modes:
  csrw medeleg, zero
  CLEAR_ALL_TRIGGERS
  MTE_ON
  li t0, 1
  NO_BREAK(120, lw a0, 0(s10))                 /* all clear */

  j pass

  .balign 4
exec_site:
  li a0, 1
  ret

  PRIV_HANDLERS
  PASS_FAIL_LABELS

DATA_PAGE(tpage)
