// EventSource: where a replay tap reads the recorded events from.
//
// A journal file is one source (JournalEventSource); the live log channel
// of an FT secondary will be another, whose Next() waits for the primary's
// next event. Events come in journal order (seq 1, 2, 3...).
//
// Contract:
// - Next() fills *e and sets *end = false, or sets *end = true when the
//   source has no more events and never will; an error (corruption, a
//   broken stream) is returned as a Status and ends the source.
// - closed_cleanly() tells, once Next() reported the end, whether the
//   recording was closed cleanly (power-off, a stop) or was cut short (a
//   recorder killed, a primary lost): a replay of a cut-short recording
//   ends where the recording does, which is not a divergence.
// Called on the CPU thread only.
#pragma once

#include "emulator/base/status.h"
#include "journal/event.h"
#include "journal/reader.h"

namespace tapvm {

class EventSource {
 public:
  virtual ~EventSource() = default;
  virtual Status Next(journal::Event* e, bool* end) = 0;
  virtual bool closed_cleanly() const = 0;
};

// A journal file read from its reader's current position. The reader must
// outlive the source.
class JournalEventSource : public EventSource {
 public:
  explicit JournalEventSource(journal::JournalReader* reader) : reader_(reader) {}
  Status Next(journal::Event* e, bool* end) override { return reader_->Next(e, end); }
  bool closed_cleanly() const override { return reader_->header().clean_close; }

 private:
  journal::JournalReader* reader_;
};

}  // namespace tapvm
