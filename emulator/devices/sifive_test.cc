#include "emulator/devices/sifive_test.h"

namespace tapvm {

bool SifiveTest::Read(uint64_t offset, unsigned size, uint64_t* value) {
  *value = 0;
  return Valid(offset, size);
}

bool SifiveTest::Write(uint64_t offset, unsigned size, uint64_t value) {
  if (!Valid(offset, size)) return false;
  if (offset != 0 || state_.request.kind != FinishRequest::kNone) return true;
  const uint32_t v = static_cast<uint32_t>(value & (size == 2 ? 0xffff : 0xffffffff));
  switch (v & 0xffff) {
    case kPass:
      state_.request = {FinishRequest::kPass, 0};
      break;
    case kFail:
      state_.request = {FinishRequest::kFail, v >> 16};
      break;
    case kReset:
      state_.request = {FinishRequest::kReset, 0};
      break;
    default:
      break;  // not a command
  }
  return true;
}

Status SifiveTest::LoadState(StateReader& r) {
  FinishRequest req;
  r.Get(&req.kind);
  r.Get(&req.code);
  if (r.ok() && req.kind > FinishRequest::kReset) r.Fail("unknown finish request " + std::to_string(req.kind));
  if (!r.ok()) return r.status();
  state_.request = req;
  return Status::Ok();
}

void SifiveTest::HashState(StateHasher& h) const { h.Add(state_.request.kind).Add(state_.request.code); }

}  // namespace tapvm
