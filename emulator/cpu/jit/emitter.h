// Emitter: the x86-64 instructions the JIT's translator uses, and nothing
// more. It is our own small interface over asmjit's low-level assembler
// (emitter.cc is the only file that includes asmjit), so an asmjit API
// change, or a move to another assembler, stays in one file.
//
// Usage: Reset(), emit one function (labels are local to it), then CopyTo a
// buffer that the code will run from. Operands are 64-bit unless a Width
// says otherwise; a 32-bit write zero-extends, as x86-64 does. Errors (an
// unbound label, a bad operand) are latched: CopyTo then returns 0.
//
// Not thread-safe; one per translator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace tapvm::jit {

enum class Reg : uint8_t { kRax, kRcx, kRdx, kRbx, kRsp, kRbp, kRsi, kRdi, kR8, kR9, kR10, kR11, kR12, kR13, kR14, kR15 };
enum class Width : uint8_t { k32, k64 };
// Conditions after Cmp(a, b): a == b, a != b, a < b signed, a >= b signed,
// a < b unsigned, a >= b unsigned.
enum class Cond : uint8_t { kEq, kNe, kLt, kGe, kLtu, kGeu };
enum class Alu : uint8_t { kAdd, kSub, kAnd, kOr, kXor, kCmp };
enum class Shift : uint8_t { kShl, kShr, kSar };

// [base + disp], or [base + index + disp] when `indexed`.
struct Mem {
  Reg base;
  int32_t disp;
  bool indexed = false;
  Reg index = Reg::kRax;
};

struct Label {
  uint32_t id;
};

// Points the PatchableJump that ends at `after` (its label's address) to
// `target`, which must be within +-2 GiB. Not atomic: only while no thread
// runs the code.
void PatchJump(uint8_t* after, const uint8_t* target);

class Emitter {
 public:
  Emitter();
  ~Emitter();
  Emitter(const Emitter&) = delete;
  Emitter& operator=(const Emitter&) = delete;

  // Starts a new function; labels of the previous one are gone.
  void Reset();
  // Bytes emitted so far.
  size_t size() const;
  // Copies the finished function to `dst` (where it will run: the code is
  // position-independent, calls go through absolute addresses in a
  // register). Returns its size; 0 on an error or if it is larger than cap.
  size_t CopyTo(uint8_t* dst, size_t cap);

  Label NewLabel();
  void Bind(Label label);
  // The offset of a bound label from the start of the function; valid
  // after CopyTo.
  size_t OffsetOf(Label label) const;
  // dst = the address of a label (rip-relative).
  void LeaLabel(Reg dst, Label label);
  // A 5-byte `jmp rel32` to the next instruction, which a later patch
  // (PatchJump) may point elsewhere. Returns a label bound just after it.
  Label PatchableJump();
  void Jmp(Label label);
  void Jcc(Cond cond, Label label);
  void JmpReg(Reg target);
  // Calls a C++ function through rax (System V ABI; rsp must be 16-byte
  // aligned at the call).
  void CallAbs(const void* fn);
  void Push(Reg r);
  void Pop(Reg r);
  void Ret();

  void MovImm(Reg dst, uint64_t imm);
  void Mov(Width w, Reg dst, Reg src);
  void Load(Width w, Reg dst, Mem src);
  void Store(Width w, Mem dst, Reg src);
  // A 64-bit store of a sign-extended 32-bit immediate.
  void StoreImm(Mem dst, int32_t imm);
  void Lea(Reg dst, Mem src);
  // dst = dst op src (kCmp only sets flags).
  void Op(Alu op, Width w, Reg dst, Reg src);
  void OpImm(Alu op, Width w, Reg dst, int32_t imm);
  void OpMem(Alu op, Width w, Reg dst, Mem src);
  void ShiftCl(Shift op, Width w, Reg dst);
  void ShiftImm(Shift op, Width w, Reg dst, uint8_t count);
  void Neg(Width w, Reg dst);
  void Test(Width w, Reg a, Reg b);
  // dst (64-bit) = cond ? 1 : 0, from the flags.
  void SetCc(Cond cond, Reg dst);
  // dst (64-bit) = the low `size` bytes of src, sign- or zero-extended.
  void Extend(Reg dst, Reg src, unsigned size, bool sign);
  // dst (64-bit) = the `size` bytes at [addr], sign- or zero-extended.
  void LoadExtend(Reg dst, Reg addr, unsigned size, bool sign);
  // The low `size` bytes of src to [addr].
  void StoreSized(Reg addr, unsigned size, Reg src);
  // dst *= src (the low half).
  void Imul(Width w, Reg dst, Reg src);
  // rdx:rax = rax * src, 64 x 64 -> 128 bits, signed or unsigned.
  void MulWide(Reg src, bool sign);
  // rax = rdx:rax / src, rdx = the remainder; sets up rdx itself (sign
  // extension of rax, or zero). The caller rules out a zero divisor and,
  // when signed, the overflowing MIN / -1.
  void Div(Width w, Reg src, bool sign);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tapvm::jit
