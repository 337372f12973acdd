#include "emulator/base/vector_state.h"

namespace tapvm {

#if defined(__x86_64__)
namespace {
// __builtin_cpu_init first: this runs among the static initializers, which
// may come before libgcc's own.
const bool kHostHasAvx = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx") != 0;
}();
__attribute__((target("avx"))) void ZeroUpper() { __builtin_ia32_vzeroupper(); }
}  // namespace

void ClearUpperVectorState() {
  if (kHostHasAvx) ZeroUpper();
}
#else
void ClearUpperVectorState() {}
#endif

}  // namespace tapvm
