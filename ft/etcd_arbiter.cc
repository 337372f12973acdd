#include "ft/etcd_arbiter.h"

#include <kj/encoding.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>

#include "ft/etcd_client.h"

namespace tapvm::ft {
namespace {

using Json = nlohmann::json;
using Clock = EtcdClient::Clock;
using std::chrono::milliseconds;

// How long a lease we did not need may take to revoke; it expires anyway.
constexpr milliseconds kRevokeBudget{500};

std::string Base64(std::string_view s) {
  const kj::String text = kj::encodeBase64(kj::arrayPtr(reinterpret_cast<const kj::byte*>(s.data()), s.size()));
  return std::string(text.cStr(), text.size());
}

// False on text that is not base64.
bool FromBase64(const std::string& text, std::string* out) {
  try {
    const auto bytes = kj::decodeBase64(kj::arrayPtr(text.data(), text.size()));
    if (bytes.hadErrors) return false;
    out->assign(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
    return true;
  } catch (...) {  // kj reports some failures by throwing: a bad answer all the same
    return false;
  }
}

// `object`'s member `name`, or null when `object` is no object or lacks it.
const Json* Member(const Json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

// An array's first element, or null.
const Json* First(const Json* array) {
  return array != nullptr && array->is_array() && !array->empty() ? &array->front() : nullptr;
}

// A stored value for a message: printable, short.
std::string Printable(const std::string& value) {
  std::string out;
  for (char c : value.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return value.size() > 40 ? out + "..." : out;
}

// What a claim transaction answered: whether our put happened, else the
// role stored in the key and the key's lease (0: none).
Status ReadOutcome(const Json& reply, Role role, bool* won, int64_t* key_lease) {
  const Json* succeeded = Member(reply, "succeeded");  // proto3 JSON leaves out false
  if (succeeded != nullptr && !succeeded->is_boolean()) {
    return Status::Corruption("\"succeeded\" is not a boolean: " + JsonExcerpt(reply));
  }
  if (succeeded != nullptr && succeeded->get<bool>()) {
    *won = true;
    return Status::Ok();
  }
  const Json* response = First(Member(reply, "responses"));
  const Json* range = response != nullptr ? Member(*response, "response_range") : nullptr;
  const Json* kv = range != nullptr ? First(Member(*range, "kvs")) : nullptr;
  if (kv == nullptr || !kv->is_object()) {
    return Status::Corruption("the transaction neither put the key nor read it: " + JsonExcerpt(reply));
  }
  const Json* value = Member(*kv, "value");  // left out when empty
  std::string stored;
  if (value != nullptr && (!value->is_string() || !FromBase64(value->get<std::string>(), &stored))) {
    return Status::Corruption("the key's value is not base64: " + JsonExcerpt(*kv));
  }
  const Role other = role == Role::kPrimary ? Role::kSecondary : Role::kPrimary;
  if (stored != RoleName(role) && stored != RoleName(other)) {
    return Status::Corruption("the key holds \"" + Printable(stored) + "\", not a role");
  }
  *key_lease = 0;
  if (Member(*kv, "lease") != nullptr && !JsonInt64(*kv, "lease", key_lease)) {
    return Status::Corruption("the key's lease is not an integer: " + JsonExcerpt(*kv));
  }
  *won = stored == RoleName(role);
  return Status::Ok();
}

class EtcdArbiter final : public Arbiter {
 public:
  EtcdArbiter(std::vector<std::string> endpoints, const EtcdArbiterOptions& options)
      : client_(std::move(endpoints)), options_(options) {}

  ~EtcdArbiter() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    if (keeper_.joinable()) keeper_.join();
  }

  Status Claim(const RunId& run_id, Role role, milliseconds timeout, bool* won) override {
    *won = false;
    const auto deadline = Clock::now() + timeout;
    const std::string key = Base64("tapvm/ft/" + run_id.ToHex());
    const std::string prefix = "etcd arbiter " + client_.EndpointList() + ": ";

    Json reply;
    TAPVM_RETURN_IF_ERROR(client_.Call("lease grant", "/v3/lease/grant",
                                       Json::object({{"TTL", std::to_string(options_.lease_ttl.count())}}), deadline,
                                       &reply));
    int64_t lease = 0;
    if (!JsonInt64(reply, "ID", &lease) || lease <= 0) {
      return Status::Corruption(prefix + "lease grant: the answer has no lease ID: " + JsonExcerpt(reply));
    }

    const Json compare =
        Json::object({{"key", key}, {"target", "CREATE"}, {"result", "EQUAL"}, {"create_revision", "0"}});
    const Json put = Json::object({{"key", key}, {"value", Base64(RoleName(role))}, {"lease", std::to_string(lease)}});
    const Json txn = Json::object({
        {"compare", Json::array({compare})},
        {"success", Json::array({Json::object({{"request_put", put}})})},
        {"failure", Json::array({Json::object({{"request_range", Json::object({{"key", key}})}})})},
    });
    // A transaction that went through but whose answer was lost is retried
    // by Call; the retry then finds our own role: still a win.
    TAPVM_RETURN_IF_ERROR(client_.Call("claim transaction", "/v3/kv/txn", txn, deadline, &reply));
    bool claimed = false;
    int64_t key_lease = lease;
    TAPVM_RETURN_IF_ERROR(ReadOutcome(reply, role, &claimed, &key_lease).WithPrefix(prefix + "claim transaction: "));

    // The key's lease is our role's claim: keep it alive, whoever granted it.
    if (claimed && key_lease > 0) Keep(key_lease);
    if (key_lease != lease) Revoke(lease, std::min(deadline, Clock::now() + kRevokeBudget));
    *won = claimed;
    return Status::Ok();
  }

  std::string Describe() const override { return "etcd:" + client_.EndpointList(); }

 private:
  void Keep(int64_t lease) {
    std::lock_guard<std::mutex> lock(mu_);
    kept_.insert(lease);
    if (!keeper_.joinable()) keeper_ = std::thread([this] { KeepLoop(); });
  }

  void Revoke(int64_t lease, Clock::time_point deadline) {
    Json ignored;
    client_.Call("lease revoke", "/v3/lease/revoke", Json::object({{"ID", std::to_string(lease)}}), deadline,
                 &ignored);
  }

  // Renews the kept leases every third of the TTL (sooner after a failed
  // try) until the destructor. A lease etcd no longer knows is dropped: its
  // key is gone and the next Claim decides afresh.
  void KeepLoop() {
    const Clock::duration interval = std::max<Clock::duration>(options_.lease_ttl / 3, milliseconds(100));
    Clock::duration wait = interval;
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      wake_.wait_for(lock, wait, [this] { return stop_.load(); });
      if (stop_) return;
      const std::set<int64_t> leases = kept_;
      lock.unlock();
      bool all_renewed = true;
      std::set<int64_t> expired;
      for (int64_t lease : leases) {
        Json reply;
        const Status st = client_.Call("lease keepalive", "/v3/lease/keepalive",
                                       Json::object({{"ID", std::to_string(lease)}}), Clock::now() + interval,
                                       &reply, &stop_);
        const Json* result = Member(reply, "result");
        int64_t ttl = 0;
        if (st.ok() && result != nullptr && (!JsonInt64(*result, "TTL", &ttl) || ttl <= 0)) expired.insert(lease);
        all_renewed = all_renewed && st.ok();
      }
      lock.lock();
      for (int64_t lease : expired) kept_.erase(lease);
      wait = all_renewed ? interval : milliseconds(100);
    }
  }

  const EtcdClient client_;
  const EtcdArbiterOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::atomic<bool> stop_{false};  // set under mu_; read by curl's progress callback too
  std::set<int64_t> kept_;         // the leases of won claims; guarded by mu_
  std::thread keeper_;
};

}  // namespace

std::unique_ptr<Arbiter> NewEtcdArbiter(std::vector<std::string> endpoints, const EtcdArbiterOptions& options) {
  return std::make_unique<EtcdArbiter>(std::move(endpoints), options);
}

}  // namespace tapvm::ft
