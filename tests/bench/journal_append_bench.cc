// Google Benchmark: JournalWriter::Append throughput (target: >= 1M small
// events/s, issue 4), plus read-back and verify speed. The peer, in the
// same run: bare LMDB appends of values of the same size with the same
// commit batching (BM_LmdbAppendRaw), i.e. what the storage alone costs
// without encoding, checksums and the chain.
//
//   journal_append_bench --benchmark_counter_tabular=true
//
// Journals are written to $TMPDIR (default /tmp) and removed afterwards.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include <lmdb.h>

#include "benchmark/benchmark.h"
#include "journal/reader.h"
#include "journal/writer.h"

namespace tapvm::journal {
namespace {

std::string BenchPath(const char* name) {
  const char* dir = std::getenv("TMPDIR");
  std::string p = std::string(dir != nullptr ? dir : "/tmp") + "/journal_bench_" + std::to_string(getpid()) + "_" +
                  name + ".tapj";
  unlink(p.c_str());
  return p;
}

JournalHeader Header() {
  JournalHeader h;
  h.writer_version = "journal_append_bench";
  h.config = {{"ram_mib", "256"}};
  return h;
}

// A small observation stream like a booting guest's: device register
// reads/writes, IRQ lines, now and then console output.
Event SmallEvent(uint64_t i) {
  Event e;
  e.icount = i * 37;
  switch (i % 8) {
    case 0: e.body = IrqLine{1, 10, (i & 8) != 0}; break;
    case 1: e.body = ConsoleOut{0, {static_cast<uint8_t>('a' + i % 26)}}; break;
    default: e.body = IoAccess{IoAccess::Space::kMmio, (i & 1) != 0, 3, 0x10001000 + (i & 0xfc), 4, i}; break;
  }
  return e;
}

void BM_AppendSmall(benchmark::State& state) {
  const std::string path = BenchPath("small");
  WriterOptions o;
  o.batch_events = static_cast<uint32_t>(state.range(0));
  std::unique_ptr<JournalWriter> w;
  if (!JournalWriter::Create(path, Header(), o, &w).ok()) {
    state.SkipWithError("create failed");
    return;
  }
  std::vector<Event> events;
  for (uint64_t i = 0; i < 4096; ++i) events.push_back(SmallEvent(i));
  uint64_t i = 0;
  uint64_t icount = 0;
  for (auto _ : state) {
    Event& e = events[i++ & 4095];
    e.icount = icount += 37;
    if (!w->Append(e).ok()) {
      state.SkipWithError("append failed");
      break;
    }
  }
  w->Close(icount);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["bytes_per_event"] =
      static_cast<double>(w->stats().event_bytes) / static_cast<double>(std::max<uint64_t>(1, w->stats().events));
  w.reset();
  unlink(path.c_str());
}
BENCHMARK(BM_AppendSmall)->Arg(4096)->Arg(256)->Unit(benchmark::kNanosecond);

// The peer: 43-byte values (the small events' mean record size) appended
// under big-endian sequence keys, committing every 4096, nothing else.
void BM_LmdbAppendRaw(benchmark::State& state) {
  const std::string path = BenchPath("raw");
  MDB_env* env = nullptr;
  MDB_txn* txn = nullptr;
  MDB_dbi dbi = 0;
  if (mdb_env_create(&env) != 0 || mdb_env_set_mapsize(env, 64ull << 30) != 0 ||
      mdb_env_open(env, path.c_str(), MDB_NOSUBDIR | MDB_NOLOCK | MDB_NOSYNC, 0644) != 0 ||
      mdb_txn_begin(env, nullptr, 0, &txn) != 0 || mdb_dbi_open(txn, nullptr, 0, &dbi) != 0) {
    state.SkipWithError("lmdb setup failed");
    return;
  }
  uint8_t value[43];
  std::memset(value, 0x5a, sizeof value);
  uint64_t seq = 0, in_txn = 0;
  for (auto _ : state) {
    ++seq;
    uint8_t key[8];
    for (int b = 0; b < 8; ++b) key[b] = static_cast<uint8_t>(seq >> (56 - 8 * b));
    std::memcpy(value, &seq, sizeof seq);
    MDB_val k{sizeof key, key}, v{sizeof value, value};
    if (mdb_put(txn, dbi, &k, &v, MDB_APPEND) != 0) {
      state.SkipWithError("put failed");
      break;
    }
    if (++in_txn == 4096) {
      in_txn = 0;
      if (mdb_txn_commit(txn) != 0 || mdb_txn_begin(env, nullptr, 0, &txn) != 0) {
        state.SkipWithError("commit failed");
        txn = nullptr;
        break;
      }
    }
  }
  if (txn) mdb_txn_commit(txn);
  mdb_env_close(env);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  unlink(path.c_str());
}
BENCHMARK(BM_LmdbAppendRaw)->Unit(benchmark::kNanosecond);

// Frames of 1514 bytes, each distinct: a blob per event.
void BM_AppendFrames(benchmark::State& state) {
  const std::string path = BenchPath("frames");
  std::unique_ptr<JournalWriter> w;
  if (!JournalWriter::Create(path, Header(), WriterOptions(), &w).ok()) {
    state.SkipWithError("create failed");
    return;
  }
  Event e;
  e.body = NetFrameIn{2, std::vector<uint8_t>(1514, 0x5a)};
  auto& frame = std::get<NetFrameIn>(e.body).frame;
  uint64_t i = 0;
  for (auto _ : state) {
    ++i;
    std::memcpy(frame.data(), &i, sizeof i);
    e.icount = i;
    if (!w->Append(e).ok()) {
      state.SkipWithError("append failed");
      break;
    }
  }
  w->Close(i);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 1514);
  w.reset();
  unlink(path.c_str());
}
BENCHMARK(BM_AppendFrames)->Unit(benchmark::kNanosecond);

// Reading back (Next, with every check) and verifying 1M small events.
void BM_ReadSmall(benchmark::State& state) {
  const std::string path = BenchPath("read");
  constexpr uint64_t kEvents = 1'000'000;
  {
    std::unique_ptr<JournalWriter> w;
    if (!JournalWriter::Create(path, Header(), WriterOptions(), &w).ok()) {
      state.SkipWithError("create failed");
      return;
    }
    for (uint64_t i = 0; i < kEvents; ++i) w->Append(SmallEvent(i));
    w->Close(kEvents * 37);
  }
  const bool verify = state.range(0) != 0;
  for (auto _ : state) {
    std::unique_ptr<JournalReader> r;
    if (!JournalReader::Open(path, &r).ok()) {
      state.SkipWithError("open failed");
      break;
    }
    if (verify) {
      VerifyReport report;
      if (!r->Verify(nullptr, &report).ok()) state.SkipWithError("verify failed");
    } else {
      Event e;
      bool end = false;
      uint64_t n = 0;
      while (r->Next(&e, &end).ok() && !end) ++n;
      if (n != kEvents) state.SkipWithError("short read");
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kEvents));
  unlink(path.c_str());
}
BENCHMARK(BM_ReadSmall)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace tapvm::journal

BENCHMARK_MAIN();
