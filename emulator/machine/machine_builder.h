// BuildMachine: makes the whole machine a MachineConfig describes — hart,
// board and every device, the board owning them all — wired to an event
// tap. It opens nothing on the host: image contents arrive as bytes and
// drive sizes as numbers, so the same call builds a machine for run and
// record (backends behind a PassthroughTap, see
// machine/backends/host_backends.h), for replay (no backend at all), for an
// FT secondary or a checkpoint restore.
//
// Device order, and so every tap device id, follows the configuration:
// the console is tap device 0; then each drive, each NIC and the rng (Linux
// machines only) take virtio slots 0, 1, 2... and tap ids 1, 2, 3....
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "emulator/base/status.h"
#include "emulator/machine/board.h"
#include "emulator/machine/machine_config.h"
#include "emulator/tap.h"

namespace tapvm {

// The contents a machine boots from.
struct BootImages {
  std::vector<uint8_t> firmware;  // the bare program, or the M-mode firmware
  std::vector<uint8_t> kernel;    // empty for a bare machine
  std::vector<uint8_t> initrd;
};

// Where each configured device sits on the tap.
struct MachineLayout {
  std::vector<TapDeviceId> drives;   // in config.drives order
  std::vector<TapDeviceId> netdevs;  // in config.netdevs order
  std::optional<TapDeviceId> rng;
};

// The identity of the machine BuildMachine makes (Board::AddIdentity): the
// guest-visible configuration (what MachineConfig::FirstDifference
// compares), each boot image's content hash and each drive's size; not
// file names, aio or network addresses, which the guest never sees. A
// caller that knows a drive's content identity (a journal's recorded image
// hash) adds it to the board as "drive<i>_content".
MachineCheckpoint::KeyValues MachineIdentity(const MachineConfig& config, const BootImages& images,
                                             std::span<const uint64_t> drive_sizes);

// `drive_sizes` holds one size in bytes per configured drive. `tap` must
// outlive the board. Errors name what is wrong (an image that does not fit
// in RAM, too many devices, drives on a bare machine).
Status BuildMachine(const MachineConfig& config, const BootImages& images, std::span<const uint64_t> drive_sizes,
                    EventTap* tap, std::unique_ptr<Board>* board, MachineLayout* layout);

}  // namespace tapvm
