// ReplayTap: the replay mode of the event tap.
//
// No host backend is involved: the machine runs against the journal of a
// recorded run. Inputs are delivered at exactly their recorded icount (the
// board never runs past NextInputIcount(), and the tap reports an input
// pending as soon as the next journal event is one, so a running hart
// stops for it); clock warps are answered from the journal; every request
// and observation the machine makes is compared with the next recorded
// event. The first mismatch is a divergence: it is kept (event number,
// icount, expected versus actual, last matching digest) and the run is
// asked to stop through the on-divergence callback.
//
// Console output is still shown through the display callback, so a replay
// looks like the run it reproduces. Not thread-safe: CPU thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "emulator/base/status.h"
#include "emulator/tap.h"
#include "journal/event.h"
#include "journal/reader.h"

namespace tapvm {

struct Divergence {
  uint64_t seq = 0;                 // the journal event that did not match (0: past the end)
  uint64_t icount = 0;              // where the replay was
  std::string expected, actual;     // one line each
  uint64_t last_digest_seq = 0;     // the last state digest that matched
  uint64_t last_digest_icount = 0;
  std::string ToString() const;
};

class ReplayTap : public EventTap {
 public:
  using DisplayFn = std::function<void(std::span<const uint8_t>)>;
  // `reader` must outlive the tap; it is read from its current position.
  // `on_divergence` is called to stop the run: at a divergence, on a
  // damaged journal, and at the end of a journal that was not closed
  // cleanly. For a journal not closed cleanly (a recording killed mid-run) the run
  // ends where the journal does: what comes after is not a divergence.
  ReplayTap(journal::JournalReader* reader, DisplayFn display, std::function<void()> on_divergence);

  void AttachDevice(TapDeviceId dev, TapInputSink* sink) override { sinks_[dev] = sink; }
  void SubmitBlock(BlockRequest request) override;
  void TransmitFrame(TapDeviceId dev, std::span<const uint8_t> frame) override;
  void RequestEntropy(TapDeviceId dev, uint32_t max_bytes) override;
  void ConsoleOutput(TapDeviceId dev, std::span<const uint8_t> bytes) override;
  void ObserveIo(IoSpace space, bool is_write, uint64_t addr, unsigned size, uint64_t value) override;
  void ObserveIrq(unsigned line, bool level) override;
  void ObserveDigest(const MachineDigest& digest) override;
  unsigned DeliverDue(uint64_t icount) override;
  bool InputPending() const override;
  uint64_t NextInputIcount() const override;
  uint64_t Idle(uint64_t now, uint64_t deadline) override;

  const std::optional<Divergence>& divergence() const { return divergence_; }
  // A journal that could not be read (corruption): the replay stops too.
  const Status& status() const { return status_; }
  // Events matched or delivered so far, and whether every recorded event was.
  uint64_t consumed() const { return consumed_; }
  bool at_end() const { return end_; }

 private:
  // Loads the next journal event into next_ (end_ at the end).
  void Advance();
  // Compares an observation/request with the next event; consumes it.
  void Expect(journal::EventBody actual);
  void Diverge(const std::string& expected, const std::string& actual);

  journal::JournalReader* reader_;
  DisplayFn display_;
  std::function<void()> on_divergence_;
  std::map<TapDeviceId, TapInputSink*> sinks_;
  journal::Event next_;
  bool end_ = false;
  Status status_;
  std::optional<Divergence> divergence_;
  uint64_t consumed_ = 0;
  uint64_t last_digest_seq_ = 0, last_digest_icount_ = 0;
  bool truncated_ = false;  // the journal was not closed cleanly
};

}  // namespace tapvm
