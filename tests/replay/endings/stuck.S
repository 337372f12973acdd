/* Ends stuck: points mtvec at an address with no memory and takes an
   ecall, so every trap faults again at its own vector without retiring an
   instruction. */
  .section .text.init
  .globl _start
_start:
  li s0, 0x10000000
  li t0, 's'
  sb t0, 0(s0)
  li t0, 0x40000000
  csrw mtvec, t0
  ecall
