/* Never ends: sleeps in wfi, woken every 500 mtime ticks by the machine
   timer, counting wake-ups in s1 and printing a dot each time; the guest
   is idle nearly always, so only limits on idle runs stop it. */
  .section .text.init
  .globl _start
_start:
  la t0, handler
  csrw mtvec, t0
  li s0, 0x2004000          /* mtimecmp */
  li s2, 0x200bff8          /* mtime */
  li s3, 0x10000000         /* UART */
  ld t0, 0(s2)
  addi t0, t0, 500
  sd t0, 0(s0)
  li t0, 0x80               /* MTIE */
  csrs mie, t0
  csrsi mstatus, 8          /* MIE */
1: wfi
  j 1b
  .balign 4
handler:
  addi s1, s1, 1
  li t0, '.'
  sb t0, 0(s3)
  ld t0, 0(s2)
  addi t0, t0, 500
  sd t0, 0(s0)
  mret
