/*
 * ftcounter: a UDP counter service for the guest, the stateful server of the
 * fault-tolerance tests. Every number it hands out is first appended to a
 * file and synced, so after a failover the file shows what was promised.
 *
 * usage: ftcounter PORT FILE
 *
 * State: FILE holds one decimal number per line, each one more than the line
 * before. At start the counter continues after the last complete line (0
 * when there is none); bytes after the last newline (a line torn by a crash)
 * are cut off first. Lines that are not numbers are skipped.
 *
 * Wire protocol: one ASCII request per UDP datagram to 0.0.0.0:PORT, one
 * reply datagram to its sender. A single trailing "\n" (or "\r\n") of a
 * request is ignored, so `echo REQ 1 | nc -u HOST PORT` works.
 *
 *   request               reply
 *   "REQ " ID             ID " " N "\n"   N = previous N + 1, on disk before
 *                                          the reply is sent
 *   "QUIT"                "BYE " N "\n"    then the service exits with 0
 *   anything else         "ERR " REASON "\n", the counter unchanged
 *
 * ID is 1..64 bytes of printable ASCII without spaces, chosen by the client
 * to match replies to requests; it is echoed back unchanged. A repeated ID
 * is a new request: the service keeps no memory of IDs, so a retried
 * request takes a new number. When the file cannot be written the reply is
 * "ERR disk", the file is cut back to its last complete line and N stays.
 * Datagrams from source ports below 1024 get no reply at all: a well-known
 * service such as echo (port 7) would answer every "ERR" and the two would
 * bounce datagrams forever.
 *
 * Prints "ftcounter: ready on port PORT, next N" on stdout once it listens.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ID 64
/* Longer than any valid request, so a longer datagram is recognised. */
#define REQUEST_BUF 256

static void die(const char *what, const char *arg) {
  fprintf(stderr, "ftcounter: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "",
          strerror(errno));
  exit(1);
}

/* Parses a whole string of decimal digits; 0 when it is not one. */
static int parse_number(const char *s, size_t len, uint64_t *out) {
  uint64_t v = 0;
  size_t i;
  if (len == 0 || len > 19) return 0;
  for (i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  *out = v;
  return 1;
}

/* Reads the counter file (created if missing): returns the last number in
 * it, cuts a torn last line off and leaves the file's size in *size. */
static uint64_t load_counter(int fd, const char *path, off_t *size) {
  struct stat st;
  char *data;
  size_t len, start, end, got = 0;
  uint64_t last = 0, v;
  if (fstat(fd, &st) != 0) die("stat", path);
  len = (size_t)st.st_size;
  data = malloc(len + 1);
  if (data == NULL) die("malloc for", path);
  while (got < len) {
    ssize_t n = pread(fd, data + got, len - got, (off_t)got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("read", path);
    if (n == 0) break;
    got += (size_t)n;
  }
  len = got;
  end = len;
  while (end > 0 && data[end - 1] != '\n') end--;
  for (start = 0; start < end;) {
    size_t nl = start;
    while (data[nl] != '\n') nl++;
    if (parse_number(data + start, nl - start, &v)) last = v;
    start = nl + 1;
  }
  if (end != len) {
    fprintf(stderr, "ftcounter: %s: cutting a torn last line of %zu bytes\n", path, len - end);
    if (ftruncate(fd, (off_t)end) != 0 || fdatasync(fd) != 0) die("truncate", path);
  }
  free(data);
  *size = (off_t)end;
  return last;
}

/* Appends "n\n" and syncs it; on failure cuts the file back to `*size`. */
static int append_number(int fd, off_t *size, uint64_t n) {
  char line[32];
  int len = snprintf(line, sizeof line, "%llu\n", (unsigned long long)n);
  ssize_t w;
  do {
    w = pwrite(fd, line, (size_t)len, *size);
  } while (w < 0 && errno == EINTR);
  if (w == len && fdatasync(fd) == 0) {
    *size += len;
    return 1;
  }
  perror("ftcounter: append");
  if (ftruncate(fd, *size) != 0) perror("ftcounter: truncate after a failed append");
  return 0;
}

/* The file's directory entry must be durable too, or a crash could lose a
 * freshly created file with every number in it. */
static void sync_parent_dir(const char *path) {
  char dir[4096];
  const char *slash = strrchr(path, '/');
  int fd;
  if (slash == NULL) {
    strcpy(dir, ".");
  } else if (slash == path) {
    strcpy(dir, "/");
  } else {
    size_t n = (size_t)(slash - path);
    if (n >= sizeof dir) return;
    memcpy(dir, path, n);
    dir[n] = '\0';
  }
  fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd < 0) die("open directory", dir);
  if (fsync(fd) != 0) die("sync directory", dir);
  close(fd);
}

static int valid_id(const char *id, size_t len) {
  size_t i;
  if (len == 0 || len > MAX_ID) return 0;
  for (i = 0; i < len; i++) {
    if (id[i] <= ' ' || id[i] > '~') return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  uint64_t port_number, n;
  const char *path;
  int fd, sock;
  off_t size;
  struct sockaddr_in addr;

  if (argc != 3 || !parse_number(argv[1], strlen(argv[1]), &port_number) ||
      port_number == 0 || port_number > 65535) {
    fprintf(stderr, "usage: ftcounter PORT FILE\n");
    return 2;
  }
  path = argv[2];
  fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) die("open", path);
  sync_parent_dir(path);
  n = load_counter(fd, path, &size);

  sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) die("socket", NULL);
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port_number);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (bind(sock, (struct sockaddr *)&addr, sizeof addr) != 0) die("bind port", argv[1]);
  printf("ftcounter: ready on port %llu, next %llu\n", (unsigned long long)port_number,
         (unsigned long long)(n + 1));
  fflush(stdout);

  for (;;) {
    char req[REQUEST_BUF], reply[MAX_ID + 32];
    struct sockaddr_storage from;
    socklen_t from_len = sizeof from;
    int quit = 0, reply_len;
    /* MSG_TRUNC: the datagram's real length, so an oversized one is refused
     * instead of being read cut short. */
    ssize_t got = recvfrom(sock, req, sizeof req, MSG_TRUNC, (struct sockaddr *)&from, &from_len);
    size_t len;
    if (got < 0) {
      if (errno == EINTR) continue;
      die("recvfrom", NULL);
    }
    len = (size_t)got;
    if (from.ss_family != AF_INET || ntohs(((struct sockaddr_in *)&from)->sin_port) < 1024) {
      continue;
    }
    if (len > sizeof req) {
      reply_len = snprintf(reply, sizeof reply, "ERR too long\n");
    } else {
      if (len > 0 && req[len - 1] == '\n') len--;
      if (len > 0 && req[len - 1] == '\r') len--;
      if (len > 4 && memcmp(req, "REQ ", 4) == 0 && valid_id(req + 4, len - 4)) {
        if (append_number(fd, &size, n + 1)) {
          n++;
          reply_len = snprintf(reply, sizeof reply, "%.*s %llu\n", (int)(len - 4), req + 4,
                               (unsigned long long)n);
        } else {
          reply_len = snprintf(reply, sizeof reply, "ERR disk\n");
        }
      } else if (len == 4 && memcmp(req, "QUIT", 4) == 0) {
        reply_len = snprintf(reply, sizeof reply, "BYE %llu\n", (unsigned long long)n);
        quit = 1;
      } else {
        reply_len = snprintf(reply, sizeof reply, "ERR bad request\n");
      }
    }
    /* A reply that cannot leave is the client's to retry: never fatal. */
    if (sendto(sock, reply, (size_t)reply_len, 0, (struct sockaddr *)&from, from_len) < 0) {
      perror("ftcounter: sendto");
    }
    if (quit) {
      printf("ftcounter: quit after %llu\n", (unsigned long long)n);
      return 0;
    }
  }
}
