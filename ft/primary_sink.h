// PrimarySink: where an FT primary's recording tap sends its events — the
// log sender (to the secondary) and, with -o, the primary's own journal.
//
// The two fail differently. A journal that cannot be written is the
// recording's error (Append returns it; the recording tap stops the guest
// as `record` does). A log sender that fails means the secondary is lost:
// that is not the recording's error — the sink stops feeding the sender
// and returns OK, and whoever watches the sender (the primary's FT loop)
// decides, through the arbiter, whether the guest goes on alone.
//
// CPU thread only (as EventSink).
#pragma once

#include "ft/log_sender.h"
#include "recorder/event_sink.h"

namespace tapvm::ft {

class PrimarySink : public EventSink {
 public:
  // `journal` may be null; both must outlive the sink.
  PrimarySink(LogSender* sender, EventSink* journal) : sender_(sender), journal_(journal) {}

  Status Append(journal::Event event) override {
    if (sender_ != nullptr) {
      if (!sender_->Append(journal_ ? event : std::move(event)).ok()) sender_ = nullptr;
    }
    if (journal_ != nullptr) return journal_->Append(std::move(event));
    return Status::Ok();
  }
  // True once the sender failed (or was never there).
  bool sender_lost() const { return sender_ == nullptr; }

 private:
  LogSender* sender_;
  EventSink* journal_;
};

}  // namespace tapvm::ft
