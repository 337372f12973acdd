// EntropySource: the host's randomness, for the guest's entropy devices
// (virtio-rng) in run and record mode.
//
// Fill() reads from the kernel's CSPRNG with getrandom(2), blocking only
// until the pool is initialised at boot; where getrandom is missing
// (ENOSYS, old kernels or seccomp filters) it reads /dev/urandom instead.
// The bytes reach the machine only as EntropyIn inputs through the tap, so
// record and replay see them like any other input.
//
// Fill is virtual so a test or a tool can substitute a source; the class
// itself is stateless apart from a lazily opened /dev/urandom descriptor,
// and Fill is thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <span>

#include "emulator/base/status.h"

namespace tapvm {

class EntropySource {
 public:
  EntropySource() = default;
  virtual ~EntropySource();
  EntropySource(const EntropySource&) = delete;
  EntropySource& operator=(const EntropySource&) = delete;

  // Fills all of `out` with random bytes, or returns an IOError.
  virtual Status Fill(std::span<uint8_t> out);

  // Makes Fill skip getrandom and use /dev/urandom, to test the fallback.
  void ForceUrandomForTesting() { use_getrandom_ = false; }

 private:
  Status FillFromUrandom(std::span<uint8_t> out);

  std::mutex mu_;  // guards the two fields below
  bool use_getrandom_ = true;
  int urandom_fd_ = -1;
};

}  // namespace tapvm
