# The tapvm journal schema: the records stored in a journal file.
#
# A journal is an LMDB environment (see docs/journal-format.md for the whole
# layout). This schema describes the Cap'n Proto payload of its records; the
# framing around each payload (magic, version, checksums, chain hash) is
# described in journal/format.h and the format document.
#
# Compatibility rules (the version is kFormatVersion in journal/format.h and
# the `formatVersion` constant below; the two are checked to agree):
#   - Fields are only ever added, with new ordinals, never renumbered,
#     retyped or removed. A reader ignores fields it does not know.
#   - Adding an event kind, an enum value, or a field whose meaning a replay
#     must understand (anything an older reader would silently misreplay)
#     requires bumping the format version; readers refuse journals newer
#     than they support.
#   - Adding a purely informational field (an older reader may ignore it)
#     does not require a bump.
@0xff55a30f70827c56;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tapvm::journal::schema");

# Version 2 added the throttleSet event, version 3 the checkpoints database
# (older journals still read).
const formatVersion :UInt32 = 3;

# A 128-bit XXH3 content hash. Its canonical byte form (the blob key) is
# `high` then `low`, each big-endian.
struct Hash128 {
  high @0 :UInt64;
  low @1 :UInt64;
}

# Payloads longer than the writer's inline limit are stored once in the
# `blobs` database and referenced by content hash.
struct BlobRef {
  hash @0 :Hash128;
  size @1 :UInt64;     # bytes; checked against the blob when it is read
}

enum BlockStatus {
  ok @0;
  ioError @1;
  unsupported @2;
}

enum BlockRequestType {
  read @0;
  write @1;
  flush @2;
  discard @3;
  writeZeroes @4;
}

enum IoSpace {
  mmio @0;
  pio @1;
}

# One leaky bucket of a drive's I/O throttle (QEMU's throttling.* options).
struct ThrottleLimit {
  avg @0 :UInt64;        # bytes or operations per guest second; 0 = no limit
  max @1 :UInt64;        # burst rate; 0 = none
  maxLength @2 :UInt64;  # burst seconds (>= 1)
}

# A drive's throttle limits; buckets in the order bps-total, bps-read,
# bps-write, iops-total, iops-read, iops-write.
struct ThrottleLimits {
  buckets @0 :List(ThrottleLimit);
  iopsSize @1 :UInt64;
}

# Optional per-part digests of a state digest (each an XXH3-64).
struct DigestParts {
  hart @0 :UInt64;     # architectural state of the hart(s)
  ram @1 :UInt64;      # guest RAM
  devices @2 :UInt64;  # device model state
}

# One event of the run, in the `events` database.
struct Event {
  seq @0 :UInt64;      # 1, 2, 3...: equals the record's key
  icount @1 :UInt64;   # instructions retired when the event happened
  device @2 :UInt16;   # TapDeviceId; 0xffff for machine-wide events

  # The event's bytes (frame, block data, console or entropy bytes), for the
  # kinds that have them. Absent (`none`) for kinds without bytes.
  payload :union {
    none @3 :Void;
    inline @4 :Data;   # short payloads, stored in the record
    blob @5 :BlobRef;  # long payloads, stored in `blobs`
  }

  body :union {
    # ---- inputs: delivered to the machine; replay feeds them back.

    # A block request finished; for reads the payload is the data read.
    blockCompletion :group {
      requestId @6 :UInt64;      # BlockRequest.id of the request it answers
      status @7 :BlockStatus;
    }
    # A network frame arrived (payload: the Ethernet frame).
    netFrameIn @8 :Void;
    # Bytes typed on the console (payload).
    consoleIn @9 :Void;
    # Entropy bytes from the host (payload).
    entropyIn @10 :Void;
    # Virtual time jumped while the guest idled in WFI.
    clockWarp :group {
      fromMtime @11 :UInt64;     # mtime when the guest went idle
      toMtime @12 :UInt64;       # mtime it resumed at (the input)
    }

    # New throttle limits for the drive `device` (and its throttle group),
    # set while the guest ran (format 2).
    throttleSet :group {
      limits @29 :ThrottleLimits;
    }

    # ---- observations: what the guest did; replay compares them.

    # A device register access through the bus slow path.
    ioAccess :group {
      space @13 :IoSpace;
      isWrite @14 :Bool;
      address @15 :UInt64;
      size @16 :UInt8;           # bytes: 1, 2, 4 or 8
      value @17 :UInt64;         # the value read or written
    }
    # A network frame sent by the guest (payload: the frame).
    netFrameOut @18 :Void;
    # A block request submitted (payload: the data, for writes).
    blockRequest :group {
      requestId @19 :UInt64;
      type @20 :BlockRequestType;
      offset @21 :UInt64;        # bytes
      length @22 :UInt64;        # bytes
    }
    # The guest asked for entropy.
    entropyRequest :group {
      maxBytes @23 :UInt32;
    }
    # Console output (payload: the bytes).
    consoleOut @24 :Void;
    # An interrupt line changed level.
    irqLine :group {
      line @25 :UInt32;
      level @26 :Bool;
    }
    # A periodic digest of the machine state.
    stateDigest :group {
      value @27 :UInt64;         # XXH3-64 of the whole state
      parts @28 :DigestParts;    # null when the writer recorded no parts
    }
  }
}

# A configuration entry of the recorded machine ("ram_mib" = "256", ...).
struct ConfigEntry {
  key @0 :Text;
  value @1 :Text;
}

enum ImageRole {
  kernel @0;
  initrd @1;
  firmware @2;
  disk @3;
  other @4;
}

# An image the run started from: declared in the header (hash and size,
# content optional) and, when its content is stored, an `image/...` record
# in `meta` listing its chunks.
struct Image {
  role @0 :ImageRole;
  name @1 :Text;               # the caller's name, e.g. the file name
  size @2 :UInt64;             # bytes
  hash @3 :Hash128;            # XXH3-128 of the whole content
  chunkSize @4 :UInt32;        # stored images: bytes per chunk (last shorter)
  chunks @5 :List(Hash128);    # stored images: chunk blob keys, in order
}

# The `meta/header` record: written once, by Create.
struct Header {
  writerVersion @0 :Text;      # the tool that wrote the journal
  config @1 :List(ConfigEntry);
  images @2 :List(Image);      # declared images (no chunk lists)
  digestInterval @3 :UInt64;   # instructions between state digests; 0 = none
  inlineLimit @4 :UInt32;      # payloads longer than this went to blobs
}

# The `meta/tail` record: rewritten by every commit, so it always describes
# the committed prefix.
struct Tail {
  lastSeq @0 :UInt64;          # seq of the last committed event; 0 = none
  lastIcount @1 :UInt64;       # its icount
  chain @2 :UInt64;            # chain hash after the last committed event
  cleanClose @3 :Bool;         # set only by Close()
  finalIcount @4 :UInt64;      # Close(): icount when recording stopped
  endReason @5 :Text;          # Close(): how the run ended ("power-off", "stuck", ...); "" if not said
}

# A RAM page of a checkpoint: its guest-physical address and the blob key
# (XXH3-128) of its 4096 bytes without their trailing zeros (a page of
# zeros: the empty blob); a reader pads the blob with zeros to 4096. Flat (no Hash128 pointer) to keep a full
# checkpoint's list at 24 bytes a page before packing.
struct PageRef {
  address @0 :UInt64;          # 4 KiB aligned
  hashHigh @1 :UInt64;
  hashLow @2 :UInt64;
}

# A checkpoint of the machine (format 3), in the `checkpoints` database
# under its icount. What the journal does not interpret: `state`, the
# machine's state apart from RAM (docs/checkpoint-format.md, an encoding
# with no pages). What it does: RAM as content-addressed page blobs.
struct Checkpoint {
  icount @0 :UInt64;           # equals the record's key
  full @1 :Bool;               # pages lists every non-zero page; else only
                               # the pages written since `parentIcount`'s
  parentIcount @2 :UInt64;     # incremental: the checkpoint it builds on
  tapPosition @3 :UInt64;      # events 1..tapPosition happened before it
  chain @4 :UInt64;            # chain(tapPosition): binds it to the events
  state @5 :Data;
  pages @6 :List(PageRef);     # ascending addresses
}
