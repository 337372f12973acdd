/* Compressed-instruction kernels for rvc.c (differential test).
 *
 * rvc_ops(const uint64_t in[4], uint64_t out[RVC_OUT]): runs explicit C
 * extension instructions of every kind on the inputs and stores what they
 * produce into out[] (see the slot numbers below). Only out[] is compared,
 * so addresses appear only as differences (link values, sp offsets).
 *
 * rvc_straddle(x): a 32-bit instruction whose two halves lie on two
 * different 4 KiB pages, between compressed instructions; returns
 * x + 1 + 0x123 + 2.
 */
  .option push
  .option rvc
  .text
  .globl rvc_ops
  .balign 4
rvc_ops:
  c.addi16sp sp, -64
  c.sdsp s0, 0(sp)
  c.sdsp s1, 8(sp)
  c.ld a2, 0(a0)           /* x */
  c.ld a3, 8(a0)           /* y */
  /* CI format */
  c.mv a4, a2
  c.addi a4, -17
  c.sd a4, 0(a1)           /* out[0] = x - 17 */
  c.mv a4, a2
  c.addiw a4, 31
  c.sd a4, 8(a1)           /* out[1] = sext32(x + 31) */
  c.li a5, -32
  c.sd a5, 16(a1)          /* out[2] = -32 */
  c.lui a5, 0xfffe1
  c.sd a5, 24(a1)          /* out[3] = lui sign-extended */
  c.lui a5, 0x1f
  c.sd a5, 32(a1)          /* out[4] */
  c.mv a4, a2
  c.slli a4, 13
  c.sd a4, 40(a1)          /* out[5] */
  c.mv s0, a2
  c.srli s0, 7
  c.sd s0, 48(a1)          /* out[6] */
  c.mv s1, a2
  c.srai s1, 63
  c.sd s1, 56(a1)          /* out[7] */
  c.mv s1, a2
  c.andi s1, -5
  c.sd s1, 64(a1)          /* out[8] */
  /* CR / CA formats */
  c.mv a4, a2
  c.add a4, a3
  c.sd a4, 72(a1)          /* out[9] = x + y */
  c.mv a4, a2
  c.sub a4, a3
  c.sd a4, 80(a1)          /* out[10] */
  c.mv a4, a2
  c.xor a4, a3
  c.sd a4, 88(a1)          /* out[11] */
  c.mv a4, a2
  c.or a4, a3
  c.sd a4, 96(a1)          /* out[12] */
  c.mv a4, a2
  c.and a4, a3
  c.sd a4, 104(a1)         /* out[13] */
  c.mv a4, a2
  c.subw a4, a3
  c.sd a4, 112(a1)         /* out[14] */
  c.mv a4, a2
  c.addw a4, a3
  c.sd a4, 120(a1)         /* out[15] */
  /* CL / CS: word loads sign-extend, word stores write 4 bytes */
  c.lw a4, 4(a0)
  c.sd a4, 128(a1)         /* out[16] = sext(high word of in[0]) */
  .option norvc
  addi a5, a1, 136         /* c.sw reaches only 124 bytes */
  .option rvc
  c.sw a3, 0(a5)           /* out[17]: low word replaced (C pre-fills it) */
  /* Stack-relative forms */
  c.sdsp a2, 16(sp)
  c.swsp a3, 20(sp)
  c.ldsp a4, 16(sp)
  c.sd a4, 144(a1)         /* out[18] */
  c.lwsp a5, 20(sp)
  c.sd a5, 152(a1)         /* out[19] */
  c.addi4spn a4, sp, 40
  c.mv a5, sp
  c.sub a4, a5
  c.sd a4, 160(a1)         /* out[20] = 40 */
  /* Floating-point loads/stores (bits only, no arithmetic) */
  c.fld fa0, 16(a0)
  c.fsd fa0, 168(a1)       /* out[21] = in[2] */
  c.fsdsp fa0, 24(sp)
  c.fldsp fa1, 24(sp)
  c.fsd fa1, 176(a1)       /* out[22] = in[2] */
  /* Branches: out[23] = 1 if x == 0, out[24] = 1 if y != 0 */
  c.li a4, 0
  c.bnez a2, 1f
  c.li a4, 1
1:c.sd a4, 184(a1)
  c.li a4, 0
  c.beqz a3, 2f
  c.li a4, 1
2:c.sd a4, 192(a1)
  /* Jumps: c.j skips; c.jalr links pc + 2; c.jr returns */
  c.li a4, 3
  c.j 3f
  c.li a4, 9
3:c.sd a4, 200(a1)         /* out[25] = 3 */
  c.mv s1, ra
  la a5, 4f
5:c.jalr a5                /* ra = 5b + 2 */
  c.j 6f
4:la a4, 5b
  c.mv a5, ra
  c.sub a5, a4
  c.sd a5, 208(a1)         /* out[26] = 2: the link of a 16-bit jump */
  c.jr ra
6:c.mv ra, s1
  c.ldsp s0, 0(sp)
  c.ldsp s1, 8(sp)
  c.addi16sp sp, 64
  c.jr ra
  .option pop

/* rvc_straddle: see the header comment. Padding before the entry point is
   never executed. */
  .section .text.straddle, "ax", @progbits
  .globl rvc_straddle
  .balign 4096
  .skip 4092
  .option push
  .option rvc
rvc_straddle:
  c.addi a0, 1             /* page offset 0xffc */
  .option norvc
  addi a0, a0, 0x123       /* page offsets 0xffe..0x1001 */
  .option rvc
  c.addi a0, 2
  c.jr ra
  .option pop
