#include "ft/pair_identity.h"

#include "journal/hash.h"

namespace tapvm::ft {

Status MakePairIdentity(const MachineConfig& config, const BootImages& images, PairIdentity* out) {
  PairIdentity id;
  // The configuration as the journal header holds it, minus the entries
  // that name host-side things; those the guest sees are added below.
  // break_insn (--break-insn, a testing aid) is left out too, so a test
  // can make one side of a pair diverge on purpose.
  for (const auto& [key, value] : config.Encode())
    if (key != "drive" && key != "netdev" && key != "break_insn") id.entries.emplace_back(key, value);
  id.entries.emplace_back("digest_interval", std::to_string(config.digest_interval));
  auto image = [&](const char* role, const std::vector<uint8_t>& bytes) {
    if (!bytes.empty()) id.entries.emplace_back(role, journal::ContentHash(bytes).ToHex());
  };
  image("firmware", images.firmware);
  image("kernel", images.kernel);
  image("initrd", images.initrd);
  for (size_t i = 0; i < config.drives.size(); ++i) {
    journal::Hash128 hash;
    uint64_t size = 0;
    TAPVM_RETURN_IF_ERROR(journal::HashFile(config.drives[i].file, &hash, &size));
    id.entries.emplace_back("drive" + std::to_string(i), "size=" + std::to_string(size) + " readonly=" +
                                                             (config.drives[i].read_only ? "on" : "off") +
                                                             " content=" + hash.ToHex() +
                                                             ThrottleSpec(config.drives[i].throttle));
  }
  for (size_t i = 0; i < config.netdevs.size(); ++i)
    id.entries.emplace_back("netdev" + std::to_string(i), "virtio-net");
  journal::ContentHasher h;
  for (const auto& [key, value] : id.entries) {
    const std::string line = key + "=" + value + "\n";
    h.Update(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(line.data()), line.size()));
  }
  const journal::Hash128 digest = h.Digest();
  id.hash = digest.high ^ digest.low;
  *out = std::move(id);
  return Status::Ok();
}

}  // namespace tapvm::ft
