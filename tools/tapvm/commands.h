// The subcommands of the `tapvm` command line. Each Add* registers its
// options on the CLI11 app and arranges for its Run function to be called.
#pragma once

#include <CLI/CLI.hpp>

namespace tapvm::cli {

// Exit statuses of the tool itself (a guest's own failure code is passed
// through as the exit status).
inline constexpr int kExitUsage = 2;        // bad command line or input file
inline constexpr int kExitNoProgress = 124;  // limit reached, idle or stuck guest

// An instruction or event count on the command line: decimal digits only
// (CLI11 would otherwise take "-5" for an unsigned option), and > 0 when
// `positive`.
inline CLI::Validator CountValidator(bool positive) {
  return CLI::Validator(
      [positive](std::string& s) -> std::string {
        if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
          return "'" + s + "' is not a count (decimal digits)";
        if (positive && s.find_first_not_of('0') == std::string::npos) return "must be greater than 0";
        return "";
      },
      positive ? "COUNT>0" : "COUNT");
}

// run and record.
void AddRunCommand(CLI::App& app, int* exit_code);
void AddJournalCommand(CLI::App& app, int* exit_code);
void AddReplayCommand(CLI::App& app, int* exit_code);

}  // namespace tapvm::cli
