/* See sig.h. */
#include "tests/diff/sig.h"

static int at_line_start = 1;

static void word_space(void) {
  if (!at_line_start) bare_putc(' ');
  at_line_start = 0;
}

void sig_begin(const char* program) {
  bare_puts("BEGIN ");
  bare_puts(program);
  bare_putc('\n');
}

int sig_end(const char* program) {
  bare_puts("END ");
  bare_puts(program);
  bare_putc('\n');
  return 0;
}

void sig_word(const char* w) {
  word_space();
  bare_puts(w);
}

void sig_x64(uint64_t v) {
  word_space();
  bare_put_hex(v, 16);
}

void sig_x32(uint32_t v) {
  word_space();
  bare_put_hex(v, 8);
}

void sig_x8(uint32_t v) {
  word_space();
  bare_put_hex(v, 2);
}

void sig_sep(void) {
  sig_word(":");
}

void sig_eol(void) {
  bare_putc('\n');
  at_line_start = 1;
}

uint64_t sig_rand(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
