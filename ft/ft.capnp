# The tapvm FT log channel: the messages an FT primary and its secondary
# exchange over TCP (ft/log_sender.h, ft/log_receiver.h; docs/ft-channel.md).
#
# On the socket every message is one frame:
#   frame := magic:u32 length:u32 message
#     magic   = 0x31544654 ("TFT1" little-endian)
#     length  = bytes of `message`, a multiple of 8, at most the cap
#               (ft/wire.h kMaxFrameBytes)
#     message = one unpacked Cap'n Proto message (segment table included)
#               whose root is `Message`.
#
# Compatibility: fields are only added, with new ordinals, never
# renumbered, retyped or removed. A change a peer must understand bumps
# `protocolVersion`; the Hello exchange refuses a peer of another version.
@0xdb7f18933c548df9;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tapvm::ft::schema");

const protocolVersion :UInt32 = 2;

enum Role {
  primary @0;    # runs the guest, streams its journal events
  secondary @1;  # replays the stream in lockstep, acknowledges it
}

# First message each way. Each side checks the other's: same protocol
# version, same run id, same configuration hash, the opposite role.
struct Hello {
  protocolVersion @0 :UInt32;  # the sender's `protocolVersion`
  runIdHigh @1 :UInt64;        # the pair's 128-bit run id (chosen at
  runIdLow @2 :UInt64;         # random by the primary), high and low halves;
                               # a secondary that has not learnt it yet
                               # sends zero and adopts the primary's
  role @3 :Role;               # the role of the side sending this Hello
  configHash @4 :UInt64;       # hash of the machine configuration both run
  identity @5 :List(Entry);    # what configHash covers, as key/value
                               # entries: names the first difference
                               # when the hashes differ
}

struct Entry {
  key @0 :Text;
  value @1 :Text;
}

# One journal event, primary to secondary, in seq order (1, 2, 3...).
struct Event {
  seq @0 :UInt64;     # the event's seq; equals the seq inside `record`
  record @1 :Data;    # the event record exactly as the journal frames it
                      # (checksum, prev_chain, packed journal.capnp Event);
                      # the chain starts at ft/wire.h StreamChainSeed()
  payload @2 :Data;   # when the record refers to a blob (payload over the
                      # inline limit): the blob's bytes, checked against
                      # the blob's hash and size; else empty
}

# Secondary to primary: every event up to `seq` is held by the secondary
# (received and checked, and written to its local journal if it keeps one).
struct Ack {
  seq @0 :UInt64;     # highest seq held; never decreases
  replayedIcount @1 :UInt64;  # how far the secondary's replay has got: the
                              # icount of the last event it consumed
}

# Both ways: proof of life. The primary sends one every heartbeat period;
# the secondary answers each one.
struct Heartbeat {
  counter @0 :UInt64;  # the sender's own heartbeat number, 1, 2, 3...
  echo @1 :UInt64;     # the last counter heard from the peer (0: none)
  replayedIcount @2 :UInt64;  # secondary: as in Ack; primary: 0
}

# Primary to secondary: outputs produced up to event `seq` have left the
# primary (output commit).
struct Released {
  seq @0 :UInt64;     # never decreases
}

# Primary to secondary: the clean end of the stream. No message follows.
struct Bye {
  finalIcount @0 :UInt64;  # instruction count the primary stopped at
  lastSeq @1 :UInt64;      # seq of the last Event sent (0: none)
  endReason @2 :Text;      # how the run ended ("power-off", "quit"...)
}

struct Message {
  union {
    hello @0 :Hello;
    event @1 :Event;
    ack @2 :Ack;
    heartbeat @3 :Heartbeat;
    released @4 :Released;
    bye @5 :Bye;
  }
}
