/* Takes an LR reservation and keeps it while spinning for a few million
   instructions, then passes. Recorded with a small digest interval, every
   state digest taken during the spin includes the reservation: it must be
   a guest address, the same in every process (it once held a host pointer,
   so two processes gave two different digests). */
  .section .text.init
  .globl _start
_start:
  la s0, cell
  lr.d t0, (s0)
  li t1, 3000000
1: addi t1, t1, -1
  bnez t1, 1b
  /* the reservation still holds: sc.d succeeds (rd = 0) */
  li t2, 42
  sc.d t3, t2, (s0)
  bnez t3, fail
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
2: j 2b
fail:
  li t0, 0x100000
  li t1, 0x23333
  sw t1, 0(t0)
3: j 3b
  .data
  .balign 8
cell: .dword 7
