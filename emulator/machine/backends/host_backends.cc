#include "emulator/machine/backends/host_backends.h"

#include <fstream>
#include <map>

#include "emulator/block/backends/open_block_backend.h"
#include "emulator/net/backends/dgram_backend.h"
#include "emulator/net/backends/tap_backend.h"

namespace tapvm {

namespace {
constexpr unsigned kBlockThreads = 4;
}  // namespace

Status BlockBackendOptionsFor(const DriveConfig& d, BlockBackendOptions* out) {
  BlockBackendOptions o;
  o.path = d.file;
  o.read_only = d.read_only;
  o.aio = d.aio == DriveConfig::Aio::kIoUring ? BlockAio::kIoUring : BlockAio::kThreads;
  o.cache = d.cache;
  o.threads = kBlockThreads;
  std::string rules = d.inject;
  if (!d.inject_file.empty()) {
    std::vector<uint8_t> text;
    TAPVM_RETURN_IF_ERROR(ReadWholeFile(d.inject_file, &text).WithPrefix("--drive inject-file: "));
    rules += "\n" + std::string(text.begin(), text.end());
  }
  if (!d.inject.empty() || !d.inject_file.empty()) {
    Status st = FaultInjector::Create(rules, d.inject_seed, &o.injector);
    if (!st.ok()) return st.WithPrefix(d.inject_file.empty() ? "--drive inject: " : "--drive " + d.inject_file + ": ");
  }
  *out = std::move(o);
  return Status::Ok();
}

Status HostBackends::OpenDrives(const MachineConfig& config, std::unique_ptr<HostBackends>* out) {
  std::unique_ptr<HostBackends> b(new HostBackends());
  std::map<std::string, std::shared_ptr<HostThrottleGroup>> groups;
  for (size_t i = 0; i < config.drives.size(); ++i) {
    const DriveConfig& d = config.drives[i];
    BlockBackendOptions o;
    TAPVM_RETURN_IF_ERROR(BlockBackendOptionsFor(d, &o));
    std::unique_ptr<BlockBackend> backend;
    TAPVM_RETURN_IF_ERROR(OpenBlockBackend(o, &backend));
    HostThrottleBackend* throttle = nullptr;
    if (d.throttle.enabled() && d.throttle.clock == ThrottleConfig::Clock::kHost) {
      const std::string name = d.throttle.group.empty() ? "drive" + std::to_string(i) : d.throttle.group;
      std::shared_ptr<HostThrottleGroup>& g = groups[name];
      if (!g) g = std::make_shared<HostThrottleGroup>(name, d.throttle.limits);
      auto filter = std::make_unique<HostThrottleBackend>(std::move(backend), g);
      throttle = filter.get();
      backend = std::move(filter);
    }
    b->drives_.push_back(std::move(backend));
    b->host_throttles_.push_back(throttle);
  }
  *out = std::move(b);
  return Status::Ok();
}

Status HostBackends::Open(const MachineConfig& config, std::unique_ptr<HostBackends>* out) {
  std::unique_ptr<HostBackends> b;
  TAPVM_RETURN_IF_ERROR(OpenDrives(config, &b));
  TAPVM_RETURN_IF_ERROR(b->OpenRest(config));
  *out = std::move(b);
  return Status::Ok();
}

Status HostBackends::OpenRest(const MachineConfig& config) {
  if (!nics_.empty() || entropy_) return Status::Ok();
  // All or nothing, so a failed attempt (an address still in use) can be
  // tried again.
  std::vector<std::unique_ptr<NetBackend>> nics;
  for (const NetdevConfig& n : config.netdevs) {
    if (n.kind == NetdevConfig::Kind::kTap) {
      std::unique_ptr<TapBackend> t;
      TAPVM_RETURN_IF_ERROR(TapBackend::Create(n.ifname, &t));
      nics.push_back(std::move(t));
    } else {
      std::unique_ptr<DgramBackend> d;
      TAPVM_RETURN_IF_ERROR(DgramBackend::Create("local=" + n.local + ",remote=" + n.remote, &d));
      nics.push_back(std::move(d));
    }
  }
  nics_ = std::move(nics);
  nic_started_.assign(nics_.size(), false);
  if (config.rng && config.is_linux()) entropy_ = std::make_unique<EntropySource>();
  return Status::Ok();
}

HostBackends::~HostBackends() {
  for (size_t i = 0; i < nics_.size(); ++i)
    if (nic_started_[i]) nics_[i]->Stop();
  for (auto& d : drives_) {
    d->Drain();
    d->Stop();
  }
}

std::vector<uint64_t> HostBackends::drive_sizes() const {
  std::vector<uint64_t> sizes;
  for (const auto& d : drives_) sizes.push_back(d->size_bytes());
  return sizes;
}

void HostBackends::Attach(PassthroughTap* tap, const MachineLayout& layout) {
  for (size_t i = 0; i < drives_.size() && i < layout.drives.size(); ++i)
    tap->AttachBlockBackend(layout.drives[i], drives_[i].get());
  for (size_t i = 0; i < nics_.size() && i < layout.netdevs.size(); ++i) {
    tap->AttachNetBackend(layout.netdevs[i], nics_[i].get());
    nic_started_[i] = true;
  }
  if (entropy_) tap->AttachEntropy(entropy_.get());
}

Status ReadWholeFile(const std::string& path, std::vector<uint8_t>* out) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) return Status::NotFound("cannot open '" + path + "'");
  const std::streamoff size = f.tellg();
  if (size < 0) return Status::IOError("cannot read '" + path + "'");
  out->resize(static_cast<size_t>(size));
  f.seekg(0);
  if (!f.read(reinterpret_cast<char*>(out->data()), size)) return Status::IOError("cannot read '" + path + "'");
  return Status::Ok();
}

Status ReadBootImages(const MachineConfig& config, BootImages* out) {
  BootImages img;
  TAPVM_RETURN_IF_ERROR(ReadWholeFile(config.firmware, &img.firmware));
  if (!config.kernel.empty()) TAPVM_RETURN_IF_ERROR(ReadWholeFile(config.kernel, &img.kernel));
  if (!config.initrd.empty()) TAPVM_RETURN_IF_ERROR(ReadWholeFile(config.initrd, &img.initrd));
  *out = std::move(img);
  return Status::Ok();
}

}  // namespace tapvm
