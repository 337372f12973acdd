#include "tools/qmp/json_framer.h"

namespace tapvm::qmp {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsNewline(char c) { return c == '\n' || c == '\r'; }

}  // namespace

void JsonFramer::Emit(std::vector<std::string>* texts) {
  texts->push_back(std::move(text_));
  text_.clear();
  depth_ = 0;
  in_string_ = escaped_ = false;
}

bool JsonFramer::Feed(std::string_view bytes, std::vector<std::string>* texts, std::string* error) {
  for (char c : bytes) {
    if (in_string_) {
      text_ += c;
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        in_string_ = false;
        if (depth_ == 0) Emit(texts);  // a bare string
      }
    } else if (depth_ == 0 && IsSpace(c)) {
      // A line of bare text is one text (one error for a line of garbage).
      if (IsNewline(c) && !text_.empty()) Emit(texts);
      else if (!text_.empty()) text_ += c;
    } else if (c == '{' || c == '[') {
      if (depth_ == 0 && !text_.empty()) Emit(texts);  // a bare token before it
      if (++depth_ > max_depth_) {
        *error = "JSON nesting deeper than " + std::to_string(max_depth_) + " levels";
        return false;
      }
      text_ += c;
    } else if (c == '}' || c == ']') {
      text_ += c;
      if (depth_ == 0 || --depth_ == 0) Emit(texts);  // a stray closer is a text of its own (an error)
    } else {
      if (c == '"') in_string_ = true;
      text_ += c;
    }
    if (text_.size() > max_bytes_) {
      *error = "QMP message longer than " + std::to_string(max_bytes_) + " bytes";
      return false;
    }
  }
  return true;
}

}  // namespace tapvm::qmp
