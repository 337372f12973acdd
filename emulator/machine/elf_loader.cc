#include "emulator/machine/elf_loader.h"

#include <algorithm>
#include <cstring>

namespace tapvm {

namespace {

// ELF64 layouts (System V gABI), read field by field from the buffer.
constexpr size_t kEhdrSize = 64, kPhdrSize = 56, kShdrSize = 64, kSymSize = 24;
constexpr uint16_t kEmRiscv = 243;
constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kShtSymtab = 2;

template <typename T>
T Get(std::span<const uint8_t> b, size_t off) {
  T v;
  std::memcpy(&v, b.data() + off, sizeof v);
  return v;
}

std::string Hex(uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

bool InBuffer(std::span<const uint8_t> b, uint64_t off, uint64_t len) {
  return off <= b.size() && len <= b.size() - off;
}

// Finds tohost/fromhost in the symbol table, if there is one. A damaged
// symbol table only means no HTIF: it is not an error.
void FindHtifSymbols(std::span<const uint8_t> b, LoadedImage* out) {
  uint64_t shoff = Get<uint64_t>(b, 0x28);
  uint16_t shentsize = Get<uint16_t>(b, 0x3a), shnum = Get<uint16_t>(b, 0x3c);
  if (shoff == 0 || shentsize != kShdrSize || !InBuffer(b, shoff, uint64_t{shnum} * kShdrSize)) return;
  for (uint16_t i = 0; i < shnum; ++i) {
    size_t sh = shoff + size_t{i} * kShdrSize;
    if (Get<uint32_t>(b, sh + 4) != kShtSymtab) continue;
    uint64_t off = Get<uint64_t>(b, sh + 0x18), size = Get<uint64_t>(b, sh + 0x20);
    uint32_t link = Get<uint32_t>(b, sh + 0x28);
    if (!InBuffer(b, off, size) || link >= shnum) return;
    size_t strsh = shoff + size_t{link} * kShdrSize;
    uint64_t stroff = Get<uint64_t>(b, strsh + 0x18), strsize = Get<uint64_t>(b, strsh + 0x20);
    if (!InBuffer(b, stroff, strsize)) return;
    for (uint64_t s = 0; s + kSymSize <= size; s += kSymSize) {
      uint32_t name = Get<uint32_t>(b, off + s);
      if (name >= strsize) continue;
      const char* str = reinterpret_cast<const char*>(b.data() + stroff + name);
      size_t maxlen = strsize - name;
      uint64_t value = Get<uint64_t>(b, off + s + 8);
      if (strnlen(str, maxlen) == 6 && std::memcmp(str, "tohost", 6) == 0) out->tohost = value;
      if (strnlen(str, maxlen) == 8 && std::memcmp(str, "fromhost", 8) == 0) out->fromhost = value;
    }
    return;
  }
}

}  // namespace

bool IsElf(std::span<const uint8_t> image) {
  return image.size() >= 4 && image[0] == 0x7f && image[1] == 'E' && image[2] == 'L' && image[3] == 'F';
}

Status LoadElf(std::span<const uint8_t> b, Bus* bus, LoadedImage* out) {
  if (b.size() < kEhdrSize) return Status::Corruption("ELF file too short for its header");
  if (!IsElf(b)) return Status::InvalidArgument("not an ELF file");
  if (b[4] != 2) return Status::NotSupported("ELF is not 64-bit (ELFCLASS64 expected)");
  if (b[5] != 1) return Status::NotSupported("ELF is not little-endian");
  if (Get<uint16_t>(b, 0x12) != kEmRiscv) return Status::NotSupported("ELF is not for RISC-V (e_machine 243)");
  uint64_t phoff = Get<uint64_t>(b, 0x20);
  uint16_t phentsize = Get<uint16_t>(b, 0x36), phnum = Get<uint16_t>(b, 0x38);
  if (phnum == 0) return Status::Corruption("ELF has no program headers");
  if (phentsize != kPhdrSize || !InBuffer(b, phoff, uint64_t{phnum} * kPhdrSize))
    return Status::Corruption("ELF program headers lie outside the file");
  *out = LoadedImage{};
  out->entry = Get<uint64_t>(b, 0x18);
  out->lowest = ~0ull;
  bool any = false;
  for (uint16_t i = 0; i < phnum; ++i) {
    size_t ph = phoff + size_t{i} * kPhdrSize;
    if (Get<uint32_t>(b, ph) != kPtLoad) continue;
    uint64_t offset = Get<uint64_t>(b, ph + 0x08), paddr = Get<uint64_t>(b, ph + 0x18);
    uint64_t filesz = Get<uint64_t>(b, ph + 0x20), memsz = Get<uint64_t>(b, ph + 0x28);
    if (memsz == 0) continue;
    if (filesz > memsz || !InBuffer(b, offset, filesz))
      return Status::Corruption("ELF segment " + std::to_string(i) + " lies outside the file");
    uint8_t* host = paddr + memsz < paddr ? nullptr : bus->HostPtrForWrite(paddr, memsz);
    if (!host)
      return Status::OutOfRange("ELF segment " + std::to_string(i) + " at " + Hex(paddr) + " (" +
                                std::to_string(memsz) + " bytes) is outside guest RAM");
    std::memcpy(host, b.data() + offset, filesz);
    std::memset(host + filesz, 0, memsz - filesz);
    out->lowest = std::min(out->lowest, paddr);
    out->highest = std::max(out->highest, paddr + memsz);
    any = true;
  }
  if (!any) return Status::Corruption("ELF has no loadable segment");
  FindHtifSymbols(b, out);
  return Status::Ok();
}

Status LoadRaw(std::span<const uint8_t> image, uint64_t addr, Bus* bus, LoadedImage* out) {
  if (image.empty()) return Status::InvalidArgument("image is empty");
  uint8_t* host = bus->HostPtrForWrite(addr, image.size());
  if (!host)
    return Status::OutOfRange("image of " + std::to_string(image.size()) + " bytes does not fit in RAM at " +
                              Hex(addr));
  std::memcpy(host, image.data(), image.size());
  *out = LoadedImage{};
  out->entry = addr;
  out->lowest = addr;
  out->highest = addr + image.size();
  return Status::Ok();
}

}  // namespace tapvm
