// JsonFramer: cuts a QMP byte stream into JSON texts, one per request.
//
// QMP does not require a newline after a request (QEMU's monitor runs a
// streaming JSON parser), so the framer follows the structure: a text is a
// balanced {...} or [...] (brackets inside strings do not count), or bare
// text up to the end of its line (a line of garbage is one error). It does not parse: each text goes to a real
// JSON parser, which reports what is wrong with it.
//
// Bounds: a text longer than `max_bytes`, or nested deeper than
// `max_depth`, is an error the stream cannot recover from (the framer
// would not know where the next request starts): Feed says so and the
// connection is closed. Not thread-safe (one per client).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tapvm::qmp {

class JsonFramer {
 public:
  JsonFramer(size_t max_bytes, unsigned max_depth) : max_bytes_(max_bytes), max_depth_(max_depth) {}

  // Appends every text completed by `bytes` to `texts`. Returns false, with
  // `error` set, when a bound was passed (nothing more should be fed).
  bool Feed(std::string_view bytes, std::vector<std::string>* texts, std::string* error);

 private:
  void Emit(std::vector<std::string>* texts);

  size_t max_bytes_;
  unsigned max_depth_;
  std::string text_;  // the text being collected
  unsigned depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
};

}  // namespace tapvm::qmp
