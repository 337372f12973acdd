// Where a QMP server listens: QEMU's -qmp option syntax,
//   unix:PATH,server[,wait=on|off|,nowait]
//   tcp:[HOST]:PORT,server[,wait=on|off|,nowait]
// `server` is required (tapvm only listens; it never dials out). As in
// QEMU, `wait` (the default) holds the machine until a first client has
// connected; `nowait` / `wait=off` starts it at once.
#pragma once

#include <cstdint>
#include <string>

#include "emulator/base/status.h"

namespace tapvm::qmp {

struct QmpAddress {
  enum class Kind { kUnix, kTcp } kind = Kind::kUnix;
  std::string path;  // unix
  std::string host;  // tcp; empty: every interface
  uint16_t port = 0;  // tcp; 0: any free port (tests read it back)
  bool wait = true;

  static Status Parse(const std::string& spec, QmpAddress* out);
  std::string ToString() const;
};

// Opens a listening, non-blocking, close-on-exec socket at `address` (a
// unix socket replaces a stale socket file at PATH, never another kind of
// file). `*bound_port` gets a TCP socket's port.
Status Listen(const QmpAddress& address, int* fd, uint16_t* bound_port);

}  // namespace tapvm::qmp
