// Helpers of the arbiter tests (ft_arbiter_test.cc, ft_etcd_arbiter_test.cc).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "ft/arbiter.h"
#include "gtest/gtest.h"

namespace tapvm::ft::testutil {

// Long enough never to be what ends a claim that should succeed.
inline constexpr std::chrono::milliseconds kClaimTimeout{5000};

inline std::unique_ptr<Arbiter> MustOpen(const std::string& spec) {
  std::unique_ptr<Arbiter> arbiter;
  const Status st = OpenArbiter(spec, &arbiter);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return arbiter;
}

// Claims, expecting no error: whether it won.
inline bool Wins(Arbiter& arbiter, const RunId& run, Role role) {
  bool won = false;
  const Status st = arbiter.Claim(run, role, kClaimTimeout, &won);
  EXPECT_TRUE(st.ok()) << arbiter.Describe() << " " << RoleName(role) << ": " << st.ToString();
  return st.ok() && won;
}

}  // namespace tapvm::ft::testutil
