#include "emulator/devices/uart16550.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>

namespace tapvm {
namespace {

class FakeIrq : public IrqSink {
 public:
  void SetIrq(unsigned line, bool level) override {
    levels[line] = level;
    ++calls;
  }
  std::map<unsigned, bool> levels;
  int calls = 0;
};

class FakeOut : public CharSink {
 public:
  void Write(uint8_t byte) override { text.push_back(static_cast<char>(byte)); }
  std::string text;
};

using U = Uart16550;
constexpr unsigned kLine = 10;

class UartTest : public ::testing::Test {
 protected:
  uint8_t Rd(unsigned reg) {
    uint64_t v = 0xdead;
    EXPECT_TRUE(uart.Read(reg, 1, &v)) << reg;
    EXPECT_LE(v, 0xffu);
    return static_cast<uint8_t>(v);
  }
  void Wr(unsigned reg, uint8_t v) { EXPECT_TRUE(uart.Write(reg, 1, v)) << reg; }
  bool Irq() { return irq.levels[kLine]; }
  std::string Drain() {
    std::string s;
    while (Rd(U::kLsr) & U::kLsrDr) s.push_back(static_cast<char>(Rd(U::kRbr)));
    return s;
  }

  FakeIrq irq;
  FakeOut out;
  Uart16550 uart{&irq, kLine, &out};
};

TEST_F(UartTest, ResetValues) {
  EXPECT_EQ(Rd(U::kIer), 0);
  EXPECT_EQ(Rd(U::kIir), 0x01);
  EXPECT_EQ(Rd(U::kLcr), 0);
  EXPECT_EQ(Rd(U::kMcr), 0);
  EXPECT_EQ(Rd(U::kLsr), 0x60);
  EXPECT_EQ(Rd(U::kMsr), 0xb0);  // CTS, DSR, DCD asserted, no deltas
  EXPECT_EQ(Rd(U::kScr), 0);
  EXPECT_EQ(irq.levels.count(kLine), 1u);
  EXPECT_FALSE(Irq());
  EXPECT_TRUE(uart.CanReceive());
}

TEST_F(UartTest, TransmitGoesStraightToTheSink) {
  for (char c : std::string("hello\n")) Wr(U::kThr, c);
  EXPECT_EQ(out.text, "hello\n");
  EXPECT_EQ(Rd(U::kLsr), U::kLsrThre | U::kLsrTemt);
}

TEST_F(UartTest, DivisorLatchSharesOffsetsZeroAndOne) {
  Wr(U::kIer, 0x05);
  Wr(U::kLcr, 0x83);  // DLAB, 8N1
  EXPECT_EQ(Rd(U::kDll), 12);  // reset divisor
  Wr(U::kDll, 0x03);
  Wr(U::kDlm, 0x01);
  EXPECT_EQ(Rd(U::kDll), 0x03);
  EXPECT_EQ(Rd(U::kDlm), 0x01);
  EXPECT_EQ(out.text, "");  // a DLL write transmits nothing
  EXPECT_TRUE(uart.ReceiveByte('z'));
  EXPECT_EQ(Rd(U::kRbr), 0x03);  // DLL, not the received byte
  Wr(U::kLcr, 0x03);
  EXPECT_EQ(Rd(U::kIer), 0x05);
  EXPECT_EQ(Rd(U::kRbr), 'z');
  EXPECT_EQ(Rd(U::kLcr), 0x03);
  EXPECT_EQ(uart.state().dll, 0x03);
  EXPECT_EQ(uart.state().dlm, 0x01);
}

TEST_F(UartTest, ScratchAndMaskedRegisters) {
  Wr(U::kScr, 0xa5);
  EXPECT_EQ(Rd(U::kScr), 0xa5);
  Wr(U::kIer, 0xff);
  EXPECT_EQ(Rd(U::kIer), 0x0f);
  Wr(U::kMcr, 0xef);  // loopback bit clear, bits 7..5 dropped
  EXPECT_EQ(Rd(U::kMcr), 0x0f);
  Wr(U::kLsr, 0x00);  // ignored
  Wr(U::kMsr, 0xff);  // ignored
  EXPECT_EQ(Rd(U::kLsr), 0x60);
}

TEST_F(UartTest, HoldingRegisterWithoutFifo) {
  EXPECT_TRUE(uart.ReceiveByte('a'));
  EXPECT_FALSE(uart.CanReceive());
  EXPECT_FALSE(uart.ReceiveByte('b'));  // refused, not overrun
  EXPECT_EQ(Rd(U::kLsr), 0x61);
  EXPECT_EQ(Rd(U::kRbr), 'a');
  EXPECT_EQ(Rd(U::kLsr), 0x60);
  EXPECT_EQ(Rd(U::kRbr), 0);  // empty
  EXPECT_TRUE(uart.CanReceive());
}

TEST_F(UartTest, SixteenByteFifo) {
  Wr(U::kFcr, 0x01);
  EXPECT_EQ(Rd(U::kIir), 0xc1);
  for (int i = 0; i < 16; ++i) EXPECT_TRUE(uart.ReceiveByte('a' + i));
  EXPECT_FALSE(uart.CanReceive());
  EXPECT_FALSE(uart.ReceiveByte('!'));
  EXPECT_EQ(Drain(), "abcdefghijklmnop");
  // Wraps around the ring.
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(uart.ReceiveByte('0' + i));
  EXPECT_EQ(Drain(), "0123456789");
  EXPECT_EQ(Rd(U::kLsr) & U::kLsrOe, 0);
}

TEST_F(UartTest, FifoResetAndDisable) {
  Wr(U::kFcr, 0x01);
  for (char c : std::string("xyz")) uart.ReceiveByte(c);
  Wr(U::kFcr, 0x03);  // RX reset, FIFO stays on
  EXPECT_EQ(Rd(U::kLsr) & U::kLsrDr, 0);
  EXPECT_EQ(Rd(U::kIir) & 0xc0, 0xc0);
  for (char c : std::string("xyz")) uart.ReceiveByte(c);
  Wr(U::kFcr, 0x00);  // disabling empties the FIFO
  EXPECT_EQ(Rd(U::kLsr) & U::kLsrDr, 0);
  EXPECT_EQ(Rd(U::kIir), 0x01);
  // Trigger bits written with the enable bit clear are not programmed.
  Wr(U::kFcr, 0xc0);
  EXPECT_EQ(uart.state().fcr, 0);
  // Enabling also empties it.
  uart.ReceiveByte('q');
  Wr(U::kFcr, 0x01);
  EXPECT_EQ(Rd(U::kLsr) & U::kLsrDr, 0);
}

TEST_F(UartTest, DataAvailableInterruptWithoutFifo) {
  Wr(U::kIer, U::kIerRda);
  EXPECT_FALSE(Irq());
  uart.ReceiveByte('k');
  EXPECT_TRUE(Irq());
  EXPECT_EQ(Rd(U::kIir), 0x04);
  EXPECT_TRUE(Irq());  // reading IIR does not clear data available
  EXPECT_EQ(Rd(U::kRbr), 'k');
  EXPECT_FALSE(Irq());
  EXPECT_EQ(Rd(U::kIir), 0x01);
  // Masked by IER: the data waits, no interrupt.
  Wr(U::kIer, 0);
  uart.ReceiveByte('m');
  EXPECT_FALSE(Irq());
  Wr(U::kIer, U::kIerRda);
  EXPECT_TRUE(Irq());
}

TEST_F(UartTest, TriggerLevelsAndTimeout) {
  const struct {
    uint8_t fcr;
    unsigned level;
  } cases[] = {{0x01, 1}, {0x41, 4}, {0x81, 8}, {0xc1, 14}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.level);
    Wr(U::kFcr, c.fcr | U::kFcrRxReset);
    Wr(U::kIer, U::kIerRda);
    for (unsigned i = 1; i <= 16; ++i) {
      uart.ReceiveByte('a');
      const uint8_t want = i >= c.level ? 0xc4 : 0xcc;  // data available, or timeout
      EXPECT_EQ(Rd(U::kIir), want) << i;
      EXPECT_TRUE(Irq());
    }
    for (unsigned left = 15; left > 0; --left) {
      Rd(U::kRbr);
      EXPECT_EQ(Rd(U::kIir), left >= c.level ? 0xc4 : 0xcc) << left;
    }
    Rd(U::kRbr);
    EXPECT_EQ(Rd(U::kIir), 0xc1);
    EXPECT_FALSE(Irq());
  }
}

TEST_F(UartTest, ThreInterruptRaisedAndCleared) {
  Wr(U::kIer, U::kIerThre);  // 0 -> 1 with THR empty: raised at once
  EXPECT_TRUE(Irq());
  EXPECT_EQ(Rd(U::kIir), 0x02);
  EXPECT_FALSE(Irq());  // the IIR read acknowledged it
  EXPECT_EQ(Rd(U::kIir), 0x01);
  Wr(U::kThr, 'A');  // the byte leaves at once, THR empty again
  EXPECT_TRUE(Irq());
  Wr(U::kIer, U::kIerThre);  // no 0 -> 1 edge: no change
  EXPECT_TRUE(Irq());
  Wr(U::kIer, 0);
  EXPECT_FALSE(Irq());
  Wr(U::kThr, 'B');  // with ETBEI clear nothing is latched
  Wr(U::kIer, U::kIerRda);
  EXPECT_FALSE(Irq());
  Wr(U::kIer, U::kIerRda | U::kIerThre);
  EXPECT_TRUE(Irq());
  // Data available outranks THRE; reading IIR then does not acknowledge THRE.
  uart.ReceiveByte('r');
  EXPECT_EQ(Rd(U::kIir), 0x04);
  Rd(U::kRbr);
  EXPECT_EQ(Rd(U::kIir), 0x02);
  EXPECT_EQ(Rd(U::kIir), 0x01);
  EXPECT_EQ(out.text, "AB");
}

TEST_F(UartTest, IirPrioritiesFollowTheDatasheet) {
  Wr(U::kMcr, U::kMcrLoop);  // loopback with all outputs low: CTS/DSR/DCD drop
  Wr(U::kIer, 0x0f);         // THRE latched by the enable edge
  Wr(U::kThr, 'x');
  Wr(U::kThr, 'y');  // overruns the holding register
  EXPECT_TRUE(Irq());
  EXPECT_EQ(Rd(U::kIir), 0x06);                    // line status
  EXPECT_EQ(Rd(U::kLsr), 0x63);                    // DR | OE | THRE | TEMT, clears OE
  EXPECT_EQ(Rd(U::kIir), 0x04);                    // data available
  EXPECT_EQ(Rd(U::kRbr), 'y');                     // the newer byte replaced the older
  EXPECT_EQ(Rd(U::kIir), 0x02);                    // THRE, acknowledged by this read
  EXPECT_EQ(Rd(U::kIir), 0x00);                    // modem status
  EXPECT_EQ(Rd(U::kMsr), U::kMsrDcts | U::kMsrDdsr | U::kMsrDdcd);
  EXPECT_EQ(Rd(U::kIir), 0x01);
  EXPECT_FALSE(Irq());
  EXPECT_EQ(out.text, "");  // loopback sends nothing out
}

TEST_F(UartTest, LoopbackModemSignalsAndInputRefusal) {
  Wr(U::kMcr, U::kMcrLoop);
  Rd(U::kMsr);  // clear the deltas of entering loopback
  EXPECT_FALSE(uart.CanReceive());
  EXPECT_FALSE(uart.ReceiveByte('h'));
  Wr(U::kMcr, U::kMcrLoop | U::kMcrDtr);
  EXPECT_EQ(Rd(U::kMsr), U::kMsrDsr | U::kMsrDdsr);
  Wr(U::kMcr, U::kMcrLoop | U::kMcrDtr | U::kMcrRts);
  EXPECT_EQ(Rd(U::kMsr), U::kMsrDsr | U::kMsrCts | U::kMsrDcts);
  Wr(U::kMcr, U::kMcrLoop | U::kMcrOut1);  // RI rises: no TERI yet
  EXPECT_EQ(Rd(U::kMsr), U::kMsrRi | U::kMsrDcts | U::kMsrDdsr);
  Wr(U::kMcr, U::kMcrLoop | U::kMcrOut2);  // RI falls: TERI
  EXPECT_EQ(Rd(U::kMsr), U::kMsrDcd | U::kMsrTeri | U::kMsrDdcd);
  // Looped bytes arrive in the receiver.
  Wr(U::kFcr, 0x01);
  for (char c : std::string("loop")) Wr(U::kThr, c);
  EXPECT_EQ(Drain(), "loop");
  EXPECT_EQ(out.text, "");
  Wr(U::kMcr, 0);
  EXPECT_EQ(Rd(U::kMsr), 0xb0 | U::kMsrDcts | U::kMsrDdsr);
  EXPECT_TRUE(uart.ReceiveByte('h'));
}

TEST_F(UartTest, LoopbackFifoOverrunKeepsTheFifo) {
  Wr(U::kFcr, 0x01);
  Wr(U::kMcr, U::kMcrLoop);
  Wr(U::kIer, U::kIerLsi);
  for (int i = 0; i < 16; ++i) Wr(U::kThr, 'a' + i);
  EXPECT_FALSE(Irq());
  Wr(U::kThr, '!');
  EXPECT_TRUE(Irq());
  EXPECT_EQ(Rd(U::kIir), 0xc6);
  EXPECT_EQ(Rd(U::kLsr) & U::kLsrOe, U::kLsrOe);
  EXPECT_FALSE(Irq());  // the LSR read cleared it
  EXPECT_EQ(Rd(U::kLsr) & U::kLsrOe, 0);
  EXPECT_EQ(Drain(), "abcdefghijklmnop");
}

TEST_F(UartTest, WideAccessesWorkOnOneRegister) {
  Wr(U::kScr, 0x5a);
  uint64_t v = 0;
  ASSERT_TRUE(uart.Read(4, 4, &v));  // MCR only, as QEMU
  EXPECT_EQ(v, 0u);
  ASSERT_TRUE(uart.Read(6, 2, &v));  // MSR
  EXPECT_EQ(v, 0xb0u);
  ASSERT_TRUE(uart.Write(0, 8, 0x1122334455667741ull));
  EXPECT_EQ(out.text, "A");  // the low byte
  ASSERT_TRUE(uart.Read(0, 8, &v));
  EXPECT_EQ(v, 0u);
  EXPECT_FALSE(uart.Read(1, 2, &v));  // misaligned
  EXPECT_FALSE(uart.Read(4, 8, &v));
  EXPECT_FALSE(uart.Read(8, 1, &v));  // past the 8 registers
  EXPECT_FALSE(uart.Write(0xff, 1, 0));
}

TEST_F(UartTest, ResetClearsEverything) {
  Wr(U::kIer, U::kIerThre);
  Wr(U::kFcr, 0xc1);
  uart.ReceiveByte('a');
  ASSERT_TRUE(Irq());
  uart.Reset();
  EXPECT_FALSE(Irq());
  EXPECT_EQ(Rd(U::kIir), 0x01);
  EXPECT_EQ(Rd(U::kLsr), 0x60);
}

TEST_F(UartTest, IrqLineDrivenOnlyOnChanges) {
  const int base = irq.calls;
  Wr(U::kIer, U::kIerRda);
  uart.ReceiveByte('1');
  Wr(U::kScr, 1);
  Rd(U::kIir);
  Rd(U::kLsr);
  EXPECT_EQ(irq.calls, base + 1);
  Rd(U::kRbr);
  EXPECT_EQ(irq.calls, base + 2);
}

TEST_F(UartTest, HostileAccessesNeverCrash) {
  unsigned n = 0;
  for (int round = 0; round < 4; ++round) {
    for (uint64_t off = 0; off < U::kSize; ++off) {
      for (unsigned size : {1u, 2u, 4u, 8u}) {
        uint64_t v = 99;
        const bool ok = uart.Read(off, size, &v);
        EXPECT_EQ(ok, off < 8 && off % size == 0);
        EXPECT_LE(v, 0xffu);
        const uint64_t pattern = (n * 0x9e3779b97f4a7c15ull) >> (n % 13);
        uart.Write(off, size, pattern);
        uart.ReceiveByte(static_cast<uint8_t>(n));
        ++n;
        const U::State& s = uart.state();
        ASSERT_LE(s.rx_count, U::kFifoSize);
        ASSERT_LT(s.rx_head, U::kFifoSize);
        ASSERT_EQ(irq.levels[kLine], s.irq_level != 0);
      }
    }
  }
}

}  // namespace
}  // namespace tapvm
