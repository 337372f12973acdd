#include "tools/gdb/target_description.h"

#include <algorithm>
#include <vector>

namespace tapvm::gdb {

namespace {

constexpr unsigned kCsrBase = 65;
constexpr unsigned kPrivRegnum = kCsrBase + 4096;

const char* const kXNames[32] = {"zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "fp", "s1", "a0",
                                 "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
                                 "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
const char* const kFNames[32] = {"ft0", "ft1", "ft2",  "ft3",  "ft4", "ft5", "ft6",  "ft7",
                                 "fs0", "fs1", "fa0",  "fa1",  "fa2", "fa3", "fa4",  "fa5",
                                 "fa6", "fa7", "fs2",  "fs3",  "fs4", "fs5", "fs6",  "fs7",
                                 "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};

// The CSRs a kernel debugger looks at most: status, trap cause and value,
// return addresses, vectors, interrupt enables and pending bits,
// delegation, scratch registers and the page table root.
struct CsrName {
  const char* name;
  unsigned csr;
};
constexpr CsrName kCsrs[] = {
    {"sstatus", 0x100}, {"sie", 0x104},      {"stvec", 0x105},   {"sscratch", 0x140}, {"sepc", 0x141},
    {"scause", 0x142},  {"stval", 0x143},    {"sip", 0x144},     {"satp", 0x180},     {"mstatus", 0x300},
    {"medeleg", 0x302}, {"mideleg", 0x303},  {"mie", 0x304},     {"mtvec", 0x305},    {"mscratch", 0x340},
    {"mepc", 0x341},    {"mcause", 0x342},   {"mtval", 0x343},   {"mip", 0x344},
};

std::vector<RegisterInfo> MakeRegisters() {
  using K = RegisterInfo::Kind;
  std::vector<RegisterInfo> r;
  for (unsigned i = 0; i < 32; ++i) r.push_back({kXNames[i], i, 8, K::kX, i});
  r.push_back({"pc", 32, 8, K::kPc, 0});
  for (unsigned i = 0; i < 32; ++i) r.push_back({kFNames[i], 33 + i, 8, K::kF, i});
  r.push_back({"fflags", kCsrBase + 1, 4, K::kFflags, 1});
  r.push_back({"frm", kCsrBase + 2, 4, K::kFrm, 2});
  r.push_back({"fcsr", kCsrBase + 3, 4, K::kFcsr, 3});
  for (const CsrName& c : kCsrs) r.push_back({c.name, kCsrBase + c.csr, 8, K::kCsr, c.csr});
  r.push_back({"priv", kPrivRegnum, 8, K::kPriv, 0});
  std::sort(r.begin(), r.end(), [](const RegisterInfo& a, const RegisterInfo& b) { return a.regnum < b.regnum; });
  return r;
}

std::string Reg(const RegisterInfo& r, const char* type, const char* group) {
  std::string s = "    <reg name=\"" + std::string(r.name) + "\" bitsize=\"" + std::to_string(8 * r.bytes) +
                  "\" regnum=\"" + std::to_string(r.regnum) + "\"";
  if (type) s += std::string(" type=\"") + type + "\"";
  if (group) s += std::string(" group=\"") + group + "\"";
  return s + "/>\n";
}

std::string MakeXml() {
  using K = RegisterInfo::Kind;
  std::string cpu, fpu, csr, virt;
  for (const RegisterInfo& r : Registers()) {
    switch (r.kind) {
      case K::kX: cpu += Reg(r, r.index == 1 ? "code_ptr" : r.index == 2 ? "data_ptr" : "int", nullptr); break;
      case K::kPc: cpu += Reg(r, "code_ptr", nullptr); break;
      case K::kF: fpu += Reg(r, "riscv_double", nullptr); break;
      case K::kFflags: case K::kFrm: case K::kFcsr: fpu += Reg(r, "int", "float"); break;
      case K::kCsr: csr += Reg(r, "int", "system"); break;
      case K::kPriv: virt += Reg(r, "int", "system"); break;
    }
  }
  // The register entries are sorted by number, and gdb's fpu feature wants
  // f0..f31 before the FP control registers: both hold.
  return "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
         "  <architecture>riscv:rv64</architecture>\n"
         "  <feature name=\"org.gnu.gdb.riscv.cpu\">\n" + cpu + "  </feature>\n"
         "  <feature name=\"org.gnu.gdb.riscv.fpu\">\n"
         "    <union id=\"riscv_double\">\n"
         "      <field name=\"float\" type=\"ieee_single\"/>\n"
         "      <field name=\"double\" type=\"ieee_double\"/>\n"
         "    </union>\n" + fpu + "  </feature>\n"
         "  <feature name=\"org.gnu.gdb.riscv.csr\">\n" + csr + "  </feature>\n"
         "  <feature name=\"org.gnu.gdb.riscv.virtual\">\n" + virt + "  </feature>\n"
         "</target>\n";
}

}  // namespace

std::span<const RegisterInfo> Registers() {
  static const std::vector<RegisterInfo> regs = MakeRegisters();
  return regs;
}

const RegisterInfo* FindRegister(unsigned regnum) {
  for (const RegisterInfo& r : Registers())
    if (r.regnum == regnum) return &r;
  return nullptr;
}

const std::string& TargetXml() {
  static const std::string xml = MakeXml();
  return xml;
}

}  // namespace tapvm::gdb
