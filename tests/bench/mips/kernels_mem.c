/* Memory kernels of the MIPS benchmark: see kernels.h. Both walk arrays of
   4 MiB, larger than the host's L2 cache, so the emulator's load/store path
   (TLB lookup, RAM access) dominates rather than its ALU dispatch. */
#include "tests/bench/mips/kernels.h"

#include <stddef.h>
#include <string.h>

/* ---- Streaming: memcpy, then a read-modify-write sweep and a sum ------ */

#define STREAM_WORDS (512 * 1024)  /* 4 MiB of uint64_t per array */

static BENCH_NOINIT uint64_t stream_src[STREAM_WORDS];
static BENCH_NOINIT uint64_t stream_dst[STREAM_WORDS];

uint64_t kernel_stream(uint32_t reps) {
  /* A plain LCG fills the array: initialisation is not what is measured. */
  uint64_t x = 11;
  for (size_t i = 0; i < STREAM_WORDS; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    stream_src[i] = x;
  }
  uint64_t sum = 0;
  for (uint32_t r = 0; r < reps; ++r) {
    memcpy(stream_dst, stream_src, sizeof stream_src);  /* picolibc's memcpy */
    for (size_t i = 0; i < STREAM_WORDS; ++i)
      stream_src[i] = stream_dst[i] * 3 + (stream_src[i] >> 7) + r;
    for (size_t i = 0; i < STREAM_WORDS; i += 2) sum += stream_src[i] ^ stream_dst[i + 1];
  }
  return sum;
}

/* ---- Pointer chasing over one random cycle through 4 MiB of nodes ----- */

typedef struct Node {
  struct Node* next;
  uint64_t payload;
} Node;

#define CHASE_NODES (256 * 1024)  /* 16-byte nodes: 4 MiB */
#define CHASE_STEPS_PER_REP (256 * 1024)

static BENCH_NOINIT Node chase_nodes[CHASE_NODES];
static BENCH_NOINIT uint32_t chase_order[CHASE_NODES];

uint64_t kernel_chase(uint32_t reps) {
  /* Sattolo's shuffle yields a single cycle covering every node, so the
     walk never settles into a short, cache-resident loop. */
  uint64_t x = 13;
  for (uint32_t i = 0; i < CHASE_NODES; ++i) chase_order[i] = i;
  for (uint32_t i = CHASE_NODES - 1; i > 0; --i) {
    /* j uniform-enough in [0, i): high 32 bits of an LCG times i. */
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    uint32_t j = (uint32_t)(((x >> 32) * i) >> 32);
    uint32_t t = chase_order[i];
    chase_order[i] = chase_order[j];
    chase_order[j] = t;
  }
  for (uint32_t i = 0; i < CHASE_NODES; ++i) {
    chase_nodes[i].next = &chase_nodes[chase_order[i]];
    chase_nodes[i].payload = (uint64_t)i * 0x9e3779b97f4a7c15ull;
  }
  const Node* p = &chase_nodes[0];
  uint64_t sum = 0;
  for (uint32_t r = 0; r < reps; ++r) {
    for (uint32_t s = 0; s < CHASE_STEPS_PER_REP; ++s) {
      sum += p->payload ^ s;
      p = p->next;
    }
    sum = (sum << 1) | (sum >> 63);
  }
  /* Address-free result: the index of the node where the walk stopped. */
  return sum ^ (uint64_t)(p - chase_nodes);
}
