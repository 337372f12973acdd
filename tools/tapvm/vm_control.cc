#include "tools/tapvm/vm_control.h"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace tapvm::cli {

namespace {

using qmp::Json;
using qmp::QmpArgs;
using qmp::QmpError;
using qmp::QmpResult;

// How long a command waits for the CPU thread (a slice is at most 2^20
// instructions: far less, unless the machine is gone).
constexpr std::chrono::milliseconds kCpuTimeout(10'000);

const char* ModeName(VmControl::Mode m) {
  switch (m) {
    case VmControl::Mode::kNone: return "none";
    case VmControl::Mode::kRecord: return "record";
    case VmControl::Mode::kPlay: return "play";
  }
  return "none";
}

// QEMU's ShutdownCause for how a tapvm run ended; and whether the guest
// asked for it.
std::pair<const char*, bool> ShutdownCause(const std::string& reason, bool qmp_quit) {
  if (reason == "power-off" || reason == "fail" || reason == "debug-exit") return {"guest-shutdown", true};
  if (reason == "reset") return {"guest-reset", true};
  if (reason == "panic") return {"guest-panic", true};
  if (reason == "quit") return {qmp_quit ? "host-qmp-quit" : "host-ui", false};
  if (reason == "signal") return {"host-signal", false};
  if (reason == "limit") return {"none", false};  // an instruction limit, or the end of a replay
  return {"host-error", false};
}

}  // namespace

void AddQmpOption(CLI::App* cmd, std::string* spec) {
  cmd->add_option("--qmp", *spec,
                  "A QMP control socket: unix:PATH,server or tcp:HOST:PORT,server; as in QEMU the machine waits for a "
                  "first client unless ,nowait (or wait=off) is added");
}

Status VmControl::CheckSpec(const std::string& spec) {
  qmp::QmpAddress address;
  return qmp::QmpAddress::Parse(spec, &address);
}

VmControl::VmControl(Vm* vm, Mode mode, std::string journal)
    : vm_(vm),
      mode_(mode),
      journal_(std::move(journal)),
      cpu_(&vm->board()),
      dispatcher_(Json{{"qemu", {{"major", 0}, {"minor", 1}, {"micro", 0}}}, {"package", "tapvm 0.1.0"}}),
      drive_failed_(vm->config().drives.size(), false) {}

VmControl::~VmControl() {
  if (!ended_) MachineEnded("quit");
  vm_->block_watch().set_on_error(nullptr);
  server_->Stop();
}

Status VmControl::Start(const std::string& spec, Vm* vm, Mode mode, const std::string& journal,
                        std::unique_ptr<VmControl>* out) {
  qmp::QmpAddress address;
  TAPVM_RETURN_IF_ERROR(qmp::QmpAddress::Parse(spec, &address));
  std::unique_ptr<VmControl> c(new VmControl(vm, mode, journal));
  c->RegisterCommands();
  c->RegisterBlockCommands();
  c->server_ = std::make_unique<qmp::QmpServer>(&c->dispatcher_);
  TAPVM_RETURN_IF_ERROR(c->server_->Start(address));
  VmControl* self = c.get();
  vm->block_watch().set_on_error([self](size_t drive, BlockRequest::Type type) {
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      self->drive_failed_[drive] = true;
    }
    const std::string name = self->vm_->config().DriveName(drive);
    self->server_->Emit("BLOCK_IO_ERROR", Json{{"device", name},
                                               {"node-name", name},
                                               {"operation", type == BlockRequest::Type::kRead ? "read" : "write"},
                                               {"action", "report"},
                                               {"nospace", false},
                                               {"reason", "Input/output error"}});
  });
  if (address.wait) {
    std::fprintf(stderr, "tapvm: waiting for a QMP client on %s\n", c->server_->address().c_str());
    Board* board = &vm->board();
    c->server_->WaitForClient([board] { return board->quit_requested(); });
  }
  *out = std::move(c);
  return Status::Ok();
}

void VmControl::MachineEnded(const std::string& reason) {
  if (ended_.exchange(true)) return;
  {
    // The last word on the machine, for queries that come after it.
    std::lock_guard<std::mutex> lock(mu_);
    final_replay_info_ = ReplayInfo();
  }
  cpu_.Close();
  const auto [cause, guest] = ShutdownCause(reason, quit_.load());
  server_->Emit("SHUTDOWN", Json{{"guest", guest}, {"reason", cause}, {"tapvm-reason", reason}});
}

Json VmControl::ReplayInfo() {
  Json info{{"mode", ModeName(mode_.load())}, {"icount", vm_->board().hart().state().icount}};
  if (mode_.load() != Mode::kNone && !journal_.empty()) info["filename"] = journal_;
  if (vm_->replay() && mode_.load() == Mode::kPlay) info["events"] = vm_->replay()->consumed();
  else if (vm_->recording()) info["events"] = vm_->recording()->events();
  else info["events"] = 0;
  return info;
}

void VmControl::RegisterCommands() {
  dispatcher_.Register("query-status", {}, [this](const QmpArgs&) {
    const char* status = ended_ ? "shutdown" : cpu_.paused() ? "paused" : "running";
    return QmpResult(Json{{"running", !ended_ && !cpu_.paused()},
                          {"singlestep", false},
                          {"status", status},
                          {"replay-mode", ModeName(mode_.load())}});
  });
  dispatcher_.Register("stop", {}, [this](const QmpArgs&) -> QmpResult {
    if (ended_) return QmpError::Generic("the machine has shut down");
    if (cpu_.paused()) return QmpResult::Empty();  // as QEMU: no second STOP
    if (!cpu_.Pause(kCpuTimeout)) return QmpError::Generic("the machine did not stop (it is ending)");
    server_->Emit("STOP", Json::object());
    return QmpResult::Empty();
  });
  dispatcher_.Register("cont", {}, [this](const QmpArgs&) -> QmpResult {
    if (ended_) return QmpError::Generic("the machine has shut down");
    if (!cpu_.paused()) return QmpResult::Empty();
    cpu_.Resume();
    server_->Emit("RESUME", Json::object());
    return QmpResult::Empty();
  });
  dispatcher_.Register("quit", {}, [this](const QmpArgs&) {
    quit_ = true;
    vm_->board().RequestQuit();  // a paused machine sees it too (CpuExecutor polls it)
    return QmpResult::Empty();
  });
  dispatcher_.Register("query-replay", {}, [this](const QmpArgs&) -> QmpResult {
    if (!ended_) {
      auto info = cpu_.Get<Json>([this] { return ReplayInfo(); }, kCpuTimeout);
      if (info) return *info;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (final_replay_info_.is_null()) return QmpError::Generic("the machine did not answer");
    return final_replay_info_;
  });
}

int VmControl::FindDrive(const std::string& name) const {
  const MachineConfig& config = vm_->config();
  for (size_t i = 0; i < config.drives.size(); ++i)
    if (config.DriveName(i) == name) return static_cast<int>(i);
  return -1;
}

}  // namespace tapvm::cli
