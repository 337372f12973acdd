// printf-style formatting into a std::string, for status messages.
// Internal to journal/.
#pragma once

#include <string>

namespace tapvm::journal {

std::string Fmt(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace tapvm::journal
