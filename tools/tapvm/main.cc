// tapvm: a record/replay RISC-V virtual machine. This file wires the
// subcommands and logging; each subcommand lives in its own file.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "tools/tapvm/commands.h"
#include "tools/tapvm/signals.h"

namespace {

// A word where a command is expected that names none. CLI11 keeps it as a
// leftover argument and, when --help follows it, prints the help and exits
// 0; so the leftovers of each level that has commands (tapvm, tapvm journal)
// are looked at here, whatever the parse ended with. Prints the error and
// returns true if there is such a word.
bool ReportUnknownCommand(const CLI::App& app, const std::string& path) {
  std::vector<const CLI::App*> commands = app.get_subcommands([](const CLI::App*) { return true; });
  if (commands.empty()) return false;
  for (const std::string& word : app.remaining(false)) {
    if (word.empty() || word[0] == '-') continue;  // an unknown option is CLI11's to report
    std::string names;
    for (const CLI::App* c : commands) names += (names.empty() ? "" : ", ") + c->get_name();
    std::fprintf(stderr, "%s: unknown command '%s' (commands: %s)\n", path.c_str(), word.c_str(), names.c_str());
    return true;
  }
  for (const CLI::App* chosen : app.get_subcommands()) {
    if (ReportUnknownCommand(*chosen, path + " " + chosen->get_name())) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  tapvm::cli::signals::Install();  // first: before any thread exists
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
  tapvm::cli::AddFtCommand(app, &exit_code);
  // Messages go to standard error; standard output is the guest's console.
  spdlog::set_default_logger(spdlog::stderr_color_mt("tapvm"));
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
    if (ReportUnknownCommand(app, "tapvm")) return tapvm::cli::kExitUsage;
    int rc = app.exit(e);
    return rc == 0 ? 0 : tapvm::cli::kExitUsage;
  }
  return exit_code;
}
