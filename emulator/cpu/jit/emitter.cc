// Emitter over asmjit's x86::Assembler: the one file that knows asmjit.
#include "emulator/cpu/jit/emitter.h"

#include <asmjit/x86.h>

#include <cstring>

namespace tapvm::jit {

namespace {
namespace x86 = asmjit::x86;

x86::Gp Q(Reg r) { return x86::gpq(static_cast<uint32_t>(r)); }
x86::Gp D(Reg r) { return x86::gpd(static_cast<uint32_t>(r)); }
x86::Gp G(Width w, Reg r) { return w == Width::k64 ? Q(r) : D(r); }
x86::Gp Sized(Reg r, unsigned size) {
  uint32_t id = static_cast<uint32_t>(r);
  switch (size) {
    case 1: return x86::gpb_lo(id);
    case 2: return x86::gpw(id);
    case 4: return x86::gpd(id);
    default: return x86::gpq(id);
  }
}
x86::Mem M(Width w, Mem m) {
  const uint32_t size = w == Width::k64 ? 8 : 4;
  return m.indexed ? x86::ptr(Q(m.base), Q(m.index), 0, m.disp, size) : x86::ptr(Q(m.base), m.disp, size);
}
x86::Mem At(Reg addr, unsigned size) { return x86::ptr(Q(addr), 0, size); }

x86::CondCode ToCc(Cond c) {
  switch (c) {
    case Cond::kEq: return x86::CondCode::kE;
    case Cond::kNe: return x86::CondCode::kNE;
    case Cond::kLt: return x86::CondCode::kL;
    case Cond::kGe: return x86::CondCode::kGE;
    case Cond::kLtu: return x86::CondCode::kB;
    case Cond::kGeu: return x86::CondCode::kAE;
  }
  return x86::CondCode::kE;
}

x86::Inst::Id AluId(Alu op) {
  switch (op) {
    case Alu::kAdd: return x86::Inst::kIdAdd;
    case Alu::kSub: return x86::Inst::kIdSub;
    case Alu::kAnd: return x86::Inst::kIdAnd;
    case Alu::kOr: return x86::Inst::kIdOr;
    case Alu::kXor: return x86::Inst::kIdXor;
    case Alu::kCmp: return x86::Inst::kIdCmp;
  }
  return x86::Inst::kIdNone;
}

x86::Inst::Id ShiftId(Shift op) {
  switch (op) {
    case Shift::kShl: return x86::Inst::kIdShl;
    case Shift::kShr: return x86::Inst::kIdShr;
    case Shift::kSar: return x86::Inst::kIdSar;
  }
  return x86::Inst::kIdNone;
}

// Latches the first error of the assembler instead of throwing or aborting.
class LatchError final : public asmjit::ErrorHandler {
 public:
  void handleError(asmjit::Error err, const char*, asmjit::BaseEmitter*) override {
    if (!error) error = err;
  }
  asmjit::Error error = asmjit::kErrorOk;
};
}  // namespace

struct Emitter::Impl {
  asmjit::CodeHolder code;
  x86::Assembler a;
  LatchError errors;
};

Emitter::Emitter() : impl_(std::make_unique<Impl>()) { Reset(); }
Emitter::~Emitter() = default;

void Emitter::Reset() {
  Impl& i = *impl_;
  i.code.reset();
  i.errors.error = asmjit::kErrorOk;
  i.code.init(asmjit::Environment::host());
  i.code.setErrorHandler(&i.errors);
  i.code.attach(&i.a);
}

size_t Emitter::size() const { return impl_->code.codeSize(); }

size_t Emitter::CopyTo(uint8_t* dst, size_t cap) {
  Impl& i = *impl_;
  if (i.errors.error) return 0;
  if (i.code.flatten() || i.code.resolveUnresolvedLinks() || i.code.relocateToBase(reinterpret_cast<uint64_t>(dst)))
    return 0;
  size_t n = i.code.codeSize();
  if (n > cap || i.errors.error) return 0;
  if (i.code.copyFlattenedData(dst, cap)) return 0;
  return n;
}

Label Emitter::NewLabel() { return Label{impl_->a.newLabel().id()}; }
size_t Emitter::OffsetOf(Label l) const { return impl_->code.labelOffsetFromBase(l.id); }
void Emitter::LeaLabel(Reg dst, Label l) { impl_->a.lea(Q(dst), x86::ptr(asmjit::Label(l.id))); }
Label Emitter::PatchableJump() {
  impl_->a.db(0xe9);  // jmp rel32, displacement 0: falls through until patched
  impl_->a.dd(0);
  Label after = NewLabel();
  Bind(after);
  return after;
}

void PatchJump(uint8_t* after, const uint8_t* target) {
  int32_t rel = static_cast<int32_t>(target - after);
  std::memcpy(after - 4, &rel, 4);
}
void Emitter::Bind(Label l) { impl_->a.bind(asmjit::Label(l.id)); }
void Emitter::Jmp(Label l) { impl_->a.jmp(asmjit::Label(l.id)); }
void Emitter::Jcc(Cond c, Label l) { impl_->a.j(ToCc(c), asmjit::Label(l.id)); }
void Emitter::JmpReg(Reg target) { impl_->a.jmp(Q(target)); }
void Emitter::CallAbs(const void* fn) {
  impl_->a.mov(x86::rax, reinterpret_cast<uint64_t>(fn));
  impl_->a.call(x86::rax);
}
void Emitter::Push(Reg r) { impl_->a.push(Q(r)); }
void Emitter::Pop(Reg r) { impl_->a.pop(Q(r)); }
void Emitter::Ret() { impl_->a.ret(); }

void Emitter::MovImm(Reg dst, uint64_t imm) {
  if (imm == 0) {
    impl_->a.xor_(D(dst), D(dst));
  } else if (imm <= UINT32_MAX) {
    impl_->a.mov(D(dst), static_cast<uint32_t>(imm));
  } else {
    impl_->a.mov(Q(dst), imm);
  }
}
void Emitter::Mov(Width w, Reg dst, Reg src) { impl_->a.mov(G(w, dst), G(w, src)); }
void Emitter::Load(Width w, Reg dst, Mem src) { impl_->a.mov(G(w, dst), M(w, src)); }
void Emitter::Store(Width w, Mem dst, Reg src) { impl_->a.mov(M(w, dst), G(w, src)); }
void Emitter::StoreImm(Mem dst, int32_t imm) { impl_->a.mov(M(Width::k64, dst), imm); }
void Emitter::Lea(Reg dst, Mem src) { impl_->a.lea(Q(dst), x86::ptr(Q(src.base), src.disp)); }

void Emitter::Op(Alu op, Width w, Reg dst, Reg src) { impl_->a.emit(AluId(op), G(w, dst), G(w, src)); }
void Emitter::OpImm(Alu op, Width w, Reg dst, int32_t imm) {
  impl_->a.emit(AluId(op), G(w, dst), asmjit::Imm(imm));
}
void Emitter::OpMem(Alu op, Width w, Reg dst, Mem src) { impl_->a.emit(AluId(op), G(w, dst), M(w, src)); }
void Emitter::ShiftCl(Shift op, Width w, Reg dst) { impl_->a.emit(ShiftId(op), G(w, dst), x86::cl); }
void Emitter::ShiftImm(Shift op, Width w, Reg dst, uint8_t count) {
  impl_->a.emit(ShiftId(op), G(w, dst), asmjit::Imm(count));
}
void Emitter::Neg(Width w, Reg dst) { impl_->a.neg(G(w, dst)); }
void Emitter::Test(Width w, Reg a, Reg b) { impl_->a.test(G(w, a), G(w, b)); }

void Emitter::SetCc(Cond c, Reg dst) {
  impl_->a.set(ToCc(c), Sized(dst, 1));
  impl_->a.movzx(D(dst), Sized(dst, 1));
}

void Emitter::Extend(Reg dst, Reg src, unsigned size, bool sign) {
  x86::Assembler& a = impl_->a;
  if (size == 8) {
    if (dst != src) a.mov(Q(dst), Q(src));
  } else if (size == 4) {
    if (sign) a.movsxd(Q(dst), D(src)); else a.mov(D(dst), D(src));
  } else if (sign) {
    a.movsx(Q(dst), Sized(src, size));
  } else {
    a.movzx(D(dst), Sized(src, size));
  }
}

void Emitter::LoadExtend(Reg dst, Reg addr, unsigned size, bool sign) {
  x86::Assembler& a = impl_->a;
  if (size == 8) {
    a.mov(Q(dst), At(addr, 8));
  } else if (size == 4) {
    if (sign) a.movsxd(Q(dst), At(addr, 4)); else a.mov(D(dst), At(addr, 4));
  } else if (sign) {
    a.movsx(Q(dst), At(addr, size));
  } else {
    a.movzx(D(dst), At(addr, size));
  }
}

void Emitter::StoreSized(Reg addr, unsigned size, Reg src) { impl_->a.mov(At(addr, size), Sized(src, size)); }

void Emitter::Imul(Width w, Reg dst, Reg src) { impl_->a.imul(G(w, dst), G(w, src)); }

void Emitter::MulWide(Reg src, bool sign) {
  if (sign) impl_->a.imul(x86::rdx, x86::rax, Q(src)); else impl_->a.mul(x86::rdx, x86::rax, Q(src));
}

void Emitter::Div(Width w, Reg src, bool sign) {
  x86::Assembler& a = impl_->a;
  x86::Gp ax = G(w, Reg::kRax), dx = G(w, Reg::kRdx);
  if (sign) {
    if (w == Width::k64) a.cqo(x86::rdx, x86::rax); else a.cdq(x86::edx, x86::eax);
    a.idiv(dx, ax, G(w, src));
  } else {
    a.xor_(x86::edx, x86::edx);
    a.div(dx, ax, G(w, src));
  }
}

}  // namespace tapvm::jit
