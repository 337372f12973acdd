// tapvm: a record/replay RISC-V virtual machine. This file wires the
// subcommands and logging; each subcommand lives in its own file.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "tools/tapvm/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"tapvm: a RISC-V (RV64GC) virtual machine that records and replays every input.", "tapvm"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tapvm 0.1.0");
  int verbosity = 0;
  std::string level;
  app.add_flag("-v,--verbose", verbosity, "More log output (-v info, -vv debug, -vvv trace)");
  app.add_option("--log-level", level, "Log level: trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  int exit_code = 0;
  tapvm::cli::AddRunCommand(app, &exit_code);
  tapvm::cli::AddReplayCommand(app, &exit_code);
  tapvm::cli::AddJournalCommand(app, &exit_code);
  app.parse_complete_callback([&] {
    spdlog::set_pattern("tapvm: %^%l%$: %v");
    spdlog::set_level(spdlog::level::warn);
    if (verbosity == 1) spdlog::set_level(spdlog::level::info);
    if (verbosity == 2) spdlog::set_level(spdlog::level::debug);
    if (verbosity >= 3) spdlog::set_level(spdlog::level::trace);
    if (!level.empty()) spdlog::set_level(spdlog::level::from_str(level));
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : tapvm::cli::kExitUsage;
  }
  return exit_code;
}
