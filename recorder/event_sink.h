// EventSink: where a recording tap sends the events it journals.
//
// The recording tap numbers events itself (seq 1, 2, 3... in the order it
// appends them) and hands each to a sink: the JournalPump (a journal file
// written on its own thread), and later an FT log channel that also
// streams it to a secondary. A sink must keep the tap's numbering (the
// pump checks the writer assigns the same seq), so "acknowledged up to N"
// means the same events everywhere.
//
// Append is called on the CPU thread only. An error is sticky in the tap:
// it stops journaling, never the guest.
#pragma once

#include "emulator/base/status.h"
#include "journal/event.h"

namespace tapvm {

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual Status Append(journal::Event event) = 0;
};

}  // namespace tapvm
