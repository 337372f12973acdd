/* Integer kernels of the MIPS benchmark: see kernels.h. */
#include "tests/bench/mips/kernels.h"

#include <stddef.h>

/* ---- CRC-32 (reflected, polynomial 0xEDB88320), table driven ---------- */

#define CRC_BUF_BYTES 16384

static uint32_t crc_table[256];
static uint8_t crc_buf[CRC_BUF_BYTES];

uint64_t kernel_crc32(uint32_t reps) {
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0xedb88320u : c >> 1;
    crc_table[i] = c;
  }
  uint64_t seed = 1;
  for (size_t i = 0; i < CRC_BUF_BYTES; ++i) crc_buf[i] = (uint8_t)bench_rand(&seed);
  uint32_t crc = 0xffffffffu;
  for (uint32_t r = 0; r < reps; ++r) {
    for (size_t i = 0; i < CRC_BUF_BYTES; ++i)
      crc = crc_table[(crc ^ crc_buf[i]) & 0xff] ^ (crc >> 8);
    crc_buf[r % CRC_BUF_BYTES] ^= (uint8_t)crc;  /* each pass sees new data */
  }
  return crc ^ 0xffffffffu;
}

/* ---- 64-bit multiply/rotate hash over a generated word stream --------- */

static inline uint64_t rotl64(uint64_t x, unsigned r) {
  return (x << r) | (x >> (64 - r));
}

uint64_t kernel_hash(uint32_t reps) {
  uint64_t h1 = 0x243f6a8885a308d3ull, h2 = 0x13198a2e03707344ull;
  uint64_t x = 7;
  for (uint32_t r = 0; r < reps; ++r) {
    for (uint32_t i = 0; i < 65536; ++i) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      uint64_t k = x * 0x87c37b91114253d5ull;
      k = rotl64(k, 31) * 0x4cf5ad432745937full;
      h1 = rotl64(h1 ^ k, 27) + h2;
      h1 = h1 * 5 + 0x52dce729;
      h2 ^= h1 >> 17;
    }
  }
  return h1 ^ rotl64(h2, 13);
}

/* ---- Quicksort (median of three, insertion sort below 16) ------------- */

#define SORT_N 32768

static uint32_t sort_buf[SORT_N];

static void insertion_sort(uint32_t* a, long n) {
  for (long i = 1; i < n; ++i) {
    uint32_t v = a[i];
    long j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      --j;
    }
    a[j + 1] = v;
  }
}

static void quick_sort(uint32_t* a, long n) {
  while (n > 16) {
    long mid = n / 2;
    uint32_t x = a[0], y = a[mid], z = a[n - 1];
    uint32_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    long i = 0, j = n - 1;
    for (;;) {
      while (a[i] < pivot) ++i;
      while (a[j] > pivot) --j;
      if (i >= j) break;
      uint32_t t = a[i];
      a[i] = a[j];
      a[j] = t;
      ++i;
      --j;
    }
    /* Recurse into the smaller half so the stack stays O(log n). */
    if (j + 1 < n - (j + 1)) {
      quick_sort(a, j + 1);
      a += j + 1;
      n -= j + 1;
    } else {
      quick_sort(a + j + 1, n - (j + 1));
      n = j + 1;
    }
  }
  insertion_sort(a, n);
}

uint64_t kernel_sort(uint32_t reps) {
  uint64_t seed = 3, sum = 0;
  for (uint32_t r = 0; r < reps; ++r) {
    for (size_t i = 0; i < SORT_N; ++i) sort_buf[i] = (uint32_t)bench_rand(&seed);
    quick_sort(sort_buf, SORT_N);
    for (size_t i = 1; i < SORT_N; ++i)
      if (sort_buf[i - 1] > sort_buf[i]) return 0xbad;  /* a wrong sort shows */
    for (size_t i = 0; i < SORT_N; i += 97) sum = sum * 31 + sort_buf[i];
  }
  return sum;
}

/* ---- A register-machine bytecode interpreter -------------------------- */

/* OP_ADD and OP_JNZ are unused by the program below; they keep the switch
   a realistic size for a dispatch loop. */
enum { OP_LI, OP_MOV, OP_ADD, OP_ADDI, OP_SHRI, OP_AND1, OP_MUL3, OP_JZ, OP_JNZ,
       OP_JEQ, OP_JMP, OP_HALT };

typedef struct {
  uint8_t op, a, b, c;
  int32_t imm;
} Insn;

/* Sum over n in [1, limit) of the Collatz stopping time of n, as bytecode:
   r0 = n, r1 = limit, r2 = x, r3 = steps total, r4 = scratch, r5 = 1. */
static const Insn collatz_prog[] = {
    /* 0 */ {OP_LI, 0, 0, 0, 1},
    /* 1 */ {OP_LI, 3, 0, 0, 0},
    /* 2 */ {OP_LI, 5, 0, 0, 1},
    /* 3 */ {OP_JEQ, 0, 1, 0, 15},    /* n == limit: done */
    /* 4 */ {OP_MOV, 2, 0, 0, 0},     /* x = n */
    /* 5 */ {OP_JEQ, 2, 5, 0, 13},    /* x == 1: next n */
    /* 6 */ {OP_AND1, 4, 2, 0, 0},
    /* 7 */ {OP_JZ, 4, 0, 0, 10},
    /* 8 */ {OP_MUL3, 2, 2, 0, 0},    /* odd: x = 3x + 1 */
    /* 9 */ {OP_JMP, 0, 0, 0, 11},
    /* 10 */ {OP_SHRI, 2, 2, 0, 1},   /* even: x /= 2 */
    /* 11 */ {OP_ADDI, 3, 3, 0, 1},
    /* 12 */ {OP_JMP, 0, 0, 0, 5},
    /* 13 */ {OP_ADDI, 0, 0, 0, 1},
    /* 14 */ {OP_JMP, 0, 0, 0, 3},
    /* 15 */ {OP_HALT, 0, 0, 0, 0},
};

static uint64_t interpret(const Insn* prog, uint64_t* r) {
  uint64_t executed = 0;
  for (uint32_t pc = 0;; ++executed) {
    const Insn* in = &prog[pc++];
    switch (in->op) {
      case OP_LI: r[in->a] = (uint64_t)(int64_t)in->imm; break;
      case OP_MOV: r[in->a] = r[in->b]; break;
      case OP_ADD: r[in->a] = r[in->b] + r[in->c]; break;
      case OP_ADDI: r[in->a] = r[in->b] + (uint64_t)(int64_t)in->imm; break;
      case OP_SHRI: r[in->a] = r[in->b] >> (in->imm & 63); break;
      case OP_AND1: r[in->a] = r[in->b] & 1; break;
      case OP_MUL3: r[in->a] = r[in->b] * 3 + 1; break;
      case OP_JZ: if (r[in->a] == 0) pc = (uint32_t)in->imm; break;
      case OP_JNZ: if (r[in->a] != 0) pc = (uint32_t)in->imm; break;
      case OP_JEQ: if (r[in->a] == r[in->b]) pc = (uint32_t)in->imm; break;
      case OP_JMP: pc = (uint32_t)in->imm; break;
      default: return executed;
    }
  }
}

uint64_t kernel_interp(uint32_t reps) {
  uint64_t sum = 0;
  for (uint32_t r = 0; r < reps; ++r) {
    uint64_t regs[8] = {0};
    regs[1] = 300 + (r & 7);  /* the limit is loaded before the program runs */
    uint64_t n = interpret(collatz_prog, regs);
    sum = sum * 1000003 + regs[3] + n;
  }
  return sum;
}

/* ---- 64x64 int32 matrix multiply -------------------------------------- */

#define IMAT_N 64

static int32_t ima[IMAT_N][IMAT_N], imb[IMAT_N][IMAT_N], imc[IMAT_N][IMAT_N];

uint64_t kernel_imatmul(uint32_t reps) {
  uint64_t seed = 5;
  for (int i = 0; i < IMAT_N; ++i)
    for (int j = 0; j < IMAT_N; ++j) {
      ima[i][j] = (int32_t)(bench_rand(&seed) % 2001) - 1000;
      imb[i][j] = (int32_t)(bench_rand(&seed) % 2001) - 1000;
    }
  uint64_t sum = 0;
  for (uint32_t r = 0; r < reps; ++r) {
    for (int i = 0; i < IMAT_N; ++i)
      for (int j = 0; j < IMAT_N; ++j) {
        /* 64 products of |x| <= 10^6 fit easily in int64. */
        int64_t acc = 0;
        for (int k = 0; k < IMAT_N; ++k) acc += (int64_t)ima[i][k] * imb[k][j];
        imc[i][j] = (int32_t)(acc % 1000);
      }
    for (int i = 0; i < IMAT_N; ++i)
      for (int j = 0; j < IMAT_N; ++j) {
        sum = sum * 7 + (uint64_t)(int64_t)imc[i][j];
        ima[i][j] = imc[j][i];  /* feed the result back: no two passes alike */
      }
  }
  return sum;
}
