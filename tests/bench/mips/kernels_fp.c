/* Floating-point kernels of the MIPS benchmark: see kernels.h for the rules
   that keep host and guest results bit-identical (no contraction: build with
   -ffp-contract=off; fmaf is called explicitly and is exact on both). */
#include "tests/bench/mips/kernels.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

static inline uint64_t dbits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}

static inline uint32_t fbits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

/* A double in [-1, 1) with 53 random bits. */
static inline double rand_unit(uint64_t* seed) {
  return (double)(int64_t)(bench_rand(seed) >> 10) * (1.0 / 9007199254740992.0) * 2.0 - 1.0;
}

/* ---- 48x48 double matrix multiply ------------------------------------- */

#define DMAT_N 48

static double dma[DMAT_N][DMAT_N], dmb[DMAT_N][DMAT_N], dmc[DMAT_N][DMAT_N];

uint64_t kernel_dmatmul(uint32_t reps) {
  uint64_t seed = 17;
  for (int i = 0; i < DMAT_N; ++i)
    for (int j = 0; j < DMAT_N; ++j) {
      dma[i][j] = rand_unit(&seed);
      dmb[i][j] = rand_unit(&seed);
    }
  uint64_t sum = 0;
  for (uint32_t r = 0; r < reps; ++r) {
    for (int i = 0; i < DMAT_N; ++i)
      for (int j = 0; j < DMAT_N; ++j) {
        double acc = 0.0;
        for (int k = 0; k < DMAT_N; ++k) acc += dma[i][k] * dmb[k][j];
        dmc[i][j] = acc;
      }
    /* |c| <= 48, so scaling by 1/64 (exact) keeps the feedback bounded. */
    for (int i = 0; i < DMAT_N; ++i)
      for (int j = 0; j < DMAT_N; ++j) {
        sum = (sum << 3 | sum >> 61) ^ dbits(dmc[i][j]);
        dma[i][j] = dmc[j][i] * 0.015625 + 0.125;
      }
  }
  return sum;
}

/* ---- Mandelbrot set iteration counts ---------------------------------- */

#define MANDEL_W 64
#define MANDEL_H 48
#define MANDEL_ITER 256

uint64_t kernel_mandel(uint32_t reps) {
  uint64_t sum = 0;
  for (uint32_t r = 0; r < reps; ++r) {
    double shift = (double)(r & 15) * (1.0 / 1024.0);
    for (int py = 0; py < MANDEL_H; ++py)
      for (int px = 0; px < MANDEL_W; ++px) {
        double cr = -2.0 + shift + px * (2.6 / MANDEL_W);
        double ci = -1.2 + py * (2.4 / MANDEL_H);
        double zr = 0.0, zi = 0.0, zr2 = 0.0, zi2 = 0.0;
        int it = 0;
        while (it < MANDEL_ITER && zr2 + zi2 <= 4.0) {
          zi = 2.0 * zr * zi + ci;
          zr = zr2 - zi2 + cr;
          zr2 = zr * zr;
          zi2 = zi * zi;
          ++it;
        }
        sum = sum * 33 + (uint64_t)it + (dbits(zr) >> 40);
      }
  }
  return sum;
}

/* ---- N-body (five bodies, symplectic Euler) --------------------------- */

typedef struct {
  double x, y, z, vx, vy, vz, mass;
} Body;

#define NBODY_N 5
#define NBODY_STEPS_PER_REP 1000

uint64_t kernel_nbody(uint32_t reps) {
  /* A sun and four planets on roughly circular orbits (units: AU, years,
     G*M_sun = 4*pi^2); only the arithmetic matters here, not the physics. */
  const double k = 39.47841760435743;
  Body b[NBODY_N] = {
      {0, 0, 0, 0, 0, 0, k},
      {5.2, 0, 0.1, 0, 2.75, 0, k * 9.5e-4},
      {0, 9.5, -0.2, -2.04, 0, 0.01, k * 2.85e-4},
      {-19.2, 0, 0.3, 0, -1.43, 0, k * 4.4e-5},
      {0, -30.1, 0, 1.14, 0, -0.02, k * 5.1e-5},
  };
  const double dt = 0.001;
  uint64_t sum = 0;
  for (uint32_t r = 0; r < reps; ++r) {
    for (int s = 0; s < NBODY_STEPS_PER_REP; ++s) {
      for (int i = 0; i < NBODY_N; ++i)
        for (int j = i + 1; j < NBODY_N; ++j) {
          double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
          double d2 = dx * dx + dy * dy + dz * dz;
          double mag = dt / (d2 * sqrt(d2));
          b[i].vx -= dx * b[j].mass * mag;
          b[i].vy -= dy * b[j].mass * mag;
          b[i].vz -= dz * b[j].mass * mag;
          b[j].vx += dx * b[i].mass * mag;
          b[j].vy += dy * b[i].mass * mag;
          b[j].vz += dz * b[i].mass * mag;
        }
      for (int i = 0; i < NBODY_N; ++i) {
        b[i].x += dt * b[i].vx;
        b[i].y += dt * b[i].vy;
        b[i].z += dt * b[i].vz;
      }
    }
    double e = 0.0;
    for (int i = 0; i < NBODY_N; ++i) {
      e += 0.5 * b[i].mass * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
      for (int j = i + 1; j < NBODY_N; ++j) {
        double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
        e -= b[i].mass * b[j].mass / sqrt(dx * dx + dy * dy + dz * dz);
      }
    }
    sum = (sum << 7 | sum >> 57) ^ dbits(e) ^ dbits(b[1].x);
  }
  return sum;
}

/* ---- Single-precision dot products with fused multiply-add ------------ */

#define SDOT_N 4096

static float sdx[SDOT_N], sdy[SDOT_N];

uint64_t kernel_sdot(uint32_t reps) {
  uint64_t seed = 19;
  for (int i = 0; i < SDOT_N; ++i) {
    sdx[i] = (float)rand_unit(&seed);
    sdy[i] = (float)rand_unit(&seed);
  }
  uint64_t sum = 0;
  for (uint32_t r = 0; r < reps; ++r) {
    float d0 = 0.0f, d1 = 0.0f;
    for (int i = 0; i < SDOT_N; i += 2) {
      d0 = fmaf(sdx[i], sdy[i], d0);
      d1 = fmaf(sdx[i + 1], sdy[i + 1], d1);
    }
    float d = d0 + d1;
    /* |d| is far below SDOT_N, so this keeps every element within [-2, 2]. */
    sdy[r % SDOT_N] = sdy[r % SDOT_N] * 0.5f + d * (1.0f / SDOT_N);
    sum = (sum << 5 | sum >> 59) ^ fbits(d);
  }
  return sum;
}
