/* Counters: cycle/time/instret and their access control from S and U
 * (mcounteren, scounteren).
 * Spec 1.12 §3.1.10-3.1.12, §4.1.4: S may read cycle/time/instret only
 * when the CY/TM/IR bit of mcounteren is set, U only when it is set in
 * both mcounteren and scounteren; otherwise illegal instruction. time
 * shadows the memory-mapped mtime. minstret is writable. (QEMU 7.2's
 * instret counts host ticks, so only its direction is checked; its
 * mcountinhibit freezes nothing correctly, and mcountinhibit is optional,
 * so it is not tested.) */
#include "priv_macros.h"

#define CY 1
#define TM 2
#define IR 4

/* From S or U: reads the counter `csr`; ok = 1 expects no trap, ok = 0
   an illegal-instruction trap. */
#define READ_CTR(n, csr, ok) READ_CTR_##ok(n, csr)
#define READ_CTR_1(n, csr) \
  ARM_SKIP;                \
  csrr t4, csr;            \
  EXPECT_NO_TRAP(n)
#define READ_CTR_0(n, csr) \
  ARM_SKIP;                \
  csrr t4, csr;            \
  EXPECT_TRAP(n, PRV_M, CAUSE_ILLEGAL)

/* From M: sets mcounteren/scounteren, then runs `label` in `mode`; the
   code there ends with ECALL_TO_M. */
#define RUN(mode, label, men, sen) \
  li t0, men;                      \
  csrw mcounteren, t0;             \
  li t0, sen;                      \
  csrw scounteren, t0;             \
  MRET_TO(mode, label)

TEST_START
test_main:
  INSTALL_HANDLERS
  PMP_OPEN_ALL
  csrw mie, zero
  csrw medeleg, zero
  csrw mideleg, zero
  li s7, 0

  /* M: counters move forward; time sits between two mtime reads. */
  rdinstret t0
  rdcycle t1
  li t2, 100
1: addi t2, t2, -1
  bnez t2, 1b
  rdinstret t3
  rdcycle t4
  sltu t5, t0, t3
  CHECK_EQ(1, t5, 1)
  sltu t5, t1, t4
  CHECK_EQ(2, t5, 1)
  li t0, CLINT_MTIME
  ld t1, 0(t0)
  rdtime t2
  ld t3, 0(t0)
  sltu t5, t2, t1
  CHECK_EQ(3, t5, 0)                     /* mtime1 <= time */
  sltu t5, t3, t2
  CHECK_EQ(4, t5, 0)                     /* time <= mtime2 */
  li t0, 1000000
  csrw minstret, t0
  csrr t1, minstret
  sltu t5, t1, t0
  CHECK_EQ(5, t5, 0)
  csrr t0, minstret                      /* the user view is the same counter */
  rdinstret t1
  sltu t5, t1, t0
  CHECK_EQ(6, t5, 0)

  RUN(PRV_S, s_none, 0, 7)
s_none:
  READ_CTR(10, cycle, 0)
  READ_CTR(11, time, 0)
  READ_CTR(12, instret, 0)
  ECALL_TO_M(1f)
1:
  RUN(PRV_S, s_all, 7, 0)
s_all:
  READ_CTR(13, cycle, 1)
  READ_CTR(14, time, 1)
  READ_CTR(15, instret, 1)
  ECALL_TO_M(1f)
1:
  RUN(PRV_S, s_some, CY | IR, 0)
s_some:
  READ_CTR(16, cycle, 1)
  READ_CTR(17, time, 0)
  READ_CTR(18, instret, 1)
  ECALL_TO_M(1f)
1:
  RUN(PRV_U, u_m_only, 7, 0)
u_m_only:
  READ_CTR(20, cycle, 0)
  READ_CTR(21, time, 0)
  READ_CTR(22, instret, 0)
  ECALL_TO_M(1f)
1:
  RUN(PRV_U, u_s_only, 0, 7)
u_s_only:
  READ_CTR(23, cycle, 0)
  READ_CTR(24, time, 0)
  READ_CTR(25, instret, 0)
  ECALL_TO_M(1f)
1:
  RUN(PRV_U, u_both, TM | IR, CY | TM)
u_both:
  READ_CTR(26, cycle, 0)
  READ_CTR(27, time, 1)
  READ_CTR(28, instret, 0)
  ECALL_TO_M(1f)
1:
  /* the M counter CSRs stay M-only whatever mcounteren says */
  RUN(PRV_S, s_mcsr, 7, 7)
s_mcsr:
  READ_CTR(29, mcycle, 0)
  READ_CTR(30, minstret, 0)
  ECALL_TO_M(1f)
1:
  CHECK_EQ(31, s7, 21)
  j pass

  PRIV_HANDLERS
  PASS_FAIL_LABELS
