// `tapvm ft primary|secondary`: the command line of a fault-tolerant pair.
#include <algorithm>
#include <cstdio>
#include <memory>

#include "emulator/machine/backends/host_backends.h"
#include "tools/tapvm/commands.h"
#include "tools/tapvm/ft_pair.h"

namespace tapvm::cli {

namespace ft_pair {

bool ParseEndpoint(const std::string& s, std::string* host, uint16_t* port) {
  const size_t colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= s.size()) return false;
  const std::string p = s.substr(colon + 1);
  if (p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) return false;
  const unsigned long v = std::stoul(p);
  if (v == 0 || v > 65535) return false;
  *host = s.substr(0, colon);
  if (*host == "localhost") *host = "127.0.0.1";
  *port = static_cast<uint16_t>(v);
  return true;
}

void Say(const char* role, const std::string& text) {
  std::fprintf(stderr, "tapvm: ft: %s: %s\n", role, text.c_str());
  std::fflush(stderr);
}

std::chrono::milliseconds Ms(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000.0));
}

Status Prepare(FtOptions& o, ft::ChannelOptions* channel, Setup* out) {
  // The pair's own options first: a bad one is named whatever the state
  // of the guest images.
  if (!ParseEndpoint(o.endpoint, &channel->host, &channel->port))
    return Status::InvalidArgument(std::string(channel->listen ? "--listen" : "--connect") + " wants HOST:PORT, got '" +
                                   o.endpoint + "'");
  TAPVM_RETURN_IF_ERROR(ft::OpenArbiter(o.arbiter, &out->arbiter));
  TAPVM_RETURN_IF_ERROR(Resolve(&o.run));
  const MachineConfig& config = o.run.machine;
  TAPVM_RETURN_IF_ERROR(ReadBootImages(config, &out->images));
  TAPVM_RETURN_IF_ERROR(MakePairIdentity(config, out->images, &out->identity));
  channel->config_hash = out->identity.hash;
  channel->identity = out->identity.entries;
  channel->peer_timeout = std::chrono::milliseconds(o.heartbeat_ms);
  channel->heartbeat = std::max<std::chrono::milliseconds>(std::chrono::milliseconds(1), channel->peer_timeout / 5);
  channel->connect_timeout = Ms(o.connect_timeout_s);
  return Status::Ok();
}

}  // namespace ft_pair

namespace {

void AddFtOptions(CLI::App* cmd, FtOptions* o) {
  cmd->add_option("--arbiter", o->arbiter,
                  "Who decides which side goes on alone: file:PATH (storage both sides see) or "
                  "etcd:http://HOST:PORT (an etcd v3 cluster)")
      ->required();
  cmd->add_option("--heartbeat-ms", o->heartbeat_ms,
                  "The peer is lost after this many milliseconds of silence (heartbeats go 5 times as often)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{10}, uint64_t{600'000}));
  cmd->add_option("--connect-timeout", o->connect_timeout_s, "Seconds to wait for the other side at the start")
      ->capture_default_str()
      ->check(SecondsValidator(86400));
  cmd->add_option("--arbiter-timeout", o->arbiter_timeout_s, "Seconds a claim on the arbiter may take")
      ->capture_default_str()
      ->check(SecondsValidator(600));
  cmd->add_flag("--force", o->overwrite, "Replace an existing journal");
  o->run.machine.digest_interval = 100'000'000;
  cmd->add_option("--digest-interval", o->run.machine.digest_interval,
                  "A state digest every N instructions, checked by the secondary (both sides must agree)")
      ->capture_default_str()
      ->check(CountValidator(false));
  AddVmOptions(cmd, &o->run);
}

}  // namespace

void AddFtCommand(CLI::App& app, int* exit_code) {
  CLI::App* ft = app.add_subcommand("ft", "Run a guest as a fault-tolerant primary/secondary pair");
  ft->require_subcommand(1);

  auto p = std::make_shared<FtOptions>();
  CLI::App* primary = ft->add_subcommand(
      "primary", "Run the guest, stream its journal to the secondary; outputs leave once the secondary holds them");
  primary->add_option("--listen", p->endpoint, "Where the secondary connects: HOST:PORT")->required();
  primary->add_option("-o,--output", p->journal, "Also keep a journal of the run here");
  primary->add_option("--max-lag", p->max_lag,
                      "Pause the guest while the secondary is more than this many instructions behind (0: no bound)")
      ->capture_default_str()
      ->check(CountValidator(false));
  AddFtOptions(primary, p.get());
  primary->callback([p, exit_code] {
    Validate(p->run);
    *exit_code = RunFtPrimary(*p);
  });

  auto s = std::make_shared<FtOptions>();
  CLI::App* secondary = ft->add_subcommand(
      "secondary", "Replay the primary's journal in lockstep; take over, losing nothing, when the primary fails");
  secondary->add_option("--connect", s->endpoint, "The primary's --listen address: HOST:PORT")->required();
  secondary->add_option("-o,--output", s->journal, "The secondary's journal (the primary's events, then its own)")
      ->required();
  AddFtOptions(secondary, s.get());
  secondary->callback([s, exit_code] {
    Validate(s->run);
    *exit_code = RunFtSecondary(*s);
  });
}

}  // namespace tapvm::cli
