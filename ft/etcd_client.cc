#include "ft/etcd_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

namespace tapvm::ft {
namespace {

using Json = nlohmann::json;
using Clock = EtcdClient::Clock;

// etcd's answers here are a few hundred bytes; more is not etcd.
constexpr size_t kMaxReplyBytes = 1 << 20;
constexpr int kGrpcUnavailable = 14;
// etcd's answers nest a few levels. Refusing deeper ones before parsing
// keeps every recursive walk over a parsed answer (dump) shallow.
constexpr int kMaxNesting = 32;

bool NestingWithin(const std::string& text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct ReplySink {
  std::string data;
  bool too_big = false;
};

size_t OnData(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* sink = static_cast<ReplySink*>(user);
  const size_t n = size * nmemb;
  if (sink->data.size() + n > kMaxReplyBytes) {
    sink->too_big = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  sink->data.append(ptr, n);
  return n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* stop = static_cast<const std::atomic<bool>*>(user);
  return stop->load() ? 1 : 0;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct HeaderListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// One request to one endpoint: done (ok or not), or worth another try.
struct Attempt {
  bool retry = false;
  Status status;
};

// An etcd error answer: {"error": "...", "code": N} from a unary call, or
// {"error": {"grpc_code": N, "message": "..."}} from a streaming one.
bool EtcdError(const Json& reply, int64_t* code, std::string* message) {
  const auto err = reply.find("error");
  if (err == reply.end()) return false;
  *code = 0;
  const Json& where = err->is_object() ? *err : reply;
  if (!JsonInt64(where, "code", code)) JsonInt64(where, "grpc_code", code);
  const auto msg = where.find("message");
  if (msg != where.end() && msg->is_string()) {
    *message = msg->get<std::string>();
  } else if (err->is_string()) {
    *message = err->get<std::string>();
  } else {
    *message = JsonExcerpt(*err);
  }
  return true;
}

Attempt Interpret(long http_status, const std::string& text, Json* reply) {
  if (!NestingWithin(text, kMaxNesting)) {
    return {false, Status::Corruption("the answer nests deeper than " + std::to_string(kMaxNesting) + " levels")};
  }
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return {false, Status::Corruption("the answer (HTTP " + std::to_string(http_status) + ", " +
                                      std::to_string(text.size()) + " bytes) is not a JSON object: " +
                                      text.substr(0, 120))};
  }
  int64_t code = 0;
  std::string message;
  if (EtcdError(parsed, &code, &message)) {
    return {code == kGrpcUnavailable,
            Status::IOError("etcd answered an error (code " + std::to_string(code) + "): " + message)};
  }
  if (http_status != 200) {
    return {false, Status::IOError("HTTP status " + std::to_string(http_status) + ": " + JsonExcerpt(parsed))};
  }
  *reply = std::move(parsed);
  return {false, Status::Ok()};
}

Attempt PostOnce(const std::string& url, const std::string& body, Clock::time_point deadline,
                 const std::atomic<bool>* stop, Json* reply) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  std::unique_ptr<curl_slist, HeaderListDeleter> headers(curl_slist_append(nullptr, "Content-Type: application/json"));
  if (!curl || !headers) return {false, Status::IOError("cannot set up a libcurl request")};
  curl_slist_append(headers.get(), "Expect:");
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  ReplySink sink;
  char detail[CURL_ERROR_SIZE] = "";
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // never through an http_proxy of the environment
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(left, 1)));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnData);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
  if (stop != nullptr) {
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(stop));
  }
  const CURLcode rc = curl_easy_perform(c);
  const std::string why = detail[0] != '\0' ? detail : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_OK: {
      long http_status = 0;
      curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http_status);
      return Interpret(http_status, sink.data, reply);
    }
    case CURLE_COULDNT_CONNECT: {
      long os_errno = 0;
      curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
      return {true, Status::IOError("cannot connect: " +
                                    (os_errno != 0 ? std::string(std::strerror(static_cast<int>(os_errno))) : why))};
    }
    case CURLE_COULDNT_RESOLVE_HOST:
      return {true, Status::IOError("cannot resolve the host: " + why)};
    case CURLE_OPERATION_TIMEDOUT:
      return {true, Status::IOError("no answer in time: " + why)};
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return {true, Status::IOError("connection lost: " + why)};
    case CURLE_WRITE_ERROR:
      if (sink.too_big) {
        return {false, Status::Corruption("the answer is over " + std::to_string(kMaxReplyBytes) + " bytes")};
      }
      return {false, Status::IOError(why)};
    case CURLE_ABORTED_BY_CALLBACK:
      return {false, Status::IOError("stopped")};
    default:
      return {false, Status::IOError(why)};
  }
}

}  // namespace

EtcdClient::EtcdClient(std::vector<std::string> endpoints) : endpoints_(std::move(endpoints)) { InitCurlOnce(); }

Status EtcdClient::Call(const char* what, const std::string& path, const Json& body, Clock::time_point deadline,
                        Json* reply, const std::atomic<bool>* stop) const {
  const auto start = Clock::now();
  const std::string text = body.dump();
  Status last = Status::IOError("etcd arbiter " + EndpointList() + ": " + what + ": no time left to try");
  auto pause = std::chrono::milliseconds(10);
  for (;;) {
    for (const std::string& endpoint : endpoints_) {
      if (Clock::now() >= deadline || (stop != nullptr && stop->load())) break;
      Attempt a;
      try {
        a = PostOnce(endpoint + path, text, deadline, stop, reply);
      } catch (const std::exception& e) {  // bad_alloc and the like: never past this boundary
        a = {false, Status::IOError(std::string("failed: ") + e.what())};
      }
      if (a.status.ok()) return a.status;
      a.status = a.status.WithPrefix("etcd arbiter " + endpoint + ": " + what + ": ");
      if (!a.retry) return a.status;
      last = a.status;
    }
    const auto now = Clock::now();
    if (now >= deadline || (stop != nullptr && stop->load())) {
      const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(now - start).count();
      return Status::IOError(last.message() + " (gave up after " + std::to_string(spent) + " ms)");
    }
    std::this_thread::sleep_for(std::min<Clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, std::chrono::milliseconds(200));
  }
}

std::string EtcdClient::EndpointList() const {
  std::string out;
  for (const std::string& e : endpoints_) out += (out.empty() ? "" : ",") + e;
  return out;
}

bool JsonInt64(const Json& object, const char* field, int64_t* out) {
  if (!object.is_object()) return false;
  const auto it = object.find(field);
  if (it == object.end()) return false;
  if (it->is_number_integer() && !it->is_number_unsigned()) {
    *out = it->get<int64_t>();
    return true;
  }
  if (it->is_number_unsigned()) {
    const uint64_t v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
    return true;
  }
  if (!it->is_string()) return false;
  const std::string& s = it->get_ref<const std::string&>();
  const char* end = s.data() + s.size();
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end || s.empty()) return false;
  *out = v;
  return true;
}

std::string JsonExcerpt(const Json& value) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 160) text = text.substr(0, 160) + "...";
  return text;
}

}  // namespace tapvm::ft
