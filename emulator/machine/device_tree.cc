#include "emulator/machine/device_tree.h"

#include <libfdt.h>

#include <cstring>

namespace tapvm {

namespace {

constexpr uint32_t kPhandleCpu = 1, kPhandleCpuIntc = 2, kPhandlePlic = 3, kPhandleTest = 4;

// Sequential-write helper: the first libfdt error sticks and is reported once.
class FdtWriter {
 public:
  explicit FdtWriter(std::vector<uint8_t>* buf) : buf_(buf) {
    buf_->assign(64 * 1024, 0);
    Check(fdt_create(buf_->data(), static_cast<int>(buf_->size())));
    Check(fdt_finish_reservemap(buf_->data()));
  }
  void Begin(const std::string& name) { Check(fdt_begin_node(buf_->data(), name.c_str())); }
  void End() { Check(fdt_end_node(buf_->data())); }
  void Str(const char* name, const std::string& v) { Check(fdt_property_string(buf_->data(), name, v.c_str())); }
  // A string list: "a\0b\0".
  void Strs(const char* name, std::initializer_list<const char*> list) {
    std::string all;
    for (const char* s : list) all.append(s).push_back('\0');
    Check(fdt_property(buf_->data(), name, all.data(), static_cast<int>(all.size())));
  }
  void U32(const char* name, uint32_t v) { Check(fdt_property_u32(buf_->data(), name, v)); }
  void Cells(const char* name, std::initializer_list<uint32_t> cells) {
    std::vector<uint32_t> be;
    for (uint32_t c : cells) be.push_back(cpu_to_fdt32(c));
    Check(fdt_property(buf_->data(), name, be.data(), static_cast<int>(be.size() * 4)));
  }
  void Empty(const char* name) { Check(fdt_property(buf_->data(), name, nullptr, 0)); }
  // A reg property with 2 address and 2 size cells.
  void Reg(uint64_t base, uint64_t size) {
    Cells("reg", {Hi(base), Lo(base), Hi(size), Lo(size)});
  }
  void U64(const char* name, uint64_t v) { Cells(name, {Hi(v), Lo(v)}); }
  Status Finish() {
    Check(fdt_finish(buf_->data()));
    if (err_ != 0) return Status::InvalidArgument(std::string("device tree: ") + fdt_strerror(err_));
    buf_->resize(fdt_totalsize(buf_->data()));
    return Status::Ok();
  }

 private:
  static uint32_t Hi(uint64_t v) { return static_cast<uint32_t>(v >> 32); }
  static uint32_t Lo(uint64_t v) { return static_cast<uint32_t>(v); }
  void Check(int rc) {
    if (rc < 0 && err_ == 0) err_ = rc;
  }
  std::vector<uint8_t>* buf_;
  int err_ = 0;
};

std::string Hex(uint64_t v) {
  char b[24];
  snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(v));
  return b;
}

}  // namespace

Status BuildDeviceTree(const DeviceTreeConfig& c, std::vector<uint8_t>* dtb) {
  FdtWriter w(dtb);
  w.Begin("");
  w.U32("#address-cells", 2);
  w.U32("#size-cells", 2);
  w.Str("compatible", "riscv-virtio");
  w.Str("model", "tapvm,virt");

  w.Begin("chosen");
  w.Str("stdout-path", "/soc/serial@10000000");
  if (!c.bootargs.empty()) w.Str("bootargs", c.bootargs);
  if (c.initrd_end > c.initrd_start) {
    w.U64("linux,initrd-start", c.initrd_start);
    w.U64("linux,initrd-end", c.initrd_end);
  }
  w.End();

  w.Begin("memory@" + Hex(c.ram_base));
  w.Str("device_type", "memory");
  w.Reg(c.ram_base, c.ram_size);
  w.End();

  w.Begin("cpus");
  w.U32("#address-cells", 1);
  w.U32("#size-cells", 0);
  w.U32("timebase-frequency", c.timebase_hz);
  w.Begin("cpu@0");
  w.U32("phandle", kPhandleCpu);
  w.Str("device_type", "cpu");
  w.U32("reg", 0);
  w.Str("status", "okay");
  w.Str("compatible", "riscv");
  w.Str("riscv,isa", c.isa);
  w.Str("mmu-type", c.mmu_type);
  w.Begin("interrupt-controller");
  w.U32("#interrupt-cells", 1);
  w.Empty("interrupt-controller");
  w.Str("compatible", "riscv,cpu-intc");
  w.U32("phandle", kPhandleCpuIntc);
  w.End();
  w.End();  // cpu@0
  w.End();  // cpus

  w.Begin("poweroff");
  w.U32("value", 0x5555);
  w.U32("offset", 0);
  w.U32("regmap", kPhandleTest);
  w.Str("compatible", "syscon-poweroff");
  w.End();
  w.Begin("reboot");
  w.U32("value", 0x7777);
  w.U32("offset", 0);
  w.U32("regmap", kPhandleTest);
  w.Str("compatible", "syscon-reboot");
  w.End();

  w.Begin("soc");
  w.U32("#address-cells", 2);
  w.U32("#size-cells", 2);
  w.Str("compatible", "simple-bus");
  w.Empty("ranges");

  w.Begin("test@100000");
  w.U32("phandle", kPhandleTest);
  w.Reg(0x100000, 0x1000);
  w.Strs("compatible", {"sifive,test1", "sifive,test0", "syscon"});
  w.End();

  w.Begin("clint@2000000");
  w.Cells("interrupts-extended", {kPhandleCpuIntc, 3, kPhandleCpuIntc, 7});
  w.Reg(0x2000000, 0x10000);
  w.Strs("compatible", {"sifive,clint0", "riscv,clint0"});
  w.End();

  w.Begin("plic@c000000");
  w.U32("phandle", kPhandlePlic);
  w.U32("riscv,ndev", 95);
  w.Reg(0xc000000, 0x600000);
  w.Cells("interrupts-extended", {kPhandleCpuIntc, 11, kPhandleCpuIntc, 9});
  w.Empty("interrupt-controller");
  w.Strs("compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
  w.U32("#address-cells", 0);
  w.U32("#interrupt-cells", 1);
  w.End();

  w.Begin("serial@10000000");
  w.U32("interrupts", 10);
  w.U32("interrupt-parent", kPhandlePlic);
  w.U32("clock-frequency", 3686400);
  w.Reg(0x10000000, 0x100);
  w.Str("compatible", "ns16550a");
  w.End();

  for (unsigned slot : c.virtio_slots) {
    uint64_t base = 0x10001000 + 0x1000ull * slot;
    w.Begin("virtio_mmio@" + Hex(base));
    w.U32("interrupts", 1 + slot);
    w.U32("interrupt-parent", kPhandlePlic);
    w.Reg(base, 0x1000);
    w.Str("compatible", "virtio,mmio");
    w.End();
  }
  w.End();  // soc
  w.End();  // root
  return w.Finish();
}

}  // namespace tapvm
