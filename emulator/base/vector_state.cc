#include "emulator/base/vector_state.h"

namespace tapvm {

#if defined(__x86_64__)
namespace {
const bool kHostHasAvx = __builtin_cpu_supports("avx");
__attribute__((target("avx"))) void ZeroUpper() { __builtin_ia32_vzeroupper(); }
}  // namespace

void ClearUpperVectorState() {
  if (kHostHasAvx) ZeroUpper();
}
#else
void ClearUpperVectorState() {}
#endif

}  // namespace tapvm
