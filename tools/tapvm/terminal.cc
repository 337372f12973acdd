#include "tools/tapvm/terminal.h"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

namespace tapvm::cli {

namespace {
termios g_saved;
bool g_saved_valid = false;

void RestoreTerminal() {
  if (g_saved_valid) tcsetattr(STDIN_FILENO, TCSANOW, &g_saved);
}

// A fatal signal must not leave the user's terminal in raw mode.
void OnFatalSignal(int sig) {
  RestoreTerminal();
  signal(sig, SIG_DFL);
  raise(sig);
}
}  // namespace

void RestoreTerminalNow() { RestoreTerminal(); }

TerminalConsole::TerminalConsole(InputFn on_input, QuitFn on_quit, std::function<void()> on_eof)
    : on_input_(std::move(on_input)), on_quit_(std::move(on_quit)), on_eof_(std::move(on_eof)) {
  is_tty_ = isatty(STDIN_FILENO);
  if (pipe(wake_pipe_) != 0) wake_pipe_[0] = wake_pipe_[1] = -1;
}

void TerminalConsole::Start() {
  if (is_tty_ && tcgetattr(STDIN_FILENO, &g_saved) == 0) {
    g_saved_valid = true;
    termios raw = g_saved;
    cfmakeraw(&raw);
    raw.c_oflag |= OPOST;  // keep \n -> \r\n on output
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) {
      raw_ = true;
      std::atexit(RestoreTerminal);
      // SIGINT, SIGTERM and SIGHUP stop the machine cleanly (signals.h);
      // these end the process, so the terminal comes back first.
      for (int sig : {SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL})
        signal(sig, OnFatalSignal);
    }
  }
  reader_ = std::thread([this] { ReadLoop(); });
}

TerminalConsole::~TerminalConsole() {
  stop_ = true;
  if (wake_pipe_[1] >= 0) {
    char c = 0;
    (void)!write(wake_pipe_[1], &c, 1);
  }
  if (reader_.joinable()) reader_.join();
  if (raw_) RestoreTerminal();
  for (int fd : wake_pipe_)
    if (fd >= 0) close(fd);
}

void TerminalConsole::ReadLoop() {
  bool escape = false;
  while (!stop_) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    int n = poll(fds, wake_pipe_[0] >= 0 ? 2 : 1, -1);
    if (n < 0) continue;
    if (fds[1].revents) return;
    if (!(fds[0].revents & (POLLIN | POLLHUP))) continue;
    uint8_t buf[256];
    ssize_t got = read(STDIN_FILENO, buf, sizeof buf);
    if (got <= 0) {  // end of input: the guest sees no more bytes
      if (on_eof_) on_eof_();
      return;
    }
    std::vector<uint8_t> out;
    for (ssize_t i = 0; i < got; ++i) {
      uint8_t c = buf[i];
      if (!raw_) {
        out.push_back(c);
      } else if (escape) {
        escape = false;
        if (c == 'x' || c == 'X') {
          on_quit_();
          return;
        }
        if (c == 0x01) out.push_back(c);
      } else if (c == 0x01) {
        escape = true;
      } else {
        out.push_back(c);
      }
    }
    if (!out.empty()) on_input_(std::move(out));
  }
}

}  // namespace tapvm::cli
