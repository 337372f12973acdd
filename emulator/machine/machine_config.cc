#include "emulator/machine/machine_config.h"

#include <cctype>
#include <map>

#include "emulator/base/parse_number.h"
#include "emulator/machine/drive_host_options.h"

namespace tapvm {

namespace {

// The virt board's mtime rate; journaled so a reader can turn mtime into
// seconds, and checked on decode (a machine with another rate is another
// machine).
constexpr uint64_t kTimebaseHz = 10'000'000;

// "key=value,key=value"; a leading bare word is returned under "".
Status SplitOptions(const std::string& spec, std::vector<std::pair<std::string, std::string>>* out) {
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    std::string item = spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    size_t eq = item.find('=');
    if (eq == std::string::npos) {
      if (!out->empty() || item.empty()) return Status::InvalidArgument("'" + item + "' is not key=value");
      out->emplace_back("", item);
    } else {
      out->emplace_back(item.substr(0, eq), item.substr(eq + 1));
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return Status::Ok();
}

// QEMU's spellings of a boolean option; anything else is refused.
bool ParseOnOff(const std::string& v, bool* out) {
  if (v == "on" || v == "true") return *out = true, true;
  if (v == "off" || v == "false") return *out = false, true;
  return false;
}

// QEMU's rule for ids: a letter, then letters, digits, '-', '.', '_'.
bool IsWellFormedId(const std::string& id) {
  if (id.empty() || id.size() > 64 || !isalpha(static_cast<unsigned char>(id[0]))) return false;
  for (char c : id)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') return false;
  return true;
}

}  // namespace

Status MachineConfig::ParseDrive(const std::string& spec, DriveConfig* out) {
  std::vector<std::pair<std::string, std::string>> kv;
  Status st = SplitOptions(spec, &kv);
  if (!st.ok()) return Status::InvalidArgument("--drive '" + spec + "': " + st.message());
  DriveConfig d;
  for (const auto& [key, value] : kv) {
    if (key.empty() || key == "file") {
      d.file = value;
    } else if (key == "readonly") {
      if (!ParseOnOff(value, &d.read_only))
        return Status::InvalidArgument("--drive: readonly must be on, off, true or false (got '" + value + "')");
    } else if (key == "format") {
      if (value != "raw") return Status::NotSupported("--drive: only format=raw is supported (got '" + value + "')");
    } else if (key == "aio") {
      if (value == "threads") d.aio = DriveConfig::Aio::kThreads;
      else if (value == "io_uring") d.aio = DriveConfig::Aio::kIoUring;
      else return Status::InvalidArgument("--drive: aio must be threads or io_uring (got '" + value + "')");
    } else if (IsThrottleOption(key)) {
      TAPVM_RETURN_IF_ERROR(ParseThrottleOption(key, value, &d.throttle));
    } else if (key == "id") {
      if (!IsWellFormedId(value))
        return Status::InvalidArgument("--drive: id must start with a letter and hold only letters, digits, '-', "
                                       "'.' and '_', at most 64 characters (got '" + value + "')");
      d.id = value;
    } else if (ParseDriveHostOption(key, value, &d, &st)) {
      if (!st.ok()) return st;
    } else {
      return Status::InvalidArgument("--drive: unknown option '" + key +
                                     "' (known: file, readonly, format, aio, id, cache, inject, inject-file, "
                                     "inject-seed, throttling.*)");
    }
  }
  if (d.file.empty()) return Status::InvalidArgument("--drive needs file=PATH (got '" + spec + "')");
  TAPVM_RETURN_IF_ERROR(ValidateThrottleConfig(d.throttle));
  *out = d;
  return Status::Ok();
}

Status MachineConfig::ParseNetdev(const std::string& spec, NetdevConfig* out) {
  std::vector<std::pair<std::string, std::string>> kv;
  Status st = SplitOptions(spec, &kv);
  if (!st.ok()) return Status::InvalidArgument("--netdev '" + spec + "': " + st.message());
  if (kv.empty() || !kv[0].first.empty())
    return Status::InvalidArgument("--netdev must start with its kind, dgram or tap (got '" + spec + "')");
  NetdevConfig n;
  const std::string& kind = kv[0].second;
  if (kind == "dgram") n.kind = NetdevConfig::Kind::kDgram;
  else if (kind == "tap") n.kind = NetdevConfig::Kind::kTap;
  else return Status::InvalidArgument("--netdev: unknown kind '" + kind + "' (dgram or tap)");
  for (size_t i = 1; i < kv.size(); ++i) {
    const auto& [key, value] = kv[i];
    if (n.kind == NetdevConfig::Kind::kDgram && key == "local") n.local = value;
    else if (n.kind == NetdevConfig::Kind::kDgram && key == "remote") n.remote = value;
    else if (n.kind == NetdevConfig::Kind::kTap && key == "ifname") n.ifname = value;
    else
      return Status::InvalidArgument("--netdev " + kind + ": unknown option '" + key + "' (known: " +
                                     (n.kind == NetdevConfig::Kind::kDgram ? "local, remote)" : "ifname)"));
  }
  if (n.kind == NetdevConfig::Kind::kDgram && (n.local.empty() || n.remote.empty()))
    return Status::InvalidArgument("--netdev dgram needs local=HOST:PORT and remote=HOST:PORT");
  if (n.kind == NetdevConfig::Kind::kTap && n.ifname.empty())
    return Status::InvalidArgument("--netdev tap needs ifname=NAME");
  *out = n;
  return Status::Ok();
}

std::string MachineConfig::DriveSpec(const DriveConfig& d) {
  std::string s = "file=" + d.file;
  if (d.read_only) s += ",readonly=on";
  if (d.aio == DriveConfig::Aio::kIoUring) s += ",aio=io_uring";
  s += DriveHostOptionsSpec(d);
  s += ThrottleSpec(d.throttle);
  if (!d.id.empty()) s += ",id=" + d.id;
  return s;
}

std::string MachineConfig::DriveName(size_t index) const {
  if (index < drives.size() && !drives[index].id.empty()) return drives[index].id;
  return "drive" + std::to_string(index);
}

Status MachineConfig::CheckDriveNames(const std::vector<DriveConfig>& drives) {
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < drives.size(); ++i) {
    const std::string name = drives[i].id.empty() ? "drive" + std::to_string(i) : drives[i].id;
    auto [it, fresh] = seen.emplace(name, i);
    if (!fresh)
      return Status::InvalidArgument("--drive: drives " + std::to_string(it->second) + " and " + std::to_string(i) +
                                     " are both named '" + name + "' (unnamed drives are drive0, drive1, ...)");
  }
  return Status::Ok();
}

std::string MachineConfig::NetdevSpec(const NetdevConfig& n) {
  if (n.kind == NetdevConfig::Kind::kTap) return "tap,ifname=" + n.ifname;
  return "dgram,local=" + n.local + ",remote=" + n.remote;
}

MachineConfig::KeyValues MachineConfig::Encode() const {
  KeyValues c = {
      {"ram_bytes", std::to_string(ram_size)},
      {"time_shift", std::to_string(time_shift)},
      {"timebase_hz", std::to_string(kTimebaseHz)},
      {"digest_version", std::to_string(digest_version)},
      {"mode", is_linux() ? "linux" : "bare"},
      {"bootargs", bootargs},
      {"rng", rng ? "1" : "0"},
      {"console_wait", console_waits ? "1" : "0"},
  };
  if (!break_insn.empty()) c.emplace_back("break_insn", break_insn);
  for (const DriveConfig& d : drives) c.emplace_back("drive", DriveSpec(d));
  for (const NetdevConfig& n : netdevs) c.emplace_back("netdev", NetdevSpec(n));
  return c;
}

Status MachineConfig::Decode(const KeyValues& kv, MachineConfig* out) {
  MachineConfig c;
  c.rng = false;
  c.console_waits = false;  // journals from before the key delivered console input at once
  bool have_ram = false, have_shift = false, have_mode = false, is_linux = false;
  for (const auto& [key, value] : kv) {
    auto bad = [&] { return Status::Corruption("journal configuration: bad " + key + " '" + value + "'"); };
    uint64_t n = 0;
    if (key == "ram_bytes") {
      if (!ParseU64(value, &n) || n < (1 << 20) || (n & 0xfff)) return bad();
      c.ram_size = n;
      have_ram = true;
    } else if (key == "time_shift") {
      if (!ParseU64(value, &n) || n > 16) return bad();
      c.time_shift = static_cast<unsigned>(n);
      have_shift = true;
    } else if (key == "timebase_hz") {
      if (!ParseU64(value, &n) || n != kTimebaseHz) return bad();
    } else if (key == "digest_version") {
      if (!ParseU64(value, &n) || n > UINT32_MAX) return bad();
      c.digest_version = static_cast<uint32_t>(n);
    } else if (key == "mode") {
      if (value != "bare" && value != "linux") return bad();
      is_linux = value == "linux";
      have_mode = true;
    } else if (key == "bootargs") {
      c.bootargs = value;
    } else if (key == "rng") {
      if (value != "0" && value != "1") return bad();
      c.rng = value == "1";
    } else if (key == "console_wait") {
      if (value != "0" && value != "1") return bad();
      c.console_waits = value == "1";
    } else if (key == "break_insn") {
      c.break_insn = value;
    } else if (key == "drive") {
      DriveConfig d;
      Status st = ParseDrive(value, &d);
      if (!st.ok()) return Status::Corruption("journal configuration: " + st.message());
      c.drives.push_back(d);
    } else if (key == "netdev") {
      NetdevConfig nd;
      Status st = ParseNetdev(value, &nd);
      if (!st.ok()) return Status::Corruption("journal configuration: " + st.message());
      c.netdevs.push_back(nd);
    }
  }
  if (!have_ram || !have_shift || !have_mode)
    return Status::Corruption("journal has no usable machine configuration (ram_bytes, time_shift and mode are needed)");
  // A bare machine's kernel name stays empty; a Linux one is marked so by a
  // placeholder until the journal's image records name it.
  if (is_linux) c.kernel = "(kernel)";
  *out = c;
  return Status::Ok();
}

std::string MachineConfig::FirstDifference(const MachineConfig& a, const MachineConfig& b) {
  auto differ = [](const char* what, const std::string& x, const std::string& y) {
    return std::string(what) + ": " + x + " vs " + y;
  };
  if (a.ram_size != b.ram_size) return differ("ram_bytes", std::to_string(a.ram_size), std::to_string(b.ram_size));
  if (a.time_shift != b.time_shift)
    return differ("time_shift", std::to_string(a.time_shift), std::to_string(b.time_shift));
  if (a.digest_interval != b.digest_interval)
    return differ("digest_interval", std::to_string(a.digest_interval), std::to_string(b.digest_interval));
  if (a.digest_version != b.digest_version)
    return differ("digest_version", std::to_string(a.digest_version), std::to_string(b.digest_version));
  if (a.is_linux() != b.is_linux()) return differ("mode", a.is_linux() ? "linux" : "bare", b.is_linux() ? "linux" : "bare");
  if (a.bootargs != b.bootargs) return differ("bootargs", "'" + a.bootargs + "'", "'" + b.bootargs + "'");
  if (a.rng != b.rng) return differ("rng", a.rng ? "1" : "0", b.rng ? "1" : "0");
  if (a.console_waits != b.console_waits)
    return differ("console_wait", a.console_waits ? "1" : "0", b.console_waits ? "1" : "0");
  if (a.break_insn != b.break_insn) return differ("break_insn", a.break_insn, b.break_insn);
  if (a.drives.size() != b.drives.size())
    return differ("drives", std::to_string(a.drives.size()), std::to_string(b.drives.size()));
  for (size_t i = 0; i < a.drives.size(); ++i)
    if (a.drives[i].read_only != b.drives[i].read_only)
      return differ(("drive " + std::to_string(i) + " readonly").c_str(), a.drives[i].read_only ? "on" : "off",
                    b.drives[i].read_only ? "on" : "off");
  // Throttling decides when the guest's requests are served: guest-visible.
  for (size_t i = 0; i < a.drives.size(); ++i)
    if (a.drives[i].throttle != b.drives[i].throttle)
      return differ(("drive " + std::to_string(i) + " throttling").c_str(), "'" + ThrottleSpec(a.drives[i].throttle) + "'",
                    "'" + ThrottleSpec(b.drives[i].throttle) + "'");
  if (a.netdevs.size() != b.netdevs.size())
    return differ("netdevs", std::to_string(a.netdevs.size()), std::to_string(b.netdevs.size()));
  return "";
}

}  // namespace tapvm
