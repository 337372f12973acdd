// The host terminal as the guest console: raw mode while the VM runs (so
// every key reaches the guest), and a reader thread that hands input bytes
// to a callback. Ctrl-A x quits, Ctrl-A Ctrl-A sends a Ctrl-A, as in QEMU.
// When standard input is not a terminal (a pipe, a test driver), bytes are
// passed through as they are and no escape is interpreted.
#pragma once

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

namespace tapvm::cli {

// Puts a terminal left raw by a TerminalConsole back as it was (safe to call
// at any time, from any thread; does nothing when none is raw).
void RestoreTerminalNow();

class TerminalConsole {
 public:
  using InputFn = std::function<void(std::vector<uint8_t>)>;
  using QuitFn = std::function<void()>;

  // `on_eof`, if given, is called when standard input ends.
  TerminalConsole(InputFn on_input, QuitFn on_quit, std::function<void()> on_eof = nullptr);
  ~TerminalConsole();  // restores the terminal, stops the reader
  TerminalConsole(const TerminalConsole&) = delete;
  TerminalConsole& operator=(const TerminalConsole&) = delete;

  void Start();

 private:
  void ReadLoop();

  InputFn on_input_;
  QuitFn on_quit_;
  std::function<void()> on_eof_;
  bool is_tty_ = false;
  bool raw_ = false;
  int wake_pipe_[2] = {-1, -1};
  std::atomic<bool> stop_{false};
  std::thread reader_;
};

}  // namespace tapvm::cli
