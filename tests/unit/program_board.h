// A bare board for engine tests: RAM at 0x80000000 holding `program` at its
// start (where the hart starts), run by `engine`; the JIT translates every
// block the first time it is reached, so short programs run translated.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

#include "emulator/machine/board.h"
#include "emulator/tap/minimal_tap.h"

namespace tapvm::test {

// nullptr if the board cannot be built (the caller asserts).
inline std::unique_ptr<Board> MakeProgramBoard(MinimalTap* tap, EngineKind engine, std::span<const uint32_t> program,
                                               uint64_t ram_size = 1 << 20) {
  BoardConfig cfg;
  cfg.ram_size = ram_size;
  cfg.hart.engine = engine;
  cfg.hart.jit_hot_after = 1;
  std::unique_ptr<Board> b;
  if (!Board::Create(cfg, tap, &b).ok()) return nullptr;
  std::memcpy(b->bus().HostPtrForWrite(cfg.ram_base, program.size_bytes()), program.data(), program.size_bytes());
  b->hart().FlushCaches();
  return b;
}

}  // namespace tapvm::test
