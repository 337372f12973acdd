#include "tools/tapvm/vm.h"

#include <cstdio>
#include <thread>

namespace tapvm::cli {

namespace {
constexpr std::string_view kPanicBanner = "Kernel panic - not syncing";
}  // namespace

Vm::~Vm() = default;

void Vm::OnConsole(std::span<const uint8_t> bytes) {
  if (console_gate_ && !console_gate_()) return;
  std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  std::fflush(stdout);
  if (on_console_) on_console_(bytes);
  if (panicked_) return;
  console_tail_.append(bytes.begin(), bytes.end());
  if (console_tail_.find(kPanicBanner) != std::string::npos) {
    panicked_ = true;
    if (on_panic_) on_panic_();
  }
  if (console_tail_.size() > 2 * kPanicBanner.size())
    console_tail_.erase(0, console_tail_.size() - kPanicBanner.size());
}

void Vm::MakePassthrough() {
  passthrough_ = std::make_unique<PassthroughTap>();
  passthrough_->SetConsoleOutput([this](TapDeviceId, std::span<const uint8_t> bytes) { OnConsole(bytes); });
}

Status Vm::Build(const BootImages& images, const std::vector<uint64_t>& drive_sizes, EventTap* tap) {
  block_watch_ = std::make_unique<BlockWatchTap>(tap);
  drive_sizes_ = drive_sizes;
  TAPVM_RETURN_IF_ERROR(BuildMachine(config_, images, drive_sizes, block_watch_.get(), &board_, &layout_));
  block_watch_->SetDrives(layout_.drives);
  return Status::Ok();
}

Status Vm::CreateLive(const MachineConfig& config, const BootImages& images, EventSink* journal,
                      std::unique_ptr<Vm>* out, const Decorator& decorate) {
  std::unique_ptr<Vm> vm(new Vm());
  vm->config_ = config;
  for (const DriveConfig& d : config.drives) vm->throttle_now_.push_back(d.throttle.limits);
  TAPVM_RETURN_IF_ERROR(HostBackends::Open(config, &vm->backends_));
  vm->MakePassthrough();
  EventTap* tap = vm->passthrough_.get();
  if (decorate) {
    vm->decorator_ = decorate(tap);
    tap = vm->decorator_.get();
  }
  if (journal) {
    vm->recording_ = std::make_unique<RecordingTap>(tap, journal);
    tap = vm->recording_.get();
  }
  TAPVM_RETURN_IF_ERROR(vm->Build(images, vm->backends_->drive_sizes(), tap));
  vm->backends_->Attach(vm->passthrough_.get(), vm->layout_);
  *out = std::move(vm);
  return Status::Ok();
}

Status Vm::CreateReplay(const MachineConfig& config, const BootImages& images,
                        const std::vector<uint64_t>& drive_sizes, EventSource* source, bool show_console,
                        bool disk_copies, std::unique_ptr<Vm>* out, const MachineCheckpoint* from) {
  std::unique_ptr<Vm> vm(new Vm());
  vm->config_ = config;
  for (const DriveConfig& d : config.drives) vm->throttle_now_.push_back(d.throttle.limits);
  if (disk_copies) TAPVM_RETURN_IF_ERROR(HostBackends::OpenDrives(config, &vm->backends_));
  Vm* self = vm.get();
  ReplayTap::DisplayFn display;
  if (show_console) display = [self](std::span<const uint8_t> bytes) { self->OnConsole(bytes); };
  vm->replay_ = std::make_unique<ReplayTap>(source, display, [self] {
    if (self->board_) self->board_->RequestQuit();
  });
  if (from == nullptr) {
    TAPVM_RETURN_IF_ERROR(vm->Build(images, drive_sizes, vm->replay_.get()));
  } else {
    // What building says to its tap is the journal's start, not the
    // checkpoint's position: the replay tap hears nothing of it.
    vm->late_ = std::make_unique<LateBoundTap>();
    TAPVM_RETURN_IF_ERROR(vm->Build(images, drive_sizes, vm->late_.get()));
    TAPVM_RETURN_IF_ERROR(vm->board_->RestoreCheckpoint(*from));
    vm->late_->Bind(vm->replay_.get());
  }
  if (disk_copies)
    for (size_t i = 0; i < vm->layout_.drives.size(); ++i)
      vm->replay_->KeepDiskCopy(vm->layout_.drives[i], vm->backends_->drive(i));
  *out = std::move(vm);
  return Status::Ok();
}

Status Vm::SetBlockThrottle(const std::string& drive, const ThrottleLimits& limits) {
  if (replay_ && !replay_->live())
    return Status::NotSupported("a replay takes throttle changes from its journal; it cannot take new ones");
  if (!passthrough_) return Status::NotSupported("the machine has no live tap");
  size_t i = layout_.drives.size();
  for (size_t k = 0; k < config_.drives.size() && k < layout_.drives.size(); ++k)
    if (config_.DriveName(k) == drive || std::to_string(k) == drive) i = k;
  if (i >= layout_.drives.size())
    return Status::NotFound("no drive '" + drive + "' (the machine has " + std::to_string(layout_.drives.size()) +
                            " drives: drive0... or their id=)");
  TAPVM_RETURN_IF_ERROR(ValidateThrottleLimits(limits));
  {
    // The drive's group shares the new limits (BlockThrottles::SetLimits).
    std::lock_guard<std::mutex> lock(throttle_mu_);
    const std::string& group = config_.drives[i].throttle.group;
    for (size_t k = 0; k < throttle_now_.size(); ++k)
      if (k == i || (!group.empty() && config_.drives[k].throttle.group == group)) throttle_now_[k] = limits;
  }
  if (backends_)
    if (HostThrottleBackend* host = backends_->host_throttle(i)) host->group().SetLimits(limits);
  passthrough_->PostInput(ThrottleSet{layout_.drives[i], limits});
  return Status::Ok();
}

ThrottleLimits Vm::block_throttle(size_t index) const {
  std::lock_guard<std::mutex> lock(throttle_mu_);
  return index < throttle_now_.size() ? throttle_now_[index] : ThrottleLimits{};
}

Status Vm::GoLive(EventSink* journal, uint64_t first_seq, std::chrono::milliseconds open_retry) {
  if (!replay_) return Status::InvalidArgument("only a replay can go live");
  if (!backends_ && !config_.drives.empty())
    return Status::InvalidArgument("going live needs a copy of every recorded disk (--drive)");
  if (!backends_) TAPVM_RETURN_IF_ERROR(HostBackends::OpenDrives(config_, &backends_));
  const auto deadline = std::chrono::steady_clock::now() + open_retry;
  for (Status st = backends_->OpenRest(config_); !st.ok(); st = backends_->OpenRest(config_)) {
    if (std::chrono::steady_clock::now() >= deadline) return st;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  MakePassthrough();
  backends_->Attach(passthrough_.get(), layout_);
  board_->ClearQuit();  // the replay may have stopped the run at its end
  if (journal == nullptr) return replay_->GoLive(passthrough_.get());
  recording_ = std::make_unique<RecordingTap>(passthrough_.get(), journal, first_seq);
  // Requests the replay holds in flight are in the journal already: they
  // go to the pass-through directly; their answers are journaled as inputs.
  return replay_->GoLive(recording_.get(), passthrough_.get());
}

}  // namespace tapvm::cli
