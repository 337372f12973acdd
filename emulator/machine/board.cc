#include "emulator/machine/board.h"

#include <algorithm>
#include <cstring>
#include <deque>

#include "emulator/base/state_hasher.h"
#include "emulator/devices/virtio/virtio_mmio.h"
#include "emulator/machine/device_tree.h"

#include <xxhash.h>

namespace tapvm {

// UART0's connection to the tap: output bytes go out as console output;
// console input is kept here and fed to the UART as its FIFO has room (the
// guest reading RBR ends the run slice, after which the board refills).
class Board::Console : public CharSink, public TapInputSink {
 public:
  explicit Console(EventTap* tap) : tap_(tap) {}
  void set_uart(Uart16550* uart) { uart_ = uart; }
  void Write(uint8_t byte) override { tap_->ConsoleOutput(kConsoleTapId, std::span<const uint8_t>(&byte, 1)); }
  void OnInput(const TapInput& input) override {
    if (const auto* in = std::get_if<ConsoleIn>(&input)) {
      pending_.insert(pending_.end(), in->bytes.begin(), in->bytes.end());
      Drain();
    }
  }
  void Drain() {
    while (!pending_.empty() && uart_->ReceiveByte(pending_.front())) pending_.pop_front();
  }
  // Every byte given has been read by the guest.
  bool Consumed() const { return pending_.empty() && uart_->state().rx_count == 0; }
  // Bytes delivered but not yet in the UART's FIFO: the guest will read
  // them, so they are machine state.
  void HashState(StateHasher& h) const {
    h.Add(pending_.size());
    for (uint8_t b : pending_) h.Add(b);
  }
  void SaveState(StateWriter& w) const { w.Bytes(std::vector<uint8_t>(pending_.begin(), pending_.end())); }
  Status LoadState(StateReader& r) {
    std::vector<uint8_t> bytes = r.Bytes();
    if (!r.ok()) return r.status();
    pending_.assign(bytes.begin(), bytes.end());
    return Status::Ok();
  }

 private:
  EventTap* tap_;
  Uart16550* uart_ = nullptr;
  std::deque<uint8_t> pending_;
};

// Reports device accesses and interrupt lines to the tap as observations,
// then passes interrupt lines on to the PLIC.
class Board::Observer : public BusObserver, public IrqSink {
 public:
  Observer(EventTap* tap, IrqSink* plic) : tap_(tap), plic_(plic) {}
  void OnAccess(Space space, bool is_write, uint64_t addr, unsigned size, uint64_t value, bool ok) override {
    tap_->ObserveIo(space == Space::kPio ? EventTap::IoSpace::kPio : EventTap::IoSpace::kMmio, is_write, addr, size,
                    value);
  }
  void SetIrq(unsigned line, bool level) override {
    tap_->ObserveIrq(line, level);
    plic_->SetIrq(line, level);
  }

 private:
  EventTap* tap_;
  IrqSink* plic_;
};

IrqSink* Board::irq_controller() { return observer_.get(); }

Board::Board(const BoardConfig& config) : config_(config) {}
Board::~Board() = default;

namespace {
// The MROM reset vector (as on QEMU's virt): jumps to the firmware with
// a0 = mhartid, a1 = DTB address, a2 = &fw_dynamic_info.
//   auipc t0, 0 ; addi a2, t0, 40 ; csrr a0, mhartid
//   ld a1, 32(t0) ; ld t0, 24(t0) ; jr t0
constexpr uint32_t kResetVector[] = {0x00000297, 0x02828613, 0xf1402573, 0x0202b583, 0x0182b283, 0x00028067};
constexpr uint64_t kFwDynamicMagic = 0x4942534f;  // "OSBI"
constexpr uint64_t kFwDynamicVersion = 2;
constexpr uint64_t kNextModeS = 1;

std::string Hex(uint64_t v) {
  char b[24];
  snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}
}  // namespace

Status Board::Create(const BoardConfig& config, EventTap* tap, std::unique_ptr<Board>* out) {
  if (config.ram_size < (1 << 20) || (config.ram_size & 0xfff))
    return Status::InvalidArgument("RAM size must be at least 1 MiB and a multiple of 4 KiB");
  if (config.digest_version < kOldestStateDigestVersion || config.digest_version > kStateDigestVersion)
    return Status::NotSupported("state digest version " + std::to_string(config.digest_version) +
                                ": this tapvm computes versions " + std::to_string(kOldestStateDigestVersion) +
                                " to " + std::to_string(kStateDigestVersion));
  std::unique_ptr<Board> b(new Board(config));
  b->tap_ = tap;
  TAPVM_RETURN_IF_ERROR(b->bus_.AddMemory(config.ram_base, config.ram_size, true));
  TAPVM_RETURN_IF_ERROR(b->bus_.AddMemory(kMromBase, 0x1000, false));
  b->hart_ = std::make_unique<Hart>(&b->bus_, config.hart);
  Hart* hart = b->hart_.get();
  b->clint_ = std::make_unique<Clint>(hart);
  b->plic_ = std::make_unique<Plic>(hart);
  b->observer_ = std::make_unique<Observer>(tap, b->plic_.get());
  b->bus_.set_observer(b->observer_.get());
  tap->set_icount_source(&hart->state().icount);
  b->console_ = std::make_unique<Console>(tap);
  b->uart_ = std::make_unique<Uart16550>(b->observer_.get(), kUart0Irq, b->console_.get());
  b->console_->set_uart(b->uart_.get());
  b->finisher_ = std::make_unique<SifiveTest>();
  b->debug_exit_ = std::make_unique<DebugExit>();
  TAPVM_RETURN_IF_ERROR(b->bus_.AddMmio(kFinisherBase, SifiveTest::kSize, b->finisher_.get()));
  TAPVM_RETURN_IF_ERROR(b->bus_.AddMmio(kClintBase, 0x10000, b->clint_.get()));
  TAPVM_RETURN_IF_ERROR(b->bus_.SetPioWindow(kPioWindowBase, kPioWindowSize));
  TAPVM_RETURN_IF_ERROR(b->bus_.AddPio(DebugExit::kPort, 1, b->debug_exit_.get()));
  TAPVM_RETURN_IF_ERROR(b->bus_.AddMmio(kPlicBase, 0x4000000, b->plic_.get()));
  TAPVM_RETURN_IF_ERROR(b->bus_.AddMmio(kUart0Base, 0x100, b->uart_.get()));
  tap->AttachDevice(kConsoleTapId, b->console_.get());
  hart->AddTimedDevice(b->clint_.get());
  Clint* clint = b->clint_.get();
  hart->set_time_source([hart, clint] { return clint->GuestMtime(hart->Mtime()); });
  Board* self = b.get();
  hart->set_stop_check([self] { return self->StopCheck(); });
  *out = std::move(b);
  return Status::Ok();
}

Status Board::AddVirtioDevice(Device* dev, unsigned* slot) {
  unsigned i = static_cast<unsigned>(virtio_slots_.size());
  if (i >= kVirtioSlots) return Status::OutOfRange("all 8 virtio-mmio slots are in use");
  TAPVM_RETURN_IF_ERROR(bus_.AddMmio(kVirtioBase + kVirtioStride * i, kVirtioStride, dev));
  virtio_slots_.push_back(i);
  virtio_devices_.push_back(dev);
  *slot = i;
  return Status::Ok();
}

Status Board::AddVirtio(const std::string& name, const VirtioFactory& make, TapDeviceId* id) {
  const unsigned slot = static_cast<unsigned>(virtio_slots_.size());
  if (slot >= kVirtioSlots) return Status::OutOfRange("all 8 virtio-mmio slots are in use");
  const TapDeviceId tap_id = static_cast<TapDeviceId>(1 + slot);
  std::unique_ptr<VirtioDeviceModel> model = make(tap_id, tap_);
  if (!model) return Status::InvalidArgument("no model for " + name);
  auto transport = std::make_unique<VirtioMmio>(name, &bus_, observer_.get(), 1 + slot, model.get());
  unsigned got = 0;
  TAPVM_RETURN_IF_ERROR(AddVirtioDevice(transport.get(), &got));
  virtio_models_.push_back(std::move(model));
  virtio_transports_.push_back(std::move(transport));
  *id = tap_id;
  return Status::Ok();
}

void Board::AddTimedModel(std::unique_ptr<TimedModel> model) {
  hart_->AddTimedDevice(model.get());
  timed_models_.push_back(std::move(model));
}

void Board::RunOnCpuThread(std::function<void()> work) {
  {
    std::lock_guard<std::mutex> lock(work_mu_);
    work_.push_back(std::move(work));
    work_pending_.store(true, std::memory_order_release);
  }
  tap_->Wake();
}

void Board::RunQueuedWork() {
  std::vector<std::function<void()>> work;
  {
    std::lock_guard<std::mutex> lock(work_mu_);
    work.swap(work_);
    work_pending_.store(false, std::memory_order_relaxed);
  }
  for (auto& w : work) w();
}

Status Board::LoadProgram(std::span<const uint8_t> image) {
  if (IsElf(image)) {
    TAPVM_RETURN_IF_ERROR(LoadElf(image, &bus_, &image_));
  } else {
    TAPVM_RETURN_IF_ERROR(LoadRaw(image, config_.ram_base, &bus_, &image_));
  }
  hart_->state().pc = image_.entry;
  hart_->FlushCaches();
  return Status::Ok();
}

namespace {

// The RISC-V Linux Image header (Documentation/riscv/boot-image-header.rst):
// "RISCV\0\0\0" at offset 48 (deprecated, still written) and "RSC\x05" at
// 56. An ELF (vmlinux) or anything else is refused: loaded raw, it would
// only run garbage.
constexpr uint16_t kEmRiscv = 243;

Status CheckKernelImage(std::span<const uint8_t> k) {
  if (k.empty()) return Status::InvalidArgument("the kernel image is empty");
  if (IsElf(k)) {
    const uint16_t machine = k.size() >= 0x14 ? static_cast<uint16_t>(k[0x12] | (k[0x13] << 8)) : 0;
    if (machine != kEmRiscv)
      return Status::InvalidArgument("the kernel is an ELF file for another machine (e_machine " +
                                     std::to_string(machine) + "), not a RISC-V Linux Image");
    return Status::NotSupported("the kernel is a RISC-V ELF (vmlinux?); boot the Image (arch/riscv/boot/Image)");
  }
  static constexpr uint8_t kMagic[8] = {'R', 'I', 'S', 'C', 'V', 0, 0, 0};
  static constexpr uint8_t kMagic2[4] = {'R', 'S', 'C', 0x05};
  const bool magic = k.size() >= 56 && std::memcmp(k.data() + 48, kMagic, 8) == 0;
  const bool magic2 = k.size() >= 60 && std::memcmp(k.data() + 56, kMagic2, 4) == 0;
  if (!magic && !magic2)
    return Status::InvalidArgument("the kernel is not a RISC-V Linux Image (no RISCV magic in its header)");
  return Status::Ok();
}

}  // namespace

Status Board::SetupLinuxBoot(const LinuxBootImages& img) {
  const uint64_t ram_end = config_.ram_base + config_.ram_size;
  if (img.firmware.empty()) return Status::InvalidArgument("the firmware image is empty");
  TAPVM_RETURN_IF_ERROR(CheckKernelImage(img.kernel));
  LoadedImage fw;
  if (IsElf(img.firmware)) {
    TAPVM_RETURN_IF_ERROR(LoadElf(img.firmware, &bus_, &fw));
  } else {
    TAPVM_RETURN_IF_ERROR(LoadRaw(img.firmware, config_.ram_base, &bus_, &fw));
  }
  if (fw.highest > config_.ram_base + kKernelOffset)
    return Status::InvalidArgument("firmware overlaps the kernel at " + Hex(config_.ram_base + kKernelOffset));
  const uint64_t kernel_addr = config_.ram_base + kKernelOffset;
  LoadedImage kernel;
  Status st = LoadRaw(img.kernel, kernel_addr, &bus_, &kernel);
  if (!st.ok()) return Status::OutOfRange("kernel does not fit in RAM: " + st.message());

  DeviceTreeConfig dt;
  dt.ram_base = config_.ram_base;
  dt.ram_size = config_.ram_size;
  dt.bootargs = img.bootargs;
  dt.virtio_slots = virtio_slots_;
  dt.timebase_hz = kTimebaseHz;
  if (!img.initrd.empty()) {
    // As QEMU does: half of RAM (at most 128 MiB) above the kernel.
    uint64_t start = kernel_addr + std::min<uint64_t>(config_.ram_size / 2, 128ull << 20);
    start = std::max<uint64_t>(start, (kernel.highest + 0xfff) & ~uint64_t{0xfff});
    if (start + img.initrd.size() + (2 << 20) > ram_end)
      return Status::OutOfRange("initrd of " + std::to_string(img.initrd.size()) + " bytes does not fit in RAM");
    LoadedImage initrd;
    TAPVM_RETURN_IF_ERROR(LoadRaw(img.initrd, start, &bus_, &initrd));
    dt.initrd_start = start;
    dt.initrd_end = start + img.initrd.size();
  }
  TAPVM_RETURN_IF_ERROR(BuildDeviceTree(dt, &dtb_));
  // The device tree at the end of RAM, 2 MiB aligned, as QEMU does.
  uint64_t dtb_addr = (ram_end - dtb_.size()) & ~((2ull << 20) - 1);
  if (dtb_addr < std::max(kernel.highest, dt.initrd_end)) return Status::OutOfRange("no room for the device tree");
  TAPVM_RETURN_IF_ERROR(LoadRaw(dtb_, dtb_addr, &bus_, &image_));

  // MROM: reset vector, then start address, DTB address, fw_dynamic_info.
  uint8_t* rom = bus_.FindMemoryForWrite(kMromBase)->host();
  std::memset(rom, 0, 0x1000);
  std::memcpy(rom, kResetVector, sizeof kResetVector);
  const uint64_t words[] = {fw.entry, dtb_addr, kFwDynamicMagic, kFwDynamicVersion, kernel_addr, kNextModeS, 0, 0};
  std::memcpy(rom + 24, words, sizeof words);
  image_ = fw;
  hart_->state().pc = kMromBase;
  hart_->FlushCaches();
  return Status::Ok();
}

bool Board::StopCheck() {
  // A stop point the tap learnt of during the slice (a stream replay that
  // waited for its next event) lowers the limit: the slice must end.
  return AfterSlice() || tap_->InputPending() || work_pending_.load(std::memory_order_acquire) ||
         tap_->StopIcount() < slice_limit_;
}

bool Board::AfterSlice() {
  console_->Drain();
  if (has_finished_) return true;
  if (quit_requested_.load(std::memory_order_relaxed)) {
    has_finished_ = true;
    finished_ = {RunResult::Kind::kQuit, 0};
    return true;
  }
  FinishRequest req = finisher_->request();
  if (req.kind != FinishRequest::kNone) {
    finisher_->Clear();
    has_finished_ = true;
    switch (req.kind) {
      case FinishRequest::kPass: finished_ = {RunResult::Kind::kPass, 0}; break;
      case FinishRequest::kFail: finished_ = {RunResult::Kind::kFail, req.code}; break;
      default: finished_ = {RunResult::Kind::kReset, 0}; break;
    }
    return true;
  }
  if (auto code = debug_exit_->exit_code()) {
    has_finished_ = true;
    finished_ = {RunResult::Kind::kExit, *code};
    return true;
  }
  if (image_.tohost) {
    const uint8_t* p = bus_.HostPtr(*image_.tohost, 8);
    uint64_t v = 0;
    if (p) std::memcpy(&v, p, 8);
    if (v == 0) return false;
    if ((v & 1) && (v >> 48) == 0) {
      // riscv-tests convention: 1 = pass, (code << 1) | 1 = fail.
      has_finished_ = true;
      finished_ = v == 1 ? RunResult{RunResult::Kind::kPass, 0}
                         : RunResult{RunResult::Kind::kFail, static_cast<uint32_t>(v >> 1)};
      return true;
    }
    // Console write request (device 1, command 1): print and acknowledge.
    if ((v >> 56) == 1 && ((v >> 48) & 0xff) == 1) {
      uint8_t c = static_cast<uint8_t>(v);
      tap_->ConsoleOutput(kConsoleTapId, std::span<const uint8_t>(&c, 1));
    }
    std::memset(bus_.HostPtrForWrite(*image_.tohost, 8), 0, 8);  // p was in RAM: v != 0
    if (image_.fromhost)
      if (uint8_t* f = bus_.HostPtrForWrite(*image_.fromhost, 8)) {
        uint64_t ack = (v >> 48) << 48 | 1;
        std::memcpy(f, &ack, 8);
      }
  }
  return false;
}

uint64_t Board::RamDigestV3() const {
  StateHasher ram;
  for (const Bus::MemoryRegion& m : bus_.memory()) {
    ram.Add(m.base()).Add(m.size());
    if (!m.tracks_pages()) {  // ROM: small, hashed whole
      ram.AddRaw(m.host(), m.size());
      continue;
    }
    for (uint64_t page = 0; page < m.size() / Bus::kPageSize; ++page) {
      if (!m.Touched(page)) continue;
      const uint8_t* p = m.host() + page * Bus::kPageSize;
      if (!Bus::IsZeroPage(p)) ram.Add(m.base() + page * Bus::kPageSize).AddRaw(p, Bus::kPageSize);
    }
  }
  return ram.Digest();
}

uint64_t Board::RamDigestV4() {
  static const uint64_t kZeroPageHash = [] {
    static const uint8_t zeros[Bus::kPageSize] = {};
    return StateHasher::HashOf(zeros, sizeof zeros);
  }();
  const std::vector<Bus::MemoryRegion>& regions = bus_.memory();
  page_hashes_.resize(regions.size());
  StateHasher ram;
  for (size_t r = 0; r < regions.size(); ++r) {
    const Bus::MemoryRegion& m = regions[r];
    ram.Add(m.base()).Add(m.size());
    if (!m.tracks_pages()) {  // ROM: small, hashed whole
      ram.AddRaw(m.host(), m.size());
      continue;
    }
    const uint64_t pages = m.size() / Bus::kPageSize;
    std::vector<uint64_t>& hashes = page_hashes_[r];
    hashes.resize(pages, 0);
    for (uint64_t page = 0; page < pages; ++page) {
      if (!m.Touched(page)) continue;
      if (m.Rehash(page)) {
        // A page of zeros is told by its hash (a non-zero page with the
        // same 64-bit hash is as unlikely as any digest collision).
        const uint64_t h = StateHasher::HashOf(m.host() + page * Bus::kPageSize, Bus::kPageSize);
        hashes[page] = h == kZeroPageHash ? 0 : h;
      }
      if (hashes[page] != 0) ram.Add(m.base() + page * Bus::kPageSize).Add(hashes[page]);
    }
  }
  // The hashes hold until a page is written: every writer but the hart's
  // write TLB asks the bus for a pointer each time, which marks the page.
  bus_.ClearRehash();
  hart_->DropWriteTlbs();
  return ram.Digest();
}

MachineDigest Board::ComputeDigest() {
  MachineDigest d;
  d.hart = hart_->StateDigest();
  d.ram = config_.digest_version >= 4 ? RamDigestV4() : RamDigestV3();
  {
    StateHasher dev;
    clint_->HashState(dev);
    plic_->HashState(dev);
    uart_->HashState(dev);
    console_->HashState(dev);
    finisher_->HashState(dev);
    debug_exit_->HashState(dev);
    for (const Device* v : virtio_devices_) v->HashState(dev);
    for (const auto& m : timed_models_) m->HashState(dev);
    d.devices = dev.Digest();
  }
  StateHasher all;
  all.Add(config_.digest_version).Add(d.hart).Add(d.ram).Add(d.devices);
  d.value = all.Digest();
  return d;
}

void Board::SaveDevices(StateWriter& w) const {
  w.Begin("board");
  w.Bool(has_finished_).Put(finished_.kind).Put(finished_.code).Put(last_digest_icount_);
  w.End();
  w.Begin("console");
  console_->SaveState(w);
  w.End();
  const Device* fixed[] = {clint_.get(), plic_.get(), uart_.get(), finisher_.get(), debug_exit_.get()};
  for (const Device* d : fixed) {
    w.Begin(d->name());
    d->SaveState(w);
    w.End();
  }
  for (const Device* d : virtio_devices_) {
    w.Begin(d->name());
    d->SaveState(w);
    w.End();
  }
  for (const auto& m : timed_models_) {
    w.Begin(m->name());
    m->SaveState(w);
    w.End();
  }
}

Status Board::LoadDevices(StateReader& r) {
  r.Enter("board");
  const bool has_finished = r.Bool();
  const auto kind = r.Get<RunResult::Kind>();
  const uint32_t code = r.Get<uint32_t>();
  const uint64_t last_digest_icount = r.Get<uint64_t>();
  if (r.ok() && static_cast<unsigned>(kind) > static_cast<unsigned>(RunResult::Kind::kQuit)) r.Fail("unknown run end");
  r.Leave();
  if (!r.ok()) return r.status();
  has_finished_ = has_finished;
  finished_ = {kind, code};
  last_digest_icount_ = last_digest_icount;
  // Each component reads its own section; a section of another name, or
  // one read short, stops the load there.
  auto load = [&r](std::string_view name, auto* component) -> Status {
    r.Enter(name);
    if (!r.ok()) return r.status();
    TAPVM_RETURN_IF_ERROR(component->LoadState(r));
    r.Leave();
    return r.status();
  };
  TAPVM_RETURN_IF_ERROR(load("console", console_.get()));
  Device* fixed[] = {clint_.get(), plic_.get(), uart_.get(), finisher_.get(), debug_exit_.get()};
  for (Device* d : fixed) TAPVM_RETURN_IF_ERROR(load(d->name(), d));
  for (Device* d : virtio_devices_) TAPVM_RETURN_IF_ERROR(load(d->name(), d));
  for (auto& m : timed_models_) TAPVM_RETURN_IF_ERROR(load(m->name(), m.get()));
  if (!r.at_end()) r.Fail(std::to_string(r.remaining()) + " bytes after the last device (a device this machine lacks?)");
  return r.status();
}

std::vector<std::pair<std::string, uint64_t>> Board::ComponentDigests() const {
  std::vector<std::pair<std::string, uint64_t>> out;
  auto add = [&out](std::string_view name, const auto& component) {
    StateHasher h;
    component.HashState(h);
    out.emplace_back(std::string(name), h.Digest());
  };
  {
    StateHasher h;
    h.Add(has_finished_).Add(finished_.kind).Add(finished_.code).Add(last_digest_icount_);
    out.emplace_back("board", h.Digest());
  }
  add("console", *console_);
  const Device* fixed[] = {clint_.get(), plic_.get(), uart_.get(), finisher_.get(), debug_exit_.get()};
  for (const Device* d : fixed) add(d->name(), *d);
  for (const Device* d : virtio_devices_) add(d->name(), *d);
  for (const auto& m : timed_models_) add(m->name(), *m);
  return out;
}

const char* RunEndName(RunResult::Kind kind) {
  switch (kind) {
    case RunResult::Kind::kPass: return "power-off";
    case RunResult::Kind::kFail: return "fail";
    case RunResult::Kind::kReset: return "reset";
    case RunResult::Kind::kExit: return "debug-exit";
    case RunResult::Kind::kLimit: return "limit";
    case RunResult::Kind::kIdle: return "idle";
    case RunResult::Kind::kStuck: return "stuck";
    case RunResult::Kind::kQuit: return "quit";
    case RunResult::Kind::kDebug: return "debug-stop";
  }
  return "?";
}

void Board::DigestIfDue() {
  const uint64_t interval = config_.digest_interval;
  const uint64_t icount = hart_->state().icount;
  if (interval && icount && icount % interval == 0 && icount != last_digest_icount_) {
    last_digest_icount_ = icount;
    tap_->ObserveDigest(ComputeDigest());
  }
}

RunResult Board::RunUntil(uint64_t max_icount, uint64_t time_bound) {
  const uint64_t interval = config_.digest_interval;
  while (!has_finished_) {
    if (work_pending_.load(std::memory_order_acquire)) {
      RunQueuedWork();
      if (AfterSlice()) break;
    }
    HartState& s = hart_->state();
    // Digests first, inputs second: the same order in every mode.
    DigestIfDue();
    if (tap_->DeliverDue(s.icount)) console_->Drain();
    uint64_t limit = std::min({max_icount, tap_->NextInputIcount(), tap_->StopIcount()});
    if (interval) limit = std::min(limit, (s.icount / interval + 1) * interval);
    slice_limit_ = limit;
    StopReason r = hart_->Run(limit);
    if (AfterSlice()) break;
    if (r == StopReason::kDeviceRequest) continue;  // inputs are waiting
    // Nothing is due at a debug stop: the next Run starts as this one would
    // have gone on (digests, inputs, then the hart).
    if (r == StopReason::kDebug) return {RunResult::Kind::kDebug, 0};
    if (r == StopReason::kStuck) return {RunResult::Kind::kStuck, 0};
    if (r == StopReason::kLimit && s.icount >= tap_->StopIcount() && s.icount < max_icount) {
      DigestIfDue();  // a periodic digest there is not the stop
      if (s.icount >= tap_->StopIcount()) return {RunResult::Kind::kLimit, 0};
      continue;
    }
    if (r == StopReason::kLimit && s.icount >= max_icount) {
      DigestIfDue();
      if (tap_->DeliverDue(s.icount)) console_->Drain();
      if (s.waiting && tap_->IdleAnswerReady()) {
        const uint64_t to = tap_->Idle(hart_->Mtime(), hart_->NextTimerDeadline());
        if (to == UINT64_MAX) return {RunResult::Kind::kIdle, 0};
        hart_->WarpTo(to);
      }
      if (AfterSlice()) break;
      return {RunResult::Kind::kLimit, 0};
    }
    if (r == StopReason::kIdle) {
      if (quit_when_idle_.load(std::memory_order_relaxed) && console_->Consumed()) {
        has_finished_ = true;
        finished_ = {RunResult::Kind::kQuit, 0};
        break;
      }
      uint64_t now = hart_->Mtime();
      uint64_t deadline = hart_->NextTimerDeadline();
      const unsigned shift = hart_->config().time_shift;
      const bool bounded = time_bound <= (UINT64_MAX >> 1);
      if (bounded && (deadline != UINT64_MAX || tap_->InputPossible())) {
        // The mtime at which virtual time reaches time_bound instructions.
        const uint64_t cap = (time_bound + (uint64_t{1} << shift) - 1) >> shift;
        deadline = std::min(deadline, std::max(cap, now));
      }
      uint64_t to = tap_->Idle(now, deadline);
      if (to == UINT64_MAX) return {RunResult::Kind::kIdle, 0};
      hart_->WarpTo(to);
      if (AfterSlice()) break;
      if (bounded && s.icount + s.idle_warp >= time_bound) return {RunResult::Kind::kLimit, 0};
    }
  }
  return finished_;
}

}  // namespace tapvm
