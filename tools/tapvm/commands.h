// The subcommands of the `tapvm` command line. Each Add* registers its
// options on the CLI11 app and arranges for its Run function to be called.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <string>

namespace tapvm::cli {

// Exit statuses of the tool itself (a guest's own failure code is passed
// through as the exit status).
inline constexpr int kExitUsage = 2;        // bad command line or input file
inline constexpr int kExitNoProgress = 124;  // limit reached, idle or stuck guest
inline constexpr int kExitJournal = 3;       // the journal could not be written (disk full...)
inline constexpr int kExitDiverged = 4;      // --engine cosim: the engine under test and the interpreter differ

// An instruction or event count on the command line: decimal digits only
// (CLI11 would otherwise take "-5" for an unsigned option), and > 0 when
// `positive`.
inline CLI::Validator CountValidator(bool positive) {
  return CLI::Validator(
      [positive](std::string& s) -> std::string {
        if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
          return "'" + s + "' is not a count (decimal digits)";
        const size_t first = s.find_first_not_of('0');
        const std::string digits = first == std::string::npos ? "0" : s.substr(first);
        if (digits.size() > 20 || (digits.size() == 20 && digits > "18446744073709551615"))
          return "'" + s + "' is too large (at most 18446744073709551615)";
        if (positive && s.find_first_not_of('0') == std::string::npos) return "must be greater than 0";
        return "";
      },
      positive ? "COUNT>0" : "COUNT");
}

// A duration in seconds: a finite number, 0 or more, at most `max_s`.
inline CLI::Validator SecondsValidator(double max_s) {
  return CLI::Validator(
      [max_s](std::string& s) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (s.empty() || *end != '\0' || !(v >= 0) || v > max_s)
          return "'" + s + "' is not a number of seconds from 0 to " + std::to_string(static_cast<uint64_t>(max_s));
        return "";
      },
      "SECONDS");
}

// run and record.
void AddRunCommand(CLI::App& app, int* exit_code);
void AddJournalCommand(CLI::App& app, int* exit_code);
// `journal reblock` (cmd_reblock.cc), under the `journal` command.
void AddJournalReblockCommand(CLI::App& journal, int* exit_code);
// `journal checkpoint` and `journal index` (cmd_journal_checkpoint.cc).
void AddJournalCheckpointCommands(CLI::App& journal, int* exit_code);
void AddReplayCommand(CLI::App& app, int* exit_code);
void AddFtCommand(CLI::App& app, int* exit_code);

}  // namespace tapvm::cli
