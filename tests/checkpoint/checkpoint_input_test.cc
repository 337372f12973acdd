// Checkpoints as untrusted input, checkpoints of another machine, and the
// dirty-page tracker behind incremental checkpoints.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "emulator/machine/checkpoint.h"
#include "emulator/machine/machine_builder.h"
#include "tests/checkpoint/checkpoint_machine.h"

namespace tapvm::ckpt_test {
namespace {

std::vector<uint8_t> Encoded(const MachineCheckpoint& c) {
  std::vector<uint8_t> b;
  EXPECT_TRUE(EncodeCheckpoint(c, &b).ok());
  return b;
}

MachineCheckpoint Full(Machine& m) {
  MachineCheckpoint c;
  EXPECT_TRUE(m.board->SaveCheckpoint(MachineCheckpoint::Kind::kFull, &c).ok());
  return c;
}

TEST(StateIo, ReaderStaysInsideItsInputAndSaysWhere) {
  StateWriter w;
  w.Begin("outer");
  w.Put<uint32_t>(7).Bool(true).String("abc");
  w.Begin("inner");
  w.Put<uint16_t>(0x1234);
  w.End();
  w.End();
  const std::vector<uint8_t> b = w.Take();
  {
    StateReader r(b, "test");
    r.Enter("outer");
    EXPECT_EQ(r.Get<uint32_t>(), 7u);
    EXPECT_TRUE(r.Bool());
    EXPECT_EQ(r.String(), "abc");
    EXPECT_EQ(r.PeekSection(), "inner");
    r.Enter("inner");
    EXPECT_EQ(r.Get<uint16_t>(), 0x1234);
    EXPECT_EQ(r.Get<uint8_t>(), 0);  // past the section's end: fails, reads zero
    EXPECT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("section outer/inner"), std::string::npos) << r.status().ToString();
    EXPECT_NE(r.status().message().find("truncated"), std::string::npos);
  }
  {
    StateReader r(b, "test");
    r.Enter("other");
    EXPECT_NE(r.status().message().find("expected section 'other', found 'outer'"), std::string::npos);
  }
  {
    StateReader r(b, "test");
    r.Enter("outer");
    (void)r.Get<uint32_t>();
    r.Leave();  // not read to its end
    EXPECT_NE(r.status().message().find("left unread"), std::string::npos);
  }
  {
    // A count or a length larger than what is left is refused before any
    // allocation.
    StateWriter h;
    h.Put<uint64_t>(1ull << 60).Put<uint64_t>(1ull << 60);
    const std::vector<uint8_t> hb = h.Take();
    StateReader r(hb, "test");
    EXPECT_EQ(r.Count(UINT64_MAX, 1), 0u);
    EXPECT_FALSE(r.ok());
    StateReader r2(hb, "test");
    EXPECT_TRUE(r2.Bytes().empty());
    EXPECT_FALSE(r2.ok());
    StateReader r3(std::span<const uint8_t>(hb.data(), 1), "test");
    EXPECT_EQ(r3.String(), "");
    EXPECT_FALSE(r3.ok());
  }
}

TEST(CheckpointInput, TruncatedOrDamagedBytesAreRefused) {
  Machine a;
  a.Drive();
  const std::vector<uint8_t> good = Encoded(Full(a));
  MachineCheckpoint out;
  ASSERT_TRUE(DecodeCheckpoint(good, &out).ok());
  // Every length short of the whole.
  for (size_t n = 0; n < good.size(); n += (n < 4096 ? 1 : 997)) {
    Status st = DecodeCheckpoint(std::span<const uint8_t>(good.data(), n), &out);
    EXPECT_FALSE(st.ok()) << n;
  }
  // A flipped bit anywhere.
  std::mt19937 rnd(7);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> bad = good;
    bad[rnd() % bad.size()] ^= static_cast<uint8_t>(1u << (rnd() % 8));
    Status st = DecodeCheckpoint(bad, &out);
    EXPECT_FALSE(st.ok());
    EXPECT_TRUE(st.code() == Status::Code::kCorruption || st.code() == Status::Code::kNotSupported) << st.ToString();
  }
  EXPECT_FALSE(DecodeCheckpoint(std::vector<uint8_t>{'n', 'o', 'p', 'e'}, &out).ok());
}

// Hostile contents behind a good checksum: every byte of the hart's and
// the devices' parts, set to values that break invariants, is refused or
// loaded, never a crash (the ASan build runs this too), and the machine
// loads the good checkpoint afterwards.
TEST(CheckpointInput, HostileContentsNeverCrash) {
  Machine a;
  a.Drive();
  const MachineCheckpoint good = Full(a);
  const uint64_t digest = a.board->ComputeDigest().value;
  Machine b;
  int refused = 0, tried = 0;
  for (std::vector<uint8_t> MachineCheckpoint::*part : {&MachineCheckpoint::hart, &MachineCheckpoint::devices}) {
    const size_t n = (good.*part).size();
    for (size_t i = 0; i < n; i += (part == &MachineCheckpoint::hart ? 3 : 1)) {
      for (uint8_t v : {uint8_t{0xff}, uint8_t{0x80}}) {
        MachineCheckpoint bad = good;
        (bad.*part)[i] = v;
        MachineCheckpoint decoded;
        ASSERT_TRUE(DecodeCheckpoint(Encoded(bad), &decoded).ok());
        ++tried;
        if (!b.board->RestoreCheckpoint(decoded).ok()) ++refused;
      }
    }
  }
  EXPECT_GT(refused, tried / 4);
  ASSERT_TRUE(b.board->RestoreCheckpoint(good).ok());
  EXPECT_EQ(b.board->ComputeDigest().value, digest);
  // Truncated parts.
  MachineCheckpoint cut = good;
  cut.devices.resize(cut.devices.size() / 2);
  Status st = b.board->RestoreCheckpoint(cut);
  EXPECT_EQ(st.code(), Status::Code::kCorruption) << st.ToString();
  cut = good;
  cut.hart.pop_back();
  EXPECT_EQ(b.board->RestoreCheckpoint(cut).code(), Status::Code::kCorruption);
  // A page outside RAM.
  cut = good;
  cut.pages.push_back({0x4000000000, std::vector<uint8_t>(4096, 1)});
  st = b.board->RestoreCheckpoint(cut);
  EXPECT_EQ(st.code(), Status::Code::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find("outside"), std::string::npos);
}

TEST(CheckpointInput, ADeviceSectionOutOfPlaceIsNamed) {
  Machine a;
  MachineCheckpoint c = Full(a);
  auto sections = Sections(c.devices);
  std::swap(sections[2], sections[3]);  // clint and plic
  StateWriter w;
  for (auto& [name, payload] : sections) {
    w.Begin(name);
    w.Raw(payload.data(), payload.size());
    w.End();
  }
  c.devices = w.Take();
  Status st = a.board->RestoreCheckpoint(c);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find("expected section 'clint', found 'plic'"), std::string::npos) << st.ToString();
}

TEST(CheckpointIdentity, AnotherMachineIsRefusedWithTheDifference) {
  Machine a;
  const MachineCheckpoint c = Full(a);
  // Other RAM size.
  {
    FakeTap tap;
    std::unique_ptr<Board> b;
    BoardConfig cfg;
    cfg.ram_size = kRamSize * 2;
    ASSERT_TRUE(Board::Create(cfg, &tap, &b).ok());
    Status st = b->RestoreCheckpoint(c);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
    EXPECT_NE(st.message().find("another machine"), std::string::npos) << st.ToString();
    EXPECT_NE(st.message().find("ram"), std::string::npos) << st.ToString();
  }
  // Built from configurations: another kernel command line, another image.
  auto build = [](const std::string& bootargs, uint8_t firmware_byte, FakeTap* tap, std::unique_ptr<Board>* b) {
    MachineConfig config;
    config.ram_size = 8 << 20;
    config.firmware = "fw";
    config.bootargs = bootargs;
    BootImages images;
    images.firmware = {0x13, 0, 0, firmware_byte};
    MachineLayout layout;
    Status st = BuildMachine(config, images, {}, tap, b, &layout);
    ASSERT_TRUE(st.ok()) << st.ToString();
  };
  FakeTap t1, t2, t3, t4;
  std::unique_ptr<Board> b1, b2, b3, b4;
  build("one", 0, &t1, &b1);
  build("two", 0, &t2, &b2);
  build("one", 1, &t3, &b3);
  build("one", 0, &t4, &b4);
  MachineCheckpoint c1;
  ASSERT_TRUE(b1->SaveCheckpoint(MachineCheckpoint::Kind::kFull, &c1).ok());
  Status st = b2->RestoreCheckpoint(c1);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("bootargs: 'one' in the checkpoint, 'two' here"), std::string::npos) << st.ToString();
  st = b3->RestoreCheckpoint(c1);
  EXPECT_NE(st.message().find("firmware"), std::string::npos) << st.ToString();
  EXPECT_TRUE(b4->RestoreCheckpoint(c1).ok());
  // An identity changed after the fact does not match its hash.
  MachineCheckpoint forged = c1;
  forged.identity[0].second = "x";
  MachineCheckpoint out;
  EXPECT_FALSE(DecodeCheckpoint(Encoded(forged), &out).ok());
}

// ---------------------------------------------------------------- dirty pages

// A program that stores x7 (counting) at the address in a0, forever: the
// test moves a0 between pages so the stores hit the write TLB.
std::vector<uint32_t> StoreAtA0() { return {Sd(7, 10, 0), Addi(7, 7, 1), Jal(0, -8)}; }

class DirtyPages : public ::testing::TestWithParam<EngineKind> {};

TEST_P(DirtyPages, IncrementalListsExactlyThePagesWrittenSince) {
  Machine m(GetParam());
  const std::vector<uint32_t> prog = StoreAtA0();
  std::memcpy(m.board->bus().HostPtrForWrite(kProgram, prog.size() * 4), prog.data(), prog.size() * 4);
  m.board->hart().state().pc = kProgram;
  m.board->hart().FlushCaches();
  const uint64_t page_a = kData, page_b = kData + 0x1000, page_c = kData + 0x3000;
  auto store_at = [&](uint64_t addr, uint64_t insns) {
    m.board->hart().state().x[10] = addr;
    m.Run(insns);
  };
  store_at(page_a, 3000);
  store_at(page_b, 3000);
  MachineCheckpoint full = Full(m);
  // Page A again: its write TLB entry was filled before the checkpoint, so
  // only the tracker's reset makes these stores visible.
  store_at(page_a + 8, 3000);
  MachineCheckpoint inc1;
  ASSERT_TRUE(m.board->SaveCheckpoint(MachineCheckpoint::Kind::kIncremental, &inc1).ok());
  std::set<uint64_t> pages;
  for (const CheckpointPage& p : inc1.pages) pages.insert(p.addr);
  EXPECT_EQ(pages, (std::set<uint64_t>{page_a})) << "the stores hit the write TLB unseen";
  EXPECT_EQ(inc1.parent_icount, full.icount);
  // DMA (a virtio completion into a buffer) and page C.
  store_at(page_c, 3000);
  m.tap.Inject(Board::kConsoleTapId, ConsoleIn{Board::kConsoleTapId, {'z'}});
  MachineCheckpoint inc2;
  ASSERT_TRUE(m.board->SaveCheckpoint(MachineCheckpoint::Kind::kIncremental, &inc2).ok());
  pages.clear();
  for (const CheckpointPage& p : inc2.pages) pages.insert(p.addr);
  EXPECT_EQ(pages, (std::set<uint64_t>{page_c}));
  // A page written back to zeros is listed, as zeros.
  std::memset(m.board->bus().HostPtrForWrite(page_b, 4096), 0, 4096);
  MachineCheckpoint inc3;
  ASSERT_TRUE(m.board->SaveCheckpoint(MachineCheckpoint::Kind::kIncremental, &inc3).ok());
  ASSERT_EQ(inc3.pages.size(), 1u);
  EXPECT_EQ(inc3.pages[0].addr, page_b);
  EXPECT_TRUE(inc3.pages[0].bytes.empty());

  // The chain folds into the full checkpoint of the last one.
  const uint64_t digest = m.board->ComputeDigest().value;
  MachineCheckpoint merged = full;
  EXPECT_FALSE(ApplyIncrement(&merged, inc2).ok());  // out of order
  ASSERT_TRUE(ApplyIncrement(&merged, inc1).ok());
  ASSERT_TRUE(ApplyIncrement(&merged, inc2).ok());
  ASSERT_TRUE(ApplyIncrement(&merged, inc3).ok());
  Machine fresh(GetParam());
  ASSERT_TRUE(fresh.board->RestoreCheckpoint(merged).ok());
  EXPECT_EQ(fresh.board->ComputeDigest().value, digest);
  // An incremental checkpoint alone is not restorable.
  EXPECT_FALSE(fresh.board->RestoreCheckpoint(inc1).ok());
}

TEST_P(DirtyPages, DeviceDmaMarksPages) {
  Machine m(GetParam());
  m.Drive();
  const std::vector<BlockRequest> reqs = m.tap.block;
  (void)Full(m);
  // A read completion writes its data and status into guest buffers, and
  // the used ring.
  for (const BlockRequest& r : reqs)
    m.tap.Inject(m.blk_id, BlockCompletion{m.blk_id, r.id, BlockCompletion::Status::kOk,
                                           IoBytes(r.type == BlockRequest::Type::kRead ? r.length : 0, 5)});
  MachineCheckpoint inc;
  ASSERT_TRUE(m.board->SaveCheckpoint(MachineCheckpoint::Kind::kIncremental, &inc).ok());
  std::set<uint64_t> pages;
  for (const CheckpointPage& p : inc.pages) pages.insert(p.addr);
  EXPECT_TRUE(pages.count(kBufBase)) << "read data buffer";
  EXPECT_TRUE(pages.count(kRamBase + 0x10000)) << "used ring";
}

TEST(DirtyPages, IncrementalNeedsABase) {
  Machine m;
  MachineCheckpoint c;
  EXPECT_EQ(m.board->SaveCheckpoint(MachineCheckpoint::Kind::kIncremental, &c).code(),
            Status::Code::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Engines, DirtyPages, ::testing::Values(EngineKind::kInterpreter, EngineKind::kJit),
                         [](const auto& info) { return std::string(EngineKindName(info.param)); });

// Re-submission after a restore into a live machine: the requests the
// restored devices hold go to the new tap, those held by the throttle do
// not, and the entropy request is made again.
TEST(CheckpointLive, ResubmitInFlightAsksTheNewTapAgain) {
  Machine a;
  a.Drive();
  const std::vector<BlockRequest> at_tap = a.tap.block;
  const MachineCheckpoint c = Full(a);
  Machine b;
  ASSERT_TRUE(b.board->RestoreCheckpoint(c).ok());
  b.board->ResubmitInFlight();
  ASSERT_EQ(b.tap.block.size(), at_tap.size());
  for (size_t i = 0; i < at_tap.size(); ++i) {
    EXPECT_EQ(b.tap.block[i].id, at_tap[i].id);
    EXPECT_EQ(b.tap.block[i].type, at_tap[i].type);
    EXPECT_EQ(b.tap.block[i].offset, at_tap[i].offset);
    EXPECT_EQ(b.tap.block[i].data, at_tap[i].data);
  }
  EXPECT_EQ(b.tap.entropy.size(), 1u);
}

}  // namespace
}  // namespace tapvm::ckpt_test
