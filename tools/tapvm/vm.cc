#include "tools/tapvm/vm.h"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>

#include "emulator/block/backends/io_uring_backend.h"
#include "emulator/block/backends/thread_pool_backend.h"
#include "emulator/devices/virtio/virtio_blk.h"
#include "emulator/devices/virtio/virtio_net.h"
#include "emulator/devices/virtio/virtio_rng.h"
#include "emulator/net/backends/dgram_backend.h"
#include "emulator/net/backends/tap_backend.h"

namespace tapvm::cli {

namespace {

// "key=value,key=value" (a leading bare word is returned as "" => word).
std::map<std::string, std::string> ParseKeyValues(const std::string& spec) {
  std::map<std::string, std::string> kv;
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    std::string item = spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    size_t eq = item.find('=');
    if (eq == std::string::npos) kv[""] = item;
    else kv[item.substr(0, eq)] = item.substr(eq + 1);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return kv;
}

constexpr std::string_view kPanicBanner = "Kernel panic - not syncing";

}  // namespace

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

Vm::~Vm() = default;

void Vm::OnConsole(std::span<const uint8_t> bytes) {
  std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  std::fflush(stdout);
  if (panicked_) return;
  console_tail_.append(bytes.begin(), bytes.end());
  if (console_tail_.find(kPanicBanner) != std::string::npos) {
    panicked_ = true;
    if (on_panic_) on_panic_();
  }
  if (console_tail_.size() > 2 * kPanicBanner.size())
    console_tail_.erase(0, console_tail_.size() - kPanicBanner.size());
}

Status Vm::Create(const VmOptions& opt, std::unique_ptr<Vm>* out, TapWrapper wrap) {
  std::unique_ptr<Vm> vm(new Vm());
  vm->tap_ = std::make_unique<PassthroughTap>();
  Vm* self = vm.get();
  vm->tap_->SetConsoleOutput([self](TapDeviceId, std::span<const uint8_t> bytes) { self->OnConsole(bytes); });
  BoardConfig config;
  config.ram_size = opt.ram_size;
  config.hart = opt.hart;
  config.digest_interval = opt.digest_interval;
  vm->machine_tap_ = wrap ? wrap(vm->tap_.get()) : vm->tap_.get();
  TAPVM_RETURN_IF_ERROR(Board::Create(config, vm->machine_tap_, &vm->board_));

  vm->replay_ = opt.replay;
  vm->drive_sizes_ = opt.drive_sizes;
  // The images: given (no copy), or read from their files.
  const bool given = opt.replay || opt.images_given;
  std::vector<uint8_t> bios_file, kernel_file, initrd_file;
  std::span<const uint8_t> bios = opt.bios_bytes, kernel = opt.kernel_bytes, initrd = opt.initrd_bytes;
  if (!given) {
    TAPVM_RETURN_IF_ERROR(ReadWholeFile(opt.bios, &bios_file));
    bios = bios_file;
  }
  if (opt.kernel.empty()) {
    if (!opt.drives.empty() || !opt.netdevs.empty())
      return Status::InvalidArgument("--drive and --netdev need --kernel (a bare program has no device tree)");
    Status st = vm->board_->LoadProgram(bios);
    if (!st.ok()) return Status::InvalidArgument(opt.bios + ": " + st.message());
    *out = std::move(vm);
    return Status::Ok();
  }
  if (!given) {
    TAPVM_RETURN_IF_ERROR(ReadWholeFile(opt.kernel, &kernel_file));
    kernel = kernel_file;
    if (!opt.initrd.empty()) TAPVM_RETURN_IF_ERROR(ReadWholeFile(opt.initrd, &initrd_file));
    initrd = initrd_file;
  }
  for (const std::string& d : opt.drives) TAPVM_RETURN_IF_ERROR(vm->AddDrive(d));
  for (const std::string& n : opt.netdevs) TAPVM_RETURN_IF_ERROR(vm->AddNetdev(n));
  if (opt.rng) TAPVM_RETURN_IF_ERROR(vm->AddRng());
  TAPVM_RETURN_IF_ERROR(vm->board_->SetupLinuxBoot(LinuxBootImages{bios, kernel, initrd, opt.append}));
  *out = std::move(vm);
  return Status::Ok();
}

Status Vm::AddVirtio(std::unique_ptr<VirtioDeviceModel> model, TapInputSink* sink, const std::string& name,
                     TapDeviceId* id) {
  unsigned slot = static_cast<unsigned>(transports_.size());
  *id = static_cast<TapDeviceId>(1 + slot);
  auto transport = std::make_unique<VirtioMmio>(name, &board_->bus(), board_->irq_controller(), 1 + slot, model.get());
  unsigned got;
  TAPVM_RETURN_IF_ERROR(board_->AddVirtioDevice(transport.get(), &got));
  machine_tap_->AttachDevice(*id, sink);
  models_.push_back(std::move(model));
  transports_.push_back(std::move(transport));
  return Status::Ok();
}

Status Vm::AddDrive(const std::string& spec) {
  auto kv = ParseKeyValues(spec);
  std::string file = kv.count("file") ? kv["file"] : kv[""];
  if (file.empty()) return Status::InvalidArgument("--drive needs file=PATH (got '" + spec + "')");
  bool ro = kv.count("readonly") && (kv["readonly"] == "on" || kv["readonly"] == "true" || kv["readonly"] == "1");
  if (kv.count("format") && kv["format"] != "raw") return Status::NotSupported("--drive: only format=raw is supported");
  for (const auto& [key, value] : kv)
    if (key != "" && key != "file" && key != "readonly" && key != "format" && key != "aio")
      return Status::InvalidArgument("--drive: unknown option '" + key + "' (known: file, readonly, format, aio)");
  // aio= as in QEMU: threads (the default) or io_uring.
  const std::string aio = kv.count("aio") ? kv["aio"] : "threads";
  if (aio != "threads" && aio != "io_uring")
    return Status::InvalidArgument("--drive: aio must be threads or io_uring (got '" + aio + "')");
  std::unique_ptr<BlockBackend> backend;
  uint64_t size_bytes = 0;
  if (replay_) {
    size_t i = block_backends_.size();
    if (i >= drive_sizes_.size()) return Status::Corruption("the journal lacks the size of drive " + std::to_string(i));
    size_bytes = drive_sizes_[i];
  } else {
    if (aio == "io_uring") {
      std::unique_ptr<IoUringBackend> b;
      TAPVM_RETURN_IF_ERROR(IoUringBackend::Open(file, ro, &b));
      backend = std::move(b);
    } else {
      std::unique_ptr<ThreadPoolBackend> b;
      TAPVM_RETURN_IF_ERROR(ThreadPoolBackend::Open(file, ro, 4, &b));
      backend = std::move(b);
    }
    size_bytes = backend->size_bytes();
  }
  VirtioBlk::Options o;
  o.capacity_sectors = size_bytes / 512;
  o.read_only = ro;
  o.id = "tapvm-drive" + std::to_string(block_backends_.size());
  // The tap device id is known once the slot is: 1 + number of transports.
  TapDeviceId id = static_cast<TapDeviceId>(1 + transports_.size());
  auto blk = std::make_unique<VirtioBlk>(id, machine_tap_, o);
  VirtioBlk* raw = blk.get();
  TAPVM_RETURN_IF_ERROR(AddVirtio(std::move(blk), raw, "virtio-blk" + std::to_string(block_backends_.size()), &id));
  if (backend) tap_->AttachBlockBackend(id, backend.get());
  block_backends_.push_back(std::move(backend));  // null in replay: keeps the count
  return Status::Ok();
}

Status Vm::AddNetdev(const std::string& spec) {
  size_t comma = spec.find(',');
  std::string kind = spec.substr(0, comma);
  std::string rest = comma == std::string::npos ? "" : spec.substr(comma + 1);
  std::unique_ptr<NetBackend> backend;
  if (replay_) {
    // No socket: frames come from the journal.
  } else if (kind == "dgram") {
    std::unique_ptr<DgramBackend> b;
    TAPVM_RETURN_IF_ERROR(DgramBackend::Create(rest, &b));
    backend = std::move(b);
  } else if (kind == "tap") {
    auto kv = ParseKeyValues(rest);
    std::unique_ptr<TapBackend> b;
    TAPVM_RETURN_IF_ERROR(TapBackend::Create(kv["ifname"], &b));
    backend = std::move(b);
  } else {
    return Status::InvalidArgument("--netdev: unknown kind '" + kind + "' (dgram or tap)");
  }
  VirtioNet::Options o;
  o.mac[5] = static_cast<uint8_t>(0x56 + net_backends_.size());
  TapDeviceId id = static_cast<TapDeviceId>(1 + transports_.size());
  auto net = std::make_unique<VirtioNet>(id, machine_tap_, o);
  VirtioNet* raw = net.get();
  TAPVM_RETURN_IF_ERROR(AddVirtio(std::move(net), raw, "virtio-net" + std::to_string(net_backends_.size()), &id));
  if (backend) tap_->AttachNetBackend(id, backend.get());
  net_backends_.push_back(std::move(backend));
  return Status::Ok();
}

Status Vm::AddRng() {
  if (!replay_) {
    entropy_ = std::make_unique<EntropySource>();
    tap_->AttachEntropy(entropy_.get());
  }
  TapDeviceId id = static_cast<TapDeviceId>(1 + transports_.size());
  auto rng = std::make_unique<VirtioRng>(id, machine_tap_);
  VirtioRng* raw = rng.get();
  return AddVirtio(std::move(rng), raw, "virtio-rng", &id);
}

}  // namespace tapvm::cli
