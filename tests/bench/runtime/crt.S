/* Start-up code for the bare-metal C programs (see link.ld).
 *
 * Contract: main() runs in M-mode with a stack, zeroed .bss/.tbss, tp set
 * for picolibc's TLS, the FPU on (mstatus.FS = Initial) with fcsr = 0, and
 * a trap vector that reports any trap over the UART and fails the run.
 * main's return value becomes the exit status via bare_exit().
 * bare_start_minstret holds minstret as read by the first instruction.
 */
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  /* QEMU's minstret does not start at 0 (with -icount it follows a clock
     that runs before the hart does), so programs measure from here. */
  csrr s1, minstret
  la sp, __stack_top
  la tp, __tls_base
  /* Without FS != Off every floating-point instruction traps. */
  li t0, 0x2000
  csrs mstatus, t0
  csrwi fcsr, 0
  la t0, crt_trap_entry
  csrw mtvec, t0
  /* .tbss lies directly below .bss; clear both (each is 8-aligned). */
  la t0, __tbss_start
  la t1, __tbss_end
1:bgeu t0, t1, 2f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 1b
2:la t0, __bss_start
  la t1, __bss_end
3:bgeu t0, t1, 4f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 3b
4:la t0, bare_start_minstret
  sd s1, 0(t0)
  call main
  call bare_exit

  /* Direct-mode trap vector: must be 4-aligned. The stack is still valid
     (nothing here expects nested traps), so C can report the cause. */
  .align 2
crt_trap_entry:
  csrr a0, mcause
  csrr a1, mepc
  csrr a2, mtval
  call bare_report_trap
5:j 5b
