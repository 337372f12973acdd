// A few RV64 instruction encoders, enough for unit tests to put small
// programs in guest memory without a cross toolchain.
#pragma once

#include <cstdint>
#include <vector>

namespace tapvm::test {

inline uint32_t RType(uint32_t f7, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op) {
  return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
inline uint32_t IType(int32_t imm, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op) {
  return (static_cast<uint32_t>(imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
inline uint32_t SType(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t op) {
  uint32_t u = static_cast<uint32_t>(imm);
  return (((u >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((u & 0x1f) << 7) | op;
}
inline uint32_t Addi(uint32_t rd, uint32_t rs1, int32_t imm) { return IType(imm, rs1, 0, rd, 0x13); }
inline uint32_t Add(uint32_t rd, uint32_t rs1, uint32_t rs2) { return RType(0, rs2, rs1, 0, rd, 0x33); }
inline uint32_t Xor(uint32_t rd, uint32_t rs1, uint32_t rs2) { return RType(0, rs2, rs1, 4, rd, 0x33); }
inline uint32_t Lui(uint32_t rd, uint32_t imm20) { return (imm20 << 12) | (rd << 7) | 0x37; }
inline uint32_t Auipc(uint32_t rd, uint32_t imm20) { return (imm20 << 12) | (rd << 7) | 0x17; }
inline uint32_t Ld(uint32_t rd, uint32_t rs1, int32_t imm) { return IType(imm, rs1, 3, rd, 0x03); }
inline uint32_t Sd(uint32_t rs2, uint32_t rs1, int32_t imm) { return SType(imm, rs2, rs1, 3, 0x23); }
inline uint32_t Csrrw(uint32_t rd, uint32_t csr, uint32_t rs1) { return IType(static_cast<int32_t>(csr), rs1, 1, rd, 0x73); }
inline uint32_t Csrrs(uint32_t rd, uint32_t csr, uint32_t rs1) { return IType(static_cast<int32_t>(csr), rs1, 2, rd, 0x73); }
inline uint32_t Jal(uint32_t rd, int32_t off) {
  uint32_t u = static_cast<uint32_t>(off);
  return (((u >> 20) & 1) << 31) | (((u >> 1) & 0x3ff) << 21) | (((u >> 11) & 1) << 20) |
         (((u >> 12) & 0xff) << 12) | (rd << 7) | 0x6f;
}
inline uint32_t Branch(uint32_t f3, uint32_t rs1, uint32_t rs2, int32_t off) {
  uint32_t u = static_cast<uint32_t>(off);
  return (((u >> 12) & 1) << 31) | (((u >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
         (((u >> 1) & 0xf) << 8) | (((u >> 11) & 1) << 7) | 0x63;
}
inline uint32_t Bne(uint32_t rs1, uint32_t rs2, int32_t off) { return Branch(1, rs1, rs2, off); }
inline uint32_t Bge(uint32_t rs1, uint32_t rs2, int32_t off) { return Branch(5, rs1, rs2, off); }
inline uint32_t Andi(uint32_t rd, uint32_t rs1, int32_t imm) { return IType(imm, rs1, 7, rd, 0x13); }
// A extension, doubleword, aq = rl = 0.
inline uint32_t LrD(uint32_t rd, uint32_t rs1) { return RType(0x02 << 2, 0, rs1, 3, rd, 0x2f); }
inline uint32_t ScD(uint32_t rd, uint32_t rs2, uint32_t rs1) { return RType(0x03 << 2, rs2, rs1, 3, rd, 0x2f); }
inline uint32_t AmoaddD(uint32_t rd, uint32_t rs2, uint32_t rs1) { return RType(0, rs2, rs1, 3, rd, 0x2f); }
inline uint32_t SfenceVma(uint32_t rs1, uint32_t rs2) { return RType(0x09, rs2, rs1, 0, 0, 0x73); }
inline constexpr uint32_t kFenceI = 0x0000100f;
inline constexpr uint32_t kMret = 0x30200073;
inline constexpr uint32_t kWfi = 0x10500073;
inline constexpr uint32_t kEcall = 0x00000073;

}  // namespace tapvm::test
