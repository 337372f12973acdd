// HostBackends: the host side of a machine built from a MachineConfig —
// one block backend per drive (thread pool or io_uring, by `aio`; behind a
// HostThrottleBackend for throttling.clock=host), one
// network backend per NIC (dgram socket or TAP device) and the host entropy
// source — and the reading of boot image files. The only part of machine
// construction that touches the host, hence in a backends/ folder.
//
// Open() opens everything or nothing (a clear error naming the file or
// address). Attach() connects the backends to a PassthroughTap at the
// device ids BuildMachine chose (MachineLayout) and starts the NICs'
// receive threads. The destructor stops the NICs and drains and stops the
// disks; the machine (whose tap calls into the backends) must be gone or
// stopped first.
//
// Threading: Open, Attach and destruction on one thread (the CPU thread's
// owner); the backends run their own threads.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/block/backends/host_throttle_backend.h"
#include "emulator/block/block_backend.h"
#include "emulator/block/block_options.h"
#include "emulator/machine/machine_builder.h"
#include "emulator/machine/machine_config.h"
#include "emulator/net/net_backend.h"
#include "emulator/tap/backends/entropy_source.h"
#include "emulator/tap/backends/passthrough_tap.h"

namespace tapvm {

class HostBackends {
 public:
  // Opens a backend for every drive and NIC of `config`, and an entropy
  // source when it has an rng.
  static Status Open(const MachineConfig& config, std::unique_ptr<HostBackends>* out);
  // Opens the drives only (`drives[i]` for config.drives[i]): what a replay
  // needs to keep disk copies up to date and to go live.
  static Status OpenDrives(const MachineConfig& config, std::unique_ptr<HostBackends>* out);
  ~HostBackends();
  HostBackends(const HostBackends&) = delete;
  HostBackends& operator=(const HostBackends&) = delete;

  // Opens what OpenDrives left closed: NICs and entropy (going live); all
  // or nothing, so it may be tried again after a failure.
  Status OpenRest(const MachineConfig& config);

  std::vector<uint64_t> drive_sizes() const;
  BlockBackend* drive(size_t i) const { return drives_[i].get(); }
  // Drive i's host-time throttle (throttling.clock=host), or null.
  HostThrottleBackend* host_throttle(size_t i) const { return i < host_throttles_.size() ? host_throttles_[i] : nullptr; }
  size_t num_drives() const { return drives_.size(); }

  // Connects every open backend to `tap` at `layout`'s device ids.
  void Attach(PassthroughTap* tap, const MachineLayout& layout);

 private:
  HostBackends() = default;
  Status OpenNetdevsAndEntropy(const MachineConfig& config);

  std::vector<std::unique_ptr<BlockBackend>> drives_;
  std::vector<HostThrottleBackend*> host_throttles_;  // per drive, null when not host-throttled
  std::vector<std::unique_ptr<NetBackend>> nics_;
  std::vector<bool> nic_started_;
  std::unique_ptr<EntropySource> entropy_;
};

// The options a drive's block backend opens with (OpenBlockBackend): its
// inject-file is read and its rules parsed here (InvalidArgument naming a
// bad rule, NotFound for a missing file).
Status BlockBackendOptionsFor(const DriveConfig& d, BlockBackendOptions* out);
// Reads the firmware, kernel and initrd files `config` names.
Status ReadBootImages(const MachineConfig& config, BootImages* out);
// Reads a whole file, with a clear message on failure.
Status ReadWholeFile(const std::string& path, std::vector<uint8_t>* out);

}  // namespace tapvm
