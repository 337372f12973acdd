#include "tests/engine/rv_program_gen.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "emulator/cpu/decode.h"
#include "tests/unit/rv_asm.h"

namespace tapvm::test {
namespace {

constexpr uint32_t kLoopReg = 28;
constexpr uint32_t kWindowReg = 29;
constexpr uint32_t kSatpSlot = 30;  // init table slot (x30 is not loaded from it)
constexpr uint32_t kOpLoad = 0x03, kOpLoadFp = 0x07, kOpStore = 0x23, kOpStoreFp = 0x27, kOpAmo = 0x2f;
constexpr uint32_t kOpSystem = 0x73;
constexpr uint32_t kTselect = 0x7a0, kTdata1 = 0x7a1, kTdata2 = 0x7a2, kTcontrol = 0x7a5;
constexpr unsigned kTriggerSlot = 64;  // init table slots 64..67: tdata1 and tdata2 of triggers 0 and 1

// The major opcodes (bits 6:0) the body draws from, each with a weight.
struct Major {
  uint32_t opcode;
  unsigned weight;
};
constexpr Major kMajors[] = {
    {0x03, 8},  {0x07, 3}, {0x0f, 1}, {0x13, 12}, {0x17, 2}, {0x1b, 6}, {0x23, 8}, {0x27, 3},
    {0x2f, 5},  {0x33, 14}, {0x37, 2}, {0x3b, 8},  {0x43, 1}, {0x47, 1}, {0x4b, 1}, {0x4f, 1},
    {0x53, 12}, {0x73, 4},
};

// CSRs a body may touch without breaking the frame (not mstatus, mtvec,
// mepc, delegation or PMP).
constexpr uint32_t kSafeCsrs[] = {0x001, 0x002, 0x003, 0xc00, 0xc01, 0xc02, 0x340, 0x140, 0x342, 0x343,
                                  0x344, 0x304, 0xb00, 0xb02, 0x301, 0xf14, 0x180, 0x141, 0x105, 0x142,
                                  0x143, 0x306, 0x106, 0x100, 0x104, 0x144, 0x320, 0xf11, 0xf12, 0xf13};

// What the body holds before addresses are known.
struct Item {
  enum class Kind : uint8_t { kPlain, kBranch, kJal, kJalrPair, kCBranch, kCJ, kLoopBack } kind = Kind::kPlain;
  uint32_t bits = 0;
  unsigned len = 4;
  size_t target = 0;  // the item a jump goes to
};

class Gen {
 public:
  Gen(uint64_t seed, const GenOptions& o) : rng_(seed), o_(o) {}

  GenProgram Run() {
    GenProgram p;
    p.chunks.push_back({kGenRam, Words(Prologue())});
    p.chunks.push_back({kGenHandler, Words(Handler())});
    p.chunks.push_back({kGenInitTable, InitTable()});
    std::vector<uint8_t> data(kGenDataBytes);
    for (auto& b : data) b = static_cast<uint8_t>(rng_());
    p.chunks.push_back({kGenData, std::move(data)});
    if (o_.paging) p.chunks.push_back({kGenPageTables, PageTables()});
    Body();
    p.chunks.push_back({kGenBody, Layout(&p.body)});
    return p;
  }

 private:
  uint32_t R(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }
  bool Chance(unsigned percent) { return R(100) < percent; }

  static std::vector<uint8_t> Words(const std::vector<uint32_t>& w) {
    std::vector<uint8_t> b(w.size() * 4);
    std::memcpy(b.data(), w.data(), b.size());
    return b;
  }

  std::vector<uint32_t> Prologue() {
    std::vector<uint32_t> p;
    auto here = [&] { return kGenRam + 4 * p.size(); };
    p.push_back(Auipc(31, 0));                    // x31 = kGenRam
    p.push_back(Addi(31, 31, 0x7ff));
    p.push_back(Addi(31, 31, 1));                 // x31 = handler
    p.push_back(Csrrw(0, 0x305, 31));             // mtvec
    p.push_back(Lui(31, 2));                      // mstatus.FS = initial
    p.push_back(Csrrs(0, 0x300, 31));
    const uint64_t a30 = here();
    p.push_back(Auipc(30, (kGenInitTable - kGenRam) >> 12));
    p.push_back(Addi(30, 30, -static_cast<int32_t>(a30 - kGenRam)));
    for (uint32_t i = 0; i < 32; ++i) p.push_back(IType(static_cast<int32_t>(8 * (32 + i)), 30, 3, i, kOpLoadFp));
    for (uint32_t i = 1; i < 30; ++i)
      if (i != 2 && i != 3 && i != kLoopReg) p.push_back(Ld(i, 30, static_cast<int32_t>(8 * i)));
    if (o_.triggers) {
      for (uint32_t k = 0; k < 2; ++k) {
        trigger_[2 * k] = RandomTdata1();
        trigger_[2 * k + 1] = RandomTdata2(trigger_[2 * k]);
        p.push_back(Addi(31, 0, static_cast<int32_t>(k)));
        p.push_back(Csrrw(0, kTselect, 31));
        p.push_back(Ld(31, 30, static_cast<int32_t>(8 * (kTriggerSlot + 2 * k + 1))));
        p.push_back(Csrrw(0, kTdata2, 31));
        p.push_back(Ld(31, 30, static_cast<int32_t>(8 * (kTriggerSlot + 2 * k))));
        p.push_back(Csrrw(0, kTdata1, 31));
      }
      p.push_back(Addi(31, 0, 8));                            // tcontrol.mte
      p.push_back(Csrrw(0, kTcontrol, 31));
    }
    const uint64_t a2 = here();
    p.push_back(Auipc(2, (kGenData + kGenDataBytes / 2 - kGenRam) >> 12));
    p.push_back(Addi(2, 2, -static_cast<int32_t>(a2 - kGenRam)));
    p.push_back(Lui(3, kGenClint >> 12));
    p.push_back(Addi(kLoopReg, 0, 0));
    if (o_.interrupts) {
      p.push_back(Lui(30, 0x2004));                           // mtimecmp
      p.push_back(Addi(31, 0, static_cast<int32_t>(20 + R(400))));
      p.push_back(Sd(31, 30, 0));
      p.push_back(Addi(31, 0, 0x88));                         // MTIE | MSIE
      p.push_back(Csrrs(0, 0x304, 31));
      if (!o_.paging) {
        p.push_back(Addi(31, 0, 8));                          // mstatus.MIE
        p.push_back(Csrrs(0, 0x300, 31));
      }
    }
    if (!o_.paging) {
      p.push_back(Jal(0, static_cast<int32_t>(kGenBody - here())));
      return p;
    }
    const uint64_t a31 = here();
    p.push_back(Auipc(31, (kGenInitTable - kGenRam) >> 12));  // the table again
    p.push_back(Ld(31, 31, static_cast<int32_t>(8 * kSatpSlot - (a31 - kGenRam))));
    p.push_back(Csrrw(0, 0x180, 31));                         // satp: Sv39
    p.push_back(SfenceVma(0, 0));
    p.push_back(Lui(31, 2));                                  // mstatus.MPP = S
    p.push_back(Addi(31, 31, -0x800));                        // 0x1800
    p.push_back(RType(0, 0, 31, 3, 0, 0x73) | (0x300u << 20));  // csrrc x0, mstatus, x31
    p.push_back(Lui(31, 1));
    p.push_back(Addi(31, 31, -0x800));                        // 0x800
    p.push_back(Csrrs(0, 0x300, 31));
    const uint64_t ab = here();
    p.push_back(Auipc(31, 1));                                // x31 = kGenBody
    p.push_back(Addi(31, 31, static_cast<int32_t>(kGenBody - ab) - 0x1000));
    p.push_back(Csrrw(0, 0x341, 31));                         // mepc
    p.push_back(kMret);
    return p;
  }

  static uint64_t Pte(uint64_t pa, uint64_t flags) { return (pa >> 12) << 10 | flags; }
  std::vector<uint8_t> PageTables() {
    constexpr uint64_t V = 1, Rd = 2, W = 4, X = 8, A = 64, D = 128;  // and U = 16, in the random ones
    std::vector<uint64_t> t(3 * 512, 0);
    uint64_t* root = t.data();
    uint64_t* l1 = root + 512;
    uint64_t* l0 = l1 + 512;
    root[0] = Pte(kGenPageTables + 0x1000, V);
    root[2] = Pte(kGenRam & ~((1ull << 30) - 1), V | Rd | W | X | A | D);
    l1[kGenClint >> 21] = Pte(kGenClint & ~((1ull << 21) - 1), V | Rd | W | A | D);
    l1[kGenWindow >> 21] = Pte(kGenPageTables + 0x2000, V);
    for (int i = 0; i < 512; ++i) {
      const uint64_t pa = kGenData + (static_cast<uint64_t>(i) % (kGenDataBytes >> 12)) * 4096;
      l0[i] = Pte(pa, Chance(60) ? V | Rd | W | A | D : R(256));  // random: any mix, even reserved ones
    }
    std::vector<uint8_t> b(t.size() * 8);
    std::memcpy(b.data(), t.data(), b.size());
    return b;
  }

  // An exception: skips the trapping instruction (mepc += 4 if its low
  // bits are 11, else 2). An interrupt: mtimecmp = mtime + 16 + (mtime &
  // 511), msip = 0, S-level pending bits cleared.
  static std::vector<uint32_t> Handler() {
    return {
        Csrrs(31, 0x342, 0),         // x31 = mcause
        Branch(4, 31, 0, 4 * 11),    // blt x31, x0: an interrupt
        Csrrs(31, 0x341, 0),         // x31 = mepc
        IType(0, 31, 5, 30, kOpLoad),  // lhu x30, 0(x31)
        Andi(30, 30, 3),
        Addi(30, 30, -3),
        IType(1, 30, 3, 30, 0x13),   // sltiu x30, x30, 1: 1 when 32-bit
        IType(1, 30, 1, 30, 0x13),   // slli x30, x30, 1
        Addi(30, 30, 2),
        Add(31, 31, 30),
        Csrrw(0, 0x341, 31),
        kMret,
        Lui(30, 0x200c),             // interrupt:
        Ld(31, 30, -8),              // mtime
        Andi(30, 31, 0x1ff),
        Add(31, 31, 30),
        Addi(31, 31, 16),
        Lui(30, 0x2004),
        Sd(31, 30, 0),               // mtimecmp
        Lui(30, 0x2000),
        SType(0, 0, 30, 2, kOpStore),  // sw x0, 0(x30): msip
        Csrrw(0, 0x344, 0),          // mip: clear what software may set
        kMret,
    };
  }

  uint64_t RandomInt() {
    static constexpr uint64_t kSpecial[] = {0, 1, ~0ull, 2, 0x7fffffffffffffffull, 0x8000000000000000ull,
                                            0x7fffffff, 0x80000000, 0xffffffff, 0xffffffff80000000ull, 31, 32, 63, 64};
    switch (R(4)) {
      case 0: return kSpecial[R(sizeof kSpecial / sizeof kSpecial[0])];
      case 1: return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(rng_())));
      default: return rng_();
    }
  }
  uint64_t RandomFp() {
    static constexpr uint64_t kDouble[] = {0, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
                                           0x7ff8000000000000ull, 0x7ff0000000000001ull, 0x0000000000000001ull,
                                           0x3ff0000000000000ull, 0xc000000000000000ull, 0x43e0000000000000ull};
    static constexpr uint32_t kSingle[] = {0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000,
                                           0x7f800001, 0x00000001, 0x3f800000, 0xc0000000, 0x5f000000};
    const uint64_t box = 0xffffffff00000000ull;
    switch (R(6)) {
      case 0: return kDouble[R(10)];
      case 1: return box | kSingle[R(10)];
      case 2: return box | static_cast<uint32_t>(rng_());  // a random single
      case 3: return rng_() & ~box;                        // a single that is not NaN-boxed
      default: return rng_();
    }
  }
  // A type-2 trigger watching the body's privilege (and now and then the
  // others), one to three of execute, store and load, mostly matching equal.
  uint64_t RandomTdata1() {
    static constexpr uint64_t kMatch[] = {0, 0, 0, 0, 2, 3, 8};
    uint64_t t = (2ull << 60) | (o_.paging ? 0x10 : 0x40) | (1 + R(7)) | (kMatch[R(7)] << 7);
    if (Chance(30)) t |= 0x58;  // m, s and u
    return t;
  }
  // An address in the body (execute) or in the reach of x2's offsets.
  uint64_t RandomTdata2(uint64_t tdata1) {
    if ((tdata1 & 4) && Chance(60)) return kGenBody + 2 * R(o_.body_insns * 2);
    return kGenData + kGenDataBytes / 2 - 2048 + R(4096);
  }

  std::vector<uint8_t> InitTable() {
    std::vector<uint64_t> t(o_.triggers ? 68 : 64);
    if (o_.triggers) std::copy(trigger_, trigger_ + 4, t.begin() + kTriggerSlot);
    for (int i = 0; i < 32; ++i) {
      t[i] = RandomInt();
      // Some registers hold addresses in the data area, for compressed
      // loads and stores (their base is x8..x15) and for AMOs.
      if ((i >= 8 && i <= 15 && Chance(60)) || Chance(10))
        t[i] = kGenData + R(kGenDataBytes) / (Chance(70) ? 8 : 1) * (Chance(70) ? 8 : 1);
    }
    t[kWindowReg] = o_.paging ? kGenWindow + 0x100000 : kGenData + 0x2000;
    t[kSatpSlot] = (8ull << 60) | (kGenPageTables >> 12);
    for (int i = 0; i < 32; ++i) t[32 + i] = RandomFp();
    std::vector<uint8_t> b(t.size() * 8);
    std::memcpy(b.data(), t.data(), b.size());
    return b;
  }

  static bool Reserved(unsigned reg) {
    return reg == 2 || reg == 3 || reg == kLoopReg || reg == kWindowReg || reg == 30 || reg == 31;
  }
  // A register the body may write (never x0 or a reserved one).
  uint32_t FreeReg() {
    for (;;) {
      uint32_t r = 1 + R(31);
      if (!Reserved(r)) return r;
    }
  }

  // CSRs whose change would take the frame apart (trap vector, return
  // address, delegation, privilege and translation controls, PMP): never
  // written by the body, even when it draws a CSR number at random.
  bool FrameCsr(uint32_t csr) const {
    return csr == 0x300 || csr == 0x302 || csr == 0x303 || csr == 0x305 || csr == 0x341 ||
           (csr >= 0x3a0 && csr <= 0x3ef) || (csr == 0x180 && o_.paging);
  }

  uint32_t SafeCsr() {
    if (o_.triggers && Chance(20)) return kTselect + R(6);  // tselect .. tcontrol
    for (;;) {
      const uint32_t csr = kSafeCsrs[R(sizeof kSafeCsrs / sizeof kSafeCsrs[0])];
      if (csr != 0x180 || !o_.paging) return csr;  // under paging, never satp
    }
  }

  static bool IsControl(Op op) {
    switch (op) {
      case Op::JAL: case Op::JALR: case Op::BEQ: case Op::BNE: case Op::BLT: case Op::BGE: case Op::BLTU:
      case Op::BGEU: case Op::MRET: case Op::SRET:
        return true;
      default:
        return false;
    }
  }
  static bool IsMemory(uint32_t opcode) {
    return opcode == kOpLoad || opcode == kOpLoadFp || opcode == kOpStore || opcode == kOpStoreFp || opcode == kOpAmo;
  }

  // A 32-bit instruction the decoder accepts, of a major opcode drawn by
  // weight, with its base register and CSR steered; 0 if none was found.
  uint32_t Draw32() {
    unsigned total = 0;
    for (const Major& m : kMajors) total += m.weight;
    unsigned pick = R(total);
    uint32_t opcode = kMajors[0].opcode;
    for (const Major& m : kMajors) {
      if (pick < m.weight) {
        opcode = m.opcode;
        break;
      }
      pick -= m.weight;
    }
    if (opcode == kOpSystem && Chance(40)) {
      static const uint32_t kSpecial[] = {kEcall, 0x00100073 /* ebreak */, kWfi, kFenceI};
      if (Chance(75)) return kSpecial[R(4)];
      return SfenceVma(R(32), R(32));
    }
    // OP-FP's legal funct7 values, so that conversions, moves and compares
    // come up as often as arithmetic.
    static constexpr uint32_t kFpFunct7[] = {0x00, 0x01, 0x04, 0x05, 0x08, 0x09, 0x0c, 0x0d, 0x2c,
                                             0x2d, 0x10, 0x11, 0x14, 0x15, 0x20, 0x21, 0x50, 0x51,
                                             0x60, 0x61, 0x68, 0x69, 0x70, 0x71, 0x78, 0x79};
    const uint32_t funct7 = kFpFunct7[R(sizeof kFpFunct7 / sizeof kFpFunct7[0])];
    const bool lr = Chance(20);
    for (int tries = 0; tries < 2000; ++tries) {
      uint32_t w = (static_cast<uint32_t>(rng_()) & ~0x7fu) | opcode;
      if (opcode == 0x53) w = (w & 0x01ffffff) | (funct7 << 25);
      if (opcode == kOpAmo && lr) w &= ~(31u << 20);  // rs2 = 0: lr.w / lr.d
      if (IsMemory(opcode) && !Chance(10)) {
        const unsigned r = R(100);
        const uint32_t base = r < 70 ? 2u : r < 82 ? 3u : kWindowReg;
        w = (w & ~(31u << 15)) | (base << 15);
      }
      if (opcode == kOpSystem && (w >> 12 & 3) != 0 && (!Chance(5) || FrameCsr(w >> 20)))
        w = (w & 0xfffff) | (SafeCsr() << 20);
      const DecodedInsn d = Decode(w);
      if (d.op == Op::ILLEGAL || IsControl(d.op)) continue;
      if (OpBreakKind(d.op) == BreakKind::I && Reserved(d.rd)) continue;
      return w;
    }
    return 0;
  }

  // A compressed instruction the decoder accepts (no jumps or branches).
  uint32_t Draw16() {
    for (int tries = 0; tries < 2000; ++tries) {
      const uint32_t h = static_cast<uint32_t>(rng_()) & 0xffff;
      if ((h & 3) == 3) continue;
      const DecodedInsn d = Decode(h);
      if (d.op == Op::ILLEGAL || IsControl(d.op)) continue;
      if (OpBreakKind(d.op) == BreakKind::I && Reserved(d.rd)) continue;
      return h;
    }
    return 0x0001;  // c.nop
  }

  void Plain(uint32_t bits, unsigned len) { items_.push_back({Item::Kind::kPlain, bits, len, 0}); }
  void Jump(Item::Kind kind, uint32_t bits, unsigned len, size_t ahead) {
    items_.push_back({kind, bits, len, items_.size() + ahead});
  }

  void Body() {
    size_t loop_start = 0, loop_end = 0;  // items; loop_end == 0: not in a loop
    for (unsigned n = 0; n < o_.body_insns; ++n) {
      if (loop_end != 0 && items_.size() >= loop_end) {
        Plain(Addi(kLoopReg, kLoopReg, -1), 4);
        items_.push_back({Item::Kind::kLoopBack, Branch(4, 0, kLoopReg, 0), 4, loop_start});  // blt x0, x28
        loop_end = 0;
        continue;
      }
      if (loop_end == 0 && Chance(o_.loop_percent)) {
        Plain(Addi(kLoopReg, 0, static_cast<int32_t>(2 + R(7))), 4);
        loop_start = items_.size();
        loop_end = loop_start + 3 + R(12);
        continue;
      }
      if (o_.paging && Chance(4)) {  // x29 to another page of the window
        Plain(Lui(kWindowReg, static_cast<uint32_t>((kGenWindow >> 12) + R(512))), 4);
        continue;
      }
      const unsigned what = R(100);
      const size_t ahead = 1 + R(6);
      if (what < 6) {
        static constexpr uint32_t kFunct3[] = {0, 1, 4, 5, 6, 7};  // beq bne blt bge bltu bgeu
        Jump(Item::Kind::kBranch, Branch(kFunct3[R(6)], R(32), R(32), 0), 4, ahead);
      } else if (what < 8) {
        Jump(Item::Kind::kJal, Jal(Chance(50) ? 0 : FreeReg(), 0), 4, ahead);
      } else if (what < 10) {
        const uint32_t via = FreeReg();
        Plain(Auipc(via, 0), 4);
        // jalr rd, imm(via); the imm is patched to land `ahead` items on.
        Jump(Item::Kind::kJalrPair, IType(0, via, 0, Chance(50) ? 0 : FreeReg(), 0x67), 4, ahead);
      } else if (what < 12) {
        // c.beqz / c.bnez rs1' (x8..x15)
        Jump(Item::Kind::kCBranch, (Chance(50) ? 0xc001u : 0xe001u) | (R(8) << 7), 2, ahead);
      } else if (what < 13) {
        Jump(Item::Kind::kCJ, 0xa001u, 2, ahead);  // c.j
      } else if (what < 13 + o_.illegal_percent) {
        if (Chance(50))
          Plain(static_cast<uint32_t>(rng_()) | 3, 4);  // random bits, mostly illegal
        else
          Plain(0, 2);  // c.unimp
      } else if (Chance(o_.compressed_percent)) {
        Plain(Draw16(), 2);
      } else if (uint32_t w = Draw32()) {
        Plain(w, 4);
      }
    }
    if (loop_end != 0) {
      Plain(Addi(kLoopReg, kLoopReg, -1), 4);
      items_.push_back({Item::Kind::kLoopBack, Branch(4, 0, kLoopReg, 0), 4, loop_start});
    }
    Plain(Jal(0, 0), 4);  // the end: j .
  }

  static uint32_t PatchBranch(uint32_t bits, int32_t off) {
    const uint32_t u = static_cast<uint32_t>(off);
    bits &= 0x01fff07f;  // keep rs2, rs1, funct3, opcode
    return bits | (((u >> 12) & 1) << 31) | (((u >> 5) & 0x3f) << 25) | (((u >> 1) & 0xf) << 8) |
           (((u >> 11) & 1) << 7);
  }
  static uint32_t PatchCBranch(uint32_t bits, int32_t off) {
    const uint32_t u = static_cast<uint32_t>(off);
    bits &= 0xe383;  // funct3, rs1', op
    return bits | (((u >> 8) & 1) << 12) | (((u >> 3) & 3) << 10) | (((u >> 6) & 3) << 5) | (((u >> 1) & 3) << 3) |
           (((u >> 5) & 1) << 2);
  }
  static uint32_t PatchCJ(uint32_t bits, int32_t off) {
    const uint32_t u = static_cast<uint32_t>(off);
    bits &= 0xe003;
    return bits | (((u >> 11) & 1) << 12) | (((u >> 4) & 1) << 11) | (((u >> 8) & 3) << 9) | (((u >> 10) & 1) << 8) |
           (((u >> 6) & 1) << 7) | (((u >> 7) & 1) << 6) | (((u >> 1) & 7) << 3) | (((u >> 5) & 1) << 2);
  }

  std::vector<uint8_t> Layout(std::vector<GenProgram::Insn>* listing) {
    std::vector<uint64_t> addr(items_.size() + 1);
    uint64_t a = kGenBody;
    for (size_t i = 0; i < items_.size(); ++i) {
      addr[i] = a;
      a += items_[i].len;
    }
    addr[items_.size()] = a;
    const size_t last = items_.size() - 1;  // `j .`
    std::vector<uint8_t> bytes;
    for (size_t i = 0; i < items_.size(); ++i) {
      Item& it = items_[i];
      // A jump never lands on a loop's closing branch, skipping the
      // decrement before it (that loop would never end).
      // Nor on the jalr of an auipc/jalr pair, skipping the auipc (it would
      // jump through a stale register, anywhere).
      size_t target = std::min(it.target, last);
      if (items_[target].kind == Item::Kind::kLoopBack || items_[target].kind == Item::Kind::kJalrPair) --target;
      const int32_t off = static_cast<int32_t>(addr[target] - addr[i]);
      switch (it.kind) {
        case Item::Kind::kPlain: break;
        case Item::Kind::kBranch:
        case Item::Kind::kLoopBack: it.bits = PatchBranch(it.bits, off); break;
        case Item::Kind::kJal: it.bits = Jal((it.bits >> 7) & 31, off); break;
        case Item::Kind::kJalrPair: it.bits |= static_cast<uint32_t>(off + 4) << 20; break;  // from the auipc
        case Item::Kind::kCBranch: it.bits = PatchCBranch(it.bits, off); break;
        case Item::Kind::kCJ: it.bits = PatchCJ(it.bits, off); break;
      }
      for (unsigned k = 0; k < it.len; ++k) bytes.push_back(static_cast<uint8_t>(it.bits >> (8 * k)));
      listing->push_back({addr[i], it.len == 2 ? it.bits & 0xffff : it.bits, it.len});
    }
    return bytes;
  }

  std::mt19937_64 rng_;
  GenOptions o_;
  std::vector<Item> items_;
  uint64_t trigger_[4] = {};  // tdata1, tdata2 of triggers 0 and 1 (o_.triggers)
};

}  // namespace

GenProgram GenerateProgram(uint64_t seed, const GenOptions& options) { return Gen(seed, options).Run(); }

std::string ListBody(const GenProgram& program, uint64_t from, uint64_t to) {
  std::string out;
  char line[96];
  for (const GenProgram::Insn& i : program.body) {
    if (i.addr < from || i.addr > to) continue;
    std::snprintf(line, sizeof line, "%llx: %0*x  %.*s\n", static_cast<unsigned long long>(i.addr),
                  i.len == 2 ? 4 : 8, i.bits, static_cast<int>(Mnemonic(i.bits).size()), Mnemonic(i.bits).data());
    out += line;
  }
  return out;
}

}  // namespace tapvm::test
