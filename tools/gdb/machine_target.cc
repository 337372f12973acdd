// MachineTarget: registers, memory, stop points and monitor commands (the
// execution half is machine_target_run.cc).
#include "tools/gdb/machine_target.h"

#include <cinttypes>
#include <cstdio>
#include <sstream>

#include "journal/event.h"
#include "tools/gdb/target_description.h"

namespace tapvm::gdb {

namespace {

std::string Hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%" PRIx64, v);
  return b;
}

const char* PrivName(Priv p) { return p == Priv::kM ? "M" : p == Priv::kS ? "S" : "U"; }

}  // namespace

MachineTarget::MachineTarget(DebuggedMachine* machine, Options options)
    : machine_(machine), options_(std::move(options)) {}
MachineTarget::MachineTarget(ReplaySeeker* seeker, Options options)
    : seeker_(seeker), options_(std::move(options)) {}
MachineTarget::~MachineTarget() { board().hart().set_debug_hook(nullptr); }

Status MachineTarget::RefuseInReplay(const char* what) {
  const std::string msg = std::string("writing ") + what +
                          " is refused: this is a replay, and its journal fixes every register and memory byte, so "
                          "a changed value would make it diverge from the recording (debug a live machine with "
                          "`tapvm run --gdb` to change state)";
  if (options_.log) options_.log("gdb: " + msg);
  return Status::NotSupported(msg);
}

Status MachineTarget::ReadRegister(unsigned regnum, uint64_t* value) {
  const RegisterInfo* r = FindRegister(regnum);
  if (!r) return Status::NotFound("no register " + std::to_string(regnum));
  Hart& hart = board().hart();
  const HartState& s = hart.state();
  using K = RegisterInfo::Kind;
  switch (r->kind) {
    case K::kX: *value = r->index == 0 ? 0 : s.x[r->index]; return Status::Ok();
    case K::kPc: *value = s.pc; return Status::Ok();
    case K::kF: *value = s.f[r->index]; return Status::Ok();
    case K::kFflags: *value = s.fflags; return Status::Ok();
    case K::kFrm: *value = s.frm; return Status::Ok();
    case K::kFcsr: *value = (s.frm << 5) | s.fflags; return Status::Ok();
    case K::kPriv: *value = static_cast<uint64_t>(s.priv); return Status::Ok();
    case K::kCsr:
      if (!hart.DebugReadCsr(r->index, value)) return Status::NotFound(std::string("no CSR ") + r->name);
      return Status::Ok();
  }
  return Status::NotFound("no register");
}

Status MachineTarget::WriteRegister(unsigned regnum, uint64_t value) {
  if (seeker_) return RefuseInReplay("registers");
  const RegisterInfo* r = FindRegister(regnum);
  if (!r) return Status::NotFound("no register " + std::to_string(regnum));
  Hart& hart = board().hart();
  HartState& s = hart.state();
  using K = RegisterInfo::Kind;
  switch (r->kind) {
    case K::kX:
      if (r->index != 0) s.x[r->index] = value;
      return Status::Ok();
    case K::kPc: s.pc = value; return Status::Ok();
    case K::kF: s.f[r->index] = value; return Status::Ok();
    case K::kFflags: s.fflags = value & 31; return Status::Ok();
    case K::kFrm: s.frm = value & 7; return Status::Ok();
    case K::kFcsr:
      s.fflags = value & 31;
      s.frm = (value >> 5) & 7;
      return Status::Ok();
    case K::kPriv:
      if (value != 0 && value != 1 && value != 3) return Status::InvalidArgument("priv must be 0 (U), 1 (S) or 3 (M)");
      s.priv = static_cast<Priv>(value);
      hart.FlushCaches();  // the TLBs in use follow the privilege
      return Status::Ok();
    case K::kCsr:
      if (!hart.DebugWriteCsr(r->index, value)) return Status::InvalidArgument(std::string("cannot write ") + r->name);
      return Status::Ok();
  }
  return Status::NotFound("no register");
}

Status MachineTarget::ReadMemory(uint64_t addr, size_t len, std::vector<uint8_t>* out) {
  out->clear();
  const Hart& hart = board().hart();
  for (size_t i = 0; i < len; ++i) {
    uint8_t b;
    if (!hart.DebugReadVirt(addr + i, &b, 1)) break;
    out->push_back(b);
  }
  if (out->empty() && len) return Status::NotFound("cannot read " + Hex(addr) + ": not mapped to RAM or ROM");
  return Status::Ok();
}

Status MachineTarget::WriteMemory(uint64_t addr, const std::vector<uint8_t>& data) {
  if (seeker_) return RefuseInReplay("memory");
  if (!board().hart().DebugWriteVirt(addr, data.data(), static_cast<unsigned>(data.size())))
    return Status::NotFound("cannot write " + Hex(addr) + ": not mapped to RAM");
  return Status::Ok();
}

Status MachineTarget::InsertStopPoint(StopPointKind kind, uint64_t addr, uint64_t len) {
  return points_.Insert(kind, addr, len);
}
Status MachineTarget::RemoveStopPoint(StopPointKind kind, uint64_t addr, uint64_t len) {
  return points_.Remove(kind, addr, len);
}

Status MachineTarget::Monitor(std::string_view command, std::string* out) {
  std::istringstream in{std::string(command)};
  std::string word, arg, extra;
  in >> word >> arg >> extra;
  const HartState& s = board().hart().state();
  if (word == "icount" && arg.empty()) {
    *out = "icount " + std::to_string(s.icount) + " traps " + std::to_string(s.traps) + " pc " + Hex(s.pc) +
           " priv " + PrivName(s.priv) + "\n";
    return Status::Ok();
  }
  if (word == "goto" && !arg.empty() && extra.empty()) {
    char* end = nullptr;
    const uint64_t target = std::strtoull(arg.c_str(), &end, 0);
    if (*end || arg[0] == '-') return Status::InvalidArgument("monitor goto ICOUNT: '" + arg + "' is not a count");
    return Goto(target, out);
  }
  if (word == "event" && arg.empty()) {
    ReplayTap* replay = machine().replay();
    if (!replay) return Status::NotSupported("monitor event: a live machine has no journal");
    const journal::Event* e = replay->next_event();
    *out = e ? journal::DescribeEvent(*e) + "\n" : "the journal has no more events\n";
    return Status::Ok();
  }
  if (word == "help" || word.empty()) {
    *out =
        "monitor icount        where the machine is: instruction count, traps taken, pc, privilege\n"
        "monitor goto ICOUNT   move to the first instruction boundary at ICOUNT (a replay: backwards too)\n"
        "monitor event         the next journal event at or after this point (a replay)\n"
        "After `monitor goto`, run `maint flush register-cache` so gdb reads the new state.\n";
    return Status::Ok();
  }
  return Status::InvalidArgument("unknown monitor command '" + std::string(command) + "' (try `monitor help`)");
}

}  // namespace tapvm::gdb
