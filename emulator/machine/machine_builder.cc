#include "emulator/machine/machine_builder.h"

#include <charconv>

#include "emulator/base/state_hasher.h"

#include "emulator/devices/virtio/virtio_blk.h"
#include "emulator/devices/virtio/virtio_net.h"
#include "emulator/devices/virtio/virtio_rng.h"

namespace tapvm {

MachineCheckpoint::KeyValues MachineIdentity(const MachineConfig& config, const BootImages& images,
                                             std::span<const uint64_t> drive_sizes) {
  auto hash = [](const std::vector<uint8_t>& b) {
    char s[24];
    const auto r = std::to_chars(s, s + sizeof s, StateHasher::HashOf(b.data(), b.size()), 16);
    return std::string(s, r.ptr) + "/" + std::to_string(b.size());
  };
  MachineCheckpoint::KeyValues id = {
      {"ram_bytes", std::to_string(config.ram_size)},
      {"digest_version", std::to_string(config.digest_version)},
      {"mode", config.is_linux() ? "linux" : "bare"},
      {"bootargs", config.bootargs},
      {"rng", config.rng ? "1" : "0"},
      {"console_wait", config.console_waits ? "1" : "0"},
      {"break_insn", config.break_insn},
      {"firmware", hash(images.firmware)},
      {"kernel", hash(images.kernel)},
      {"initrd", hash(images.initrd)},
  };
  for (size_t i = 0; i < config.drives.size(); ++i) {
    const std::string d = "drive" + std::to_string(i);
    id.emplace_back(d + "_readonly", config.drives[i].read_only ? "on" : "off");
    id.emplace_back(d + "_throttling", ThrottleSpec(config.drives[i].throttle));
    id.emplace_back(d + "_bytes", i < drive_sizes.size() ? std::to_string(drive_sizes[i]) : "?");
  }
  id.emplace_back("netdevs", std::to_string(config.netdevs.size()));
  return id;
}

Status BuildMachine(const MachineConfig& config, const BootImages& images, std::span<const uint64_t> drive_sizes,
                    EventTap* tap, std::unique_ptr<Board>* out, MachineLayout* layout) {
  if (drive_sizes.size() != config.drives.size())
    return Status::InvalidArgument("the machine has " + std::to_string(config.drives.size()) + " drives but " +
                                   std::to_string(drive_sizes.size()) + " sizes were given");
  BoardConfig bc;
  bc.ram_size = config.ram_size;
  bc.hart.time_shift = config.time_shift;
  bc.hart.break_insn = config.break_insn;
  bc.hart.engine = config.engine;
  bc.hart.jit_cache_mb = config.jit_cache_mb;
  bc.hart.jit_hot_after = config.jit_hot_after;
  bc.digest_interval = config.digest_interval;
  bc.digest_version = config.digest_version;
  std::unique_ptr<Board> board;
  TAPVM_RETURN_IF_ERROR(Board::Create(bc, tap, &board));
  for (auto& [key, value] : MachineIdentity(config, images, drive_sizes)) board->AddIdentity(key, value);
  MachineLayout lay;
  if (!config.is_linux()) {
    if (!config.drives.empty() || !config.netdevs.empty())
      return Status::InvalidArgument("--drive and --netdev need --kernel (a bare program has no device tree)");
    Status st = board->LoadProgram(images.firmware);
    if (!st.ok()) return Status::InvalidArgument(config.firmware + ": " + st.message());
    *out = std::move(board);
    *layout = lay;
    return Status::Ok();
  }
  // Linux enables the UART's receive interrupt when its console is opened
  // for reading: typed or piped input waits for that instead of being
  // drained by firmware and early boot.
  board->uart().set_input_waits_for_rx_interrupt(config.console_waits);
  // The throttles every drive's requests pass (throttled or not: a live
  // change may throttle any drive), ticked by the board on virtual time.
  std::vector<ThrottleConfig> throttle_configs;
  for (const DriveConfig& d : config.drives) throttle_configs.push_back(d.throttle);
  TAPVM_RETURN_IF_ERROR(ValidateThrottleGroups(throttle_configs));
  auto throttles = std::make_unique<BlockThrottles>(&board->hart(), tap, Board::kTimebaseHz);
  BlockThrottles* throttles_ptr = throttles.get();
  board->AddTimedModel(std::move(throttles));
  for (size_t i = 0; i < config.drives.size(); ++i) {
    VirtioBlk::Options o;
    o.throttles = throttles_ptr;
    o.capacity_sectors = drive_sizes[i] / VirtioBlk::kSectorSize;
    o.read_only = config.drives[i].read_only;
    o.id = "tapvm-drive" + std::to_string(i);
    TapDeviceId id = 0;
    TAPVM_RETURN_IF_ERROR(board->AddVirtio(
        "virtio-blk" + std::to_string(i),
        [&o](TapDeviceId dev, EventTap* t) { return std::make_unique<VirtioBlk>(dev, t, o); }, &id));
    throttles_ptr->AddDrive(id, "drive" + std::to_string(i), config.drives[i].throttle);
    lay.drives.push_back(id);
  }
  for (size_t i = 0; i < config.netdevs.size(); ++i) {
    VirtioNet::Options o;
    o.mac[5] = static_cast<uint8_t>(0x56 + i);
    TapDeviceId id = 0;
    TAPVM_RETURN_IF_ERROR(board->AddVirtio(
        "virtio-net" + std::to_string(i),
        [&o](TapDeviceId dev, EventTap* t) { return std::make_unique<VirtioNet>(dev, t, o); }, &id));
    lay.netdevs.push_back(id);
  }
  if (config.rng) {
    TapDeviceId id = 0;
    TAPVM_RETURN_IF_ERROR(board->AddVirtio(
        "virtio-rng", [](TapDeviceId dev, EventTap* t) { return std::make_unique<VirtioRng>(dev, t); }, &id));
    lay.rng = id;
  }
  TAPVM_RETURN_IF_ERROR(
      board->SetupLinuxBoot(LinuxBootImages{images.firmware, images.kernel, images.initrd, config.bootargs}));
  *out = std::move(board);
  *layout = lay;
  return Status::Ok();
}

}  // namespace tapvm
