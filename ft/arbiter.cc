#include "ft/arbiter.h"

#include <cctype>
#include <string_view>
#include <vector>

#include "ft/etcd_arbiter.h"
#include "ft/file_arbiter.h"

namespace tapvm::ft {
namespace {

constexpr std::string_view kFilePrefix = "file:";
constexpr std::string_view kEtcdPrefix = "etcd:";
constexpr std::string_view kHttp = "http://";

Status BadSpec(const std::string& spec, const std::string& why) {
  return Status::InvalidArgument("bad arbiter spec \"" + spec + "\": " + why +
                                 "; expected file:PATH or etcd:http://HOST:PORT[,http://HOST:PORT...]");
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "http://HOST:PORT" (an IPv6 HOST in brackets), a trailing '/' dropped.
bool ParseEndpoint(std::string_view text, std::string* endpoint) {
  if (text.substr(0, kHttp.size()) != kHttp) return false;
  std::string_view hostport = text.substr(kHttp.size());
  if (!hostport.empty() && hostport.back() == '/') hostport.remove_suffix(1);
  for (char c : hostport) {
    if (c == '/' || c == '?' || c == '#' || c == '@' || std::isspace(static_cast<unsigned char>(c))) return false;
  }
  const size_t colon = hostport.rfind(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view host = hostport.substr(0, colon);
  const std::string_view port = hostport.substr(colon + 1);
  const bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
  if (host.empty() || (!bracketed && host.find_first_of("[]:") != std::string_view::npos)) return false;
  if (!AllDigits(port) || port.size() > 5) return false;
  const int number = std::stoi(std::string(port));
  if (number < 1 || number > 65535) return false;
  *endpoint = std::string(kHttp) + std::string(hostport);
  return true;
}

}  // namespace

Status OpenArbiter(const std::string& spec, std::unique_ptr<Arbiter>* out) {
  const std::string_view s = spec;
  if (s.substr(0, kFilePrefix.size()) == kFilePrefix) {
    const std::string path(s.substr(kFilePrefix.size()));
    if (path.empty()) return BadSpec(spec, "no file path");
    *out = NewFileArbiter(path);
    return Status::Ok();
  }
  if (s.substr(0, kEtcdPrefix.size()) == kEtcdPrefix) {
    std::string_view list = s.substr(kEtcdPrefix.size());
    if (list.empty()) return BadSpec(spec, "no etcd endpoint");
    std::vector<std::string> endpoints;
    for (;;) {
      const size_t comma = list.find(',');
      const std::string_view item = list.substr(0, comma);
      std::string endpoint;
      if (!ParseEndpoint(item, &endpoint)) {
        return BadSpec(spec, "etcd endpoint \"" + std::string(item) + "\" is not http://HOST:PORT");
      }
      endpoints.push_back(std::move(endpoint));
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    *out = NewEtcdArbiter(std::move(endpoints), EtcdArbiterOptions{});
    return Status::Ok();
  }
  return BadSpec(spec, "unknown kind of arbiter");
}

}  // namespace tapvm::ft
