// The ELF loader must load good images and refuse bad ones with a clear
// message, never touching memory outside RAM or reading past the buffer.
#include "emulator/machine/elf_loader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace tapvm {
namespace {

// A minimal ELF64 RISC-V executable with one PT_LOAD segment.
std::vector<uint8_t> MakeElf(uint64_t paddr, const std::vector<uint8_t>& payload, uint64_t memsz) {
  std::vector<uint8_t> b(64 + 56 + payload.size(), 0);
  auto put16 = [&](size_t o, uint16_t v) { std::memcpy(&b[o], &v, 2); };
  auto put32 = [&](size_t o, uint32_t v) { std::memcpy(&b[o], &v, 4); };
  auto put64 = [&](size_t o, uint64_t v) { std::memcpy(&b[o], &v, 8); };
  b[0] = 0x7f, b[1] = 'E', b[2] = 'L', b[3] = 'F', b[4] = 2, b[5] = 1, b[6] = 1;
  put16(0x10, 2);       // ET_EXEC
  put16(0x12, 243);     // EM_RISCV
  put32(0x14, 1);
  put64(0x18, paddr);   // entry
  put64(0x20, 64);      // phoff
  put16(0x34, 64);
  put16(0x36, 56);
  put16(0x38, 1);
  size_t ph = 64;
  put32(ph, 1);         // PT_LOAD
  put64(ph + 0x08, 64 + 56);
  put64(ph + 0x10, paddr);
  put64(ph + 0x18, paddr);
  put64(ph + 0x20, payload.size());
  put64(ph + 0x28, memsz);
  std::memcpy(&b[64 + 56], payload.data(), payload.size());
  return b;
}

class ElfLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(bus_.AddMemory(0x80000000, 1 << 20, true).ok()); }
  Bus bus_;
  LoadedImage img_;
};

TEST_F(ElfLoaderTest, LoadsSegmentAndZeroFillsBss) {
  uint8_t* ram = bus_.HostPtrForWrite(0x80000000, 16);
  std::memset(ram, 0xaa, 16);
  auto elf = MakeElf(0x80000000, {1, 2, 3, 4}, 8);
  ASSERT_TRUE(LoadElf(elf, &bus_, &img_).ok());
  EXPECT_EQ(img_.entry, 0x80000000u);
  EXPECT_EQ(ram[0], 1);
  EXPECT_EQ(ram[3], 4);
  EXPECT_EQ(ram[4], 0);
  EXPECT_EQ(ram[7], 0);
  EXPECT_EQ(ram[8], 0xaa);
}

TEST_F(ElfLoaderTest, RefusesSegmentOutsideRam) {
  auto elf = MakeElf(0x70000000, {1, 2, 3, 4}, 4);
  Status st = LoadElf(elf, &bus_, &img_);
  EXPECT_EQ(st.code(), Status::Code::kOutOfRange);
  EXPECT_NE(st.message().find("outside guest RAM"), std::string::npos);
}

TEST_F(ElfLoaderTest, RefusesSegmentRunningPastRamEnd) {
  auto elf = MakeElf(0x80000000 + (1 << 20) - 2, {1, 2, 3, 4}, 4);
  EXPECT_FALSE(LoadElf(elf, &bus_, &img_).ok());
}

TEST_F(ElfLoaderTest, RefusesAddressWrapAround) {
  auto elf = MakeElf(0xfffffffffffffff0ull, {1}, 0x100);
  EXPECT_FALSE(LoadElf(elf, &bus_, &img_).ok());
}

TEST_F(ElfLoaderTest, RefusesWrongMachineAndClass) {
  auto elf = MakeElf(0x80000000, {1}, 1);
  elf[0x12] = 62;  // x86-64
  EXPECT_EQ(LoadElf(elf, &bus_, &img_).code(), Status::Code::kNotSupported);
  elf = MakeElf(0x80000000, {1}, 1);
  elf[4] = 1;  // 32-bit
  EXPECT_EQ(LoadElf(elf, &bus_, &img_).code(), Status::Code::kNotSupported);
}

TEST_F(ElfLoaderTest, EveryTruncationIsRefusedCleanly) {
  auto elf = MakeElf(0x80000000, {1, 2, 3, 4, 5, 6, 7, 8}, 8);
  for (size_t len = 0; len < elf.size(); ++len) {
    std::vector<uint8_t> cut(elf.begin(), elf.begin() + static_cast<long>(len));
    EXPECT_FALSE(LoadElf(cut, &bus_, &img_).ok()) << "length " << len;
  }
}

TEST_F(ElfLoaderTest, HostileHeaderFieldsAreRefused) {
  auto elf = MakeElf(0x80000000, {1, 2, 3, 4}, 4);
  auto bad = elf;
  uint64_t huge = ~0ull - 8;
  std::memcpy(&bad[0x20], &huge, 8);  // phoff
  EXPECT_FALSE(LoadElf(bad, &bus_, &img_).ok());
  bad = elf;
  std::memcpy(&bad[64 + 0x08], &huge, 8);  // p_offset
  EXPECT_FALSE(LoadElf(bad, &bus_, &img_).ok());
  bad = elf;
  uint64_t small = 1;
  std::memcpy(&bad[64 + 0x28], &small, 8);  // memsz < filesz
  EXPECT_FALSE(LoadElf(bad, &bus_, &img_).ok());
}

TEST_F(ElfLoaderTest, RawImageLoadsAtAddress) {
  std::vector<uint8_t> raw = {9, 8, 7};
  ASSERT_TRUE(LoadRaw(raw, 0x80000100, &bus_, &img_).ok());
  EXPECT_EQ(img_.entry, 0x80000100u);
  EXPECT_EQ(bus_.HostPtr(0x80000100, 1)[0], 9);
  std::vector<uint8_t> big(2 << 20, 1);
  EXPECT_FALSE(LoadRaw(big, 0x80000000, &bus_, &img_).ok());
}

}  // namespace
}  // namespace tapvm
