/* Bare-metal echo: copies UART0 input to its output until a newline, then
   passes. Polls the line status register, so every input byte is read by
   an RBR access at a precise instruction count. */
  .section .text.init
  .globl _start
_start:
  li s0, 0x10000000
1: lbu t0, 5(s0)          /* LSR */
  andi t0, t0, 1          /* data ready */
  beqz t0, 1b
  lbu t1, 0(s0)           /* RBR */
  sb t1, 0(s0)            /* THR */
  li t2, 10
  bne t1, t2, 1b
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
2: j 2b
