// The file arbiter: a lock file both sides of a pair can open.
//
// A claim opens PATH (creating it), takes flock(LOCK_EX) on it (retried
// without blocking until the timeout), reads it, writes it when the claim
// is ours to take, fsyncs, and unlocks. The file holds one line:
//
//   file    = "" | line
//   line    = "tapvm-ft-arbiter 1 run=" hex32 " winner=" role "\n"
//   hex32   = 32 lowercase hex digits (RunId::ToHex)
//   role    = "primary" | "secondary"
//
// An empty file, or one of ours from another run (or damaged after its
// first word), is taken over. A non-empty file that does not start with
// "tapvm-ft-arbiter" is refused, never overwritten: the spec named the
// wrong file. flock works across hosts on NFS (Linux maps it to POSIX
// locks there); the arbiter does not itself bound a hung open() on a dead
// file server.
#pragma once

#include <memory>
#include <string>

#include "ft/arbiter.h"

namespace tapvm::ft {

inline constexpr char kFileArbiterMagic[] = "tapvm-ft-arbiter";

std::unique_ptr<Arbiter> NewFileArbiter(const std::string& path);

}  // namespace tapvm::ft
