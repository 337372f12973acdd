// The subcommands of the `tapvm` command line. Each Add* registers its
// options on the CLI11 app and arranges for its Run function to be called.
#pragma once

#include <CLI/CLI.hpp>

namespace tapvm::cli {

// Exit statuses of the tool itself (a guest's own failure code is passed
// through as the exit status).
inline constexpr int kExitUsage = 2;        // bad command line or input file
inline constexpr int kExitNoProgress = 124;  // limit reached, idle or stuck guest

// run and record.
void AddRunCommand(CLI::App& app, int* exit_code);
void AddJournalCommand(CLI::App& app, int* exit_code);
void AddReplayCommand(CLI::App& app, int* exit_code);

}  // namespace tapvm::cli
