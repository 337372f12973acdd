#include "emulator/block/inject.h"

#include <cerrno>

namespace tapvm {

namespace {

using Kind = HostOp::Kind;

constexpr uint8_t Bit(Kind k) { return static_cast<uint8_t>(1u << static_cast<unsigned>(k)); }
constexpr uint8_t kTransferOps = Bit(Kind::kRead) | Bit(Kind::kWrite);
constexpr uint8_t kAllOps =
    kTransferOps | Bit(Kind::kFlush) | Bit(Kind::kDiscard) | Bit(Kind::kWriteZeroes);

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t pos = 0;
  for (;;) {
    size_t at = s.find(sep, pos);
    parts.push_back(s.substr(pos, at == std::string::npos ? std::string::npos : at - pos));
    if (at == std::string::npos) return parts;
    pos = at + 1;
  }
}

std::string Trim(const std::string& s) {
  const char* ws = " \t\r\n";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

// Leading decimal digits of `s` into *value; the rest into *suffix.
bool ParseNumber(const std::string& s, uint64_t* value, std::string* suffix) {
  size_t i = 0;
  uint64_t v = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
    ++i;
  }
  if (i == 0) return false;
  *value = v;
  *suffix = s.substr(i);
  return true;
}

bool ParseSize(const std::string& s, uint64_t* out) {
  uint64_t v;
  std::string unit;
  if (!ParseNumber(s, &v, &unit)) return false;
  unsigned shift = 0;
  if (unit == "K" || unit == "k") shift = 10;
  else if (unit == "M") shift = 20;
  else if (unit == "G") shift = 30;
  else if (unit == "T") shift = 40;
  else if (!unit.empty()) return false;
  if (shift && v > (UINT64_MAX >> shift)) return false;
  *out = v << shift;
  return true;
}

bool ParseDuration(const std::string& s, uint64_t* ns) {
  uint64_t v;
  std::string unit;
  if (!ParseNumber(s, &v, &unit)) return false;
  uint64_t scale;
  if (unit == "ns") scale = 1;
  else if (unit == "us") scale = 1000;
  else if (unit == "ms") scale = 1000'000;
  else if (unit == "s") scale = 1000'000'000;
  else return false;
  if (v > UINT64_MAX / scale) return false;
  *ns = v * scale;
  return true;
}

// "0.25", "1", "0", "25%": a probability as a threshold on a 64-bit hash.
bool ParseProbability(const std::string& s, uint64_t* threshold, bool* never) {
  long double p = 0;
  size_t i = 0;
  bool digits = false;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') p = p * 10 + (s[i++] - '0'), digits = true;
  if (i < s.size() && s[i] == '.') {
    long double scale = 0.1L;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, scale /= 10) p += (s[i] - '0') * scale, digits = true;
  }
  if (!digits) return false;
  if (i < s.size() && s[i] == '%') p /= 100, ++i;
  if (i != s.size() || p > 1) return false;
  *never = p == 0;
  // p == 1 maps to UINT64_MAX (always); otherwise round down.
  *threshold = p >= 1 ? UINT64_MAX : static_cast<uint64_t>(p * 18446744073709551616.0L);
  return true;
}

// SplitMix64: a counter-based hash, so the nth draw of a rule depends on
// the seed, the rule and n only.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

Status Bad(const std::string& rule, const std::string& why) {
  return Status::InvalidArgument("inject rule '" + rule + "': " + why);
}

// Splits RULES into rule texts: ';' and newlines separate, '#' comments.
std::vector<std::string> RuleTexts(const std::string& rules) {
  std::vector<std::string> out;
  for (std::string line : Split(rules, '\n')) {
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    for (const std::string& item : Split(line, ';'))
      if (std::string t = Trim(item); !t.empty()) out.push_back(t);
  }
  return out;
}

}  // namespace

Status FaultInjector::ParseRule(const std::string& text, Rule* out) {
  Rule r;
  r.text = text;
  std::vector<std::string> f = Split(text, ':');
  if (f.size() < 2) return Bad(text, "want OP:FAULT[:TRIGGER…] (e.g. read:eio:every=3)");
  const std::string& op = f[0];
  if (op == "read") r.ops = Bit(Kind::kRead);
  else if (op == "write") r.ops = Bit(Kind::kWrite);
  else if (op == "flush") r.ops = Bit(Kind::kFlush);
  else if (op == "discard") r.ops = Bit(Kind::kDiscard);
  else if (op == "zeroes") r.ops = Bit(Kind::kWriteZeroes);
  else if (op == "any") r.ops = kAllOps;
  else return Bad(text, "unknown operation '" + op + "' (read, write, flush, discard, zeroes or any)");

  const std::string& fault = f[1];
  if (fault == "eio") {
    r.fault.kind = Fault::Kind::kError;
    r.fault.error = EIO;
  } else if (fault == "eagain") {
    r.fault.kind = Fault::Kind::kAgain;
  } else if (fault == "short") {
    if (!(r.ops & kTransferOps)) return Bad(text, "short applies to read, write or any");
    r.fault.kind = Fault::Kind::kShort;
  } else if (fault.rfind("delay=", 0) == 0) {
    r.fault.kind = Fault::Kind::kDelay;
    if (!ParseDuration(fault.substr(6), &r.fault.delay_ns))
      return Bad(text, "bad delay '" + fault.substr(6) + "' (digits and ns, us, ms or s: delay=5ms)");
  } else {
    return Bad(text, "unknown fault '" + fault + "' (eio, short, eagain or delay=DURATION)");
  }

  bool never = false;
  for (size_t i = 2; i < f.size(); ++i) {
    const std::string& t = f[i];
    const size_t eq = t.find('=');
    const std::string key = t.substr(0, eq), value = eq == std::string::npos ? "" : t.substr(eq + 1);
    std::string rest;
    if (t == "once") {
      r.once = true;
    } else if (key == "every" && eq != std::string::npos) {
      if (!ParseNumber(value, &r.every, &rest) || !rest.empty() || r.every == 0)
        return Bad(text, "every wants a count of at least 1 (got '" + value + "')");
    } else if (key == "after" && eq != std::string::npos) {
      if (!ParseNumber(value, &r.after, &rest) || !rest.empty())
        return Bad(text, "after wants a count (got '" + value + "')");
    } else if (key == "offset" && eq != std::string::npos) {
      const size_t dash = value.find('-');
      if (dash == std::string::npos) {
        if (!ParseSize(value, &r.begin) || r.begin == UINT64_MAX)
          return Bad(text, "bad offset '" + value + "' (SIZE or SIZE-SIZE, e.g. 1M-2M)");
        r.end = r.begin + 1;
      } else if (!ParseSize(value.substr(0, dash), &r.begin) || !ParseSize(value.substr(dash + 1), &r.end)) {
        return Bad(text, "bad offset range '" + value + "' (SIZE-SIZE with K, M, G or T, e.g. 1M-2M)");
      } else if (r.end <= r.begin) {
        return Bad(text, "offset range '" + value + "' is empty (the end must be above the start)");
      }
    } else if (key == "prob" && eq != std::string::npos) {
      if (!ParseProbability(value, &r.prob_threshold, &never))
        return Bad(text, "prob wants a probability from 0 to 1 or a percentage (got '" + value + "')");
      r.has_prob = true;
    } else {
      return Bad(text, "unknown trigger '" + t + "' (every=N, after=N, once, offset=A-B or prob=P)");
    }
  }
  if (never) r.ops = 0;  // prob=0: a rule that can never fire (and matches nothing)
  *out = r;
  return Status::Ok();
}

Status FaultInjector::Validate(const std::string& rules) {
  for (const std::string& t : RuleTexts(rules)) {
    Rule r;
    TAPVM_RETURN_IF_ERROR(ParseRule(t, &r));
  }
  return Status::Ok();
}

Status FaultInjector::Create(const std::string& rules, uint64_t seed, std::shared_ptr<FaultInjector>* out) {
  std::shared_ptr<FaultInjector> inj(new FaultInjector());
  inj->seed_ = seed;
  for (const std::string& t : RuleTexts(rules)) {
    Rule r;
    TAPVM_RETURN_IF_ERROR(ParseRule(t, &r));
    inj->rules_.push_back(std::move(r));
  }
  *out = std::move(inj);
  return Status::Ok();
}

Fault FaultInjector::Decide(const HostOp& op) {
  const uint8_t bit = Bit(op.kind);
  // The range a call covers; a flush covers nothing, so offset rules never
  // match it.
  const uint64_t op_end = op.offset + op.length;
  Fault decided;
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < rules_.size(); ++i) {
    Rule& r = rules_[i];
    if (!(r.ops & bit)) continue;
    const bool ranged = r.begin != 0 || r.end != UINT64_MAX;
    if (ranged && (op.length == 0 || op_end <= r.begin || op.offset >= r.end)) continue;
    const uint64_t n = ++r.matched;  // 1-based index among matching calls
    if (decided.kind != Fault::Kind::kNone) continue;  // an earlier rule decides; keep counting
    if (n <= r.after || (n - r.after) % r.every != 0) continue;
    if (r.once && r.fired > 0) continue;
    if (r.has_prob && Mix(seed_ ^ Mix(i + 1) ^ Mix(n * 0x2545f4914f6cdd1dull)) > r.prob_threshold) continue;
    Fault f = r.fault;
    if (f.kind == Fault::Kind::kAgain && op.retry) continue;
    if (f.kind == Fault::Kind::kShort) {
      if (op.retry || !(bit & kTransferOps)) continue;
      const uint64_t g = op.granularity ? op.granularity : 1;
      f.length = op.length / 2 / g * g;
      if (f.length == 0) continue;  // too small to shorten
    }
    ++r.fired;
    decided = f;
  }
  return decided;
}

uint64_t FaultInjector::fired(size_t i) const {
  std::lock_guard<std::mutex> lock(mu_);
  return i < rules_.size() ? rules_[i].fired : 0;
}

uint64_t FaultInjector::total_fired() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t n = 0;
  for (const Rule& r : rules_) n += r.fired;
  return n;
}

}  // namespace tapvm
