// The registers the stub shows gdb, and the target description XML
// (`qXfer:features:read:target.xml`) that tells gdb what they are.
//
// Numbering follows gdb's riscv port, so gdb's own register numbers and
// the remote ones agree: x0..x31 = 0..31, pc = 32, f0..f31 = 33..64, CSR n
// = 65 + n (fflags 66, frm 67, fcsr 68, mstatus 833...), and the virtual
// `priv` register = 65 + 4096. The `g` packet holds every register below,
// in this order (gdb lays `g` out by ascending number), each little-endian
// of its size.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace tapvm::gdb {

struct RegisterInfo {
  enum class Kind : uint8_t { kX, kPc, kF, kFflags, kFrm, kFcsr, kCsr, kPriv };
  const char* name;
  unsigned regnum;  // gdb's (and the protocol's) number
  unsigned bytes;   // 8, or 4 for the FP control registers
  Kind kind;
  unsigned index;   // x/f register number, or the CSR number
};

// Every register, in ascending regnum (the `g` packet's order).
std::span<const RegisterInfo> Registers();
// The register numbered `regnum`, or nullptr.
const RegisterInfo* FindRegister(unsigned regnum);
// The target description document.
const std::string& TargetXml();

}  // namespace tapvm::gdb
