/* 32-bit instructions that straddle a 4 KiB page boundary: with C, a
 * 2-byte instruction can leave a 32-bit one at page offset 0xffe, whose
 * second half lies in the next page. Each site below is a 2-byte
 * instruction at offset 0xffc followed by a 32-bit one at 0xffe: an ALU op
 * (xori), auipc (its pc is the straddling address), a load, a jal (link =
 * its pc + 4) and taken/not-taken branches. One site is reached by falling
 * through a run of compressed instructions rather than by a jump.
 * Mutant: xori (used only at the straddling site A). */
#include "../rv64i/macros.h"

/* Moves to page offset 0xffc of the next page. */
#define TO_PAGE_END .balign 4096; .skip 4092

/* Check n: label l is at page offset 0xffe (guards the layout). */
#define CHECK_STRADDLE(n, l)        \
  la t1, l;                         \
  li t2, 0xfff;                     \
  and t1, t1, t2;                   \
  CHECK_D(n, t1, 0xffe)

  .data
  .balign 8
value: .dword 0x0123456789abcdef

ISA_BEGIN
  .option rvc
  la t1, site_a
  jr t1
  FAIL_HERE(2)

  TO_PAGE_END
site_a:
  c.li a0, 5
  .option push
  .option norvc
straddle_a:
  xori a0, a0, 0x555          /* straddles */
  .option pop
  c.addi a0, 1
  CHECK_D(3, a0, 0x551)
  la t1, site_b
  jr t1
  FAIL_HERE(4)

  TO_PAGE_END
site_b:
  c.nop
site_b_auipc:
  auipc a1, 0                 /* straddles */
  CHECK_D(5, a1, site_b_auipc)
  li t1, 0xfff
  and t1, a1, t1
  CHECK_D(6, t1, 0xffe)
  la t3, value
  la t1, site_c
  jr t1
  FAIL_HERE(7)

  .balign 4096
  .skip 4062
site_c:                       /* 15 compressed instructions, then ld */
  li a2, 0
  .rept 15
  c.addi a2, 1
  .endr
  .option push
  .option norvc
straddle_c:
  ld t2, 0(t3)                /* straddles */
  .option pop
  CHECK_D(8, t2, 0x0123456789abcdef)
  CHECK_D(9, a2, 15)
  la t1, site_d
  jr t1
  FAIL_HERE(10)

  TO_PAGE_END
site_d:
  c.nop
site_d_jal:
  jal ra, 1f                  /* straddles */
  FAIL_HERE(11)
1:
  CHECK_D(12, ra, site_d_jal + 4)
  li t4, 1
  la t1, site_e
  jr t1
  FAIL_HERE(13)

  TO_PAGE_END
site_e:
  c.li a3, 0
straddle_e:
  bne t4, x0, 2f              /* straddles; taken */
  FAIL_HERE(14)
2:
  la t1, site_f
  jr t1
  FAIL_HERE(15)

  TO_PAGE_END
site_f:
  c.li a3, 7
straddle_f:
  beq t4, x0, fail            /* straddles; not taken */
  c.addi a3, 1
  CHECK_D(16, a3, 8)
  CHECK_STRADDLE(17, straddle_a)
  CHECK_STRADDLE(18, site_b_auipc)
  CHECK_STRADDLE(19, straddle_c)
  CHECK_STRADDLE(20, site_d_jal)
  CHECK_STRADDLE(21, straddle_e)
  CHECK_STRADDLE(22, straddle_f)
  beq x0, x0, pass
ISA_END
