// VmControl's block commands: query-block, query-blockstats and
// block_set_io_throttle, over the drives in configuration order, named by
// MachineConfig::DriveName (QMP's `device`, and `id` where QEMU takes a
// device's id: here they are one name).
#include "tools/qmp/block_io_throttle.h"
#include "tools/tapvm/block_throttle_control.h"
#include "tools/tapvm/vm_control.h"

namespace tapvm::cli {

namespace {

using qmp::Json;
using qmp::QmpArgs;
using qmp::QmpError;
using qmp::QmpResult;

Json StatsJson(const BlockStats& s) {
  return Json{{"rd_bytes", s.rd_bytes},
              {"wr_bytes", s.wr_bytes},
              {"unmap_bytes", s.unmap_bytes},
              {"rd_operations", s.rd_operations},
              {"wr_operations", s.wr_operations},
              {"flush_operations", s.flush_operations},
              {"unmap_operations", s.unmap_operations},
              {"rd_total_time_ns", s.rd_total_time_ns},
              {"wr_total_time_ns", s.wr_total_time_ns},
              {"flush_total_time_ns", s.flush_total_time_ns},
              {"unmap_total_time_ns", s.unmap_total_time_ns},
              {"wr_highest_offset", s.wr_highest_offset},
              {"rd_merged", 0},
              {"wr_merged", 0},
              {"unmap_merged", 0},
              {"failed_rd_operations", s.failed_rd_operations},
              {"failed_wr_operations", s.failed_wr_operations},
              {"failed_flush_operations", s.failed_flush_operations},
              {"failed_unmap_operations", s.failed_unmap_operations},
              {"invalid_rd_operations", 0},
              {"invalid_wr_operations", 0},
              {"invalid_flush_operations", 0},
              {"invalid_unmap_operations", 0},
              {"account_invalid", false},
              {"account_failed", true},
              {"timed_stats", Json::array()}};
}

}  // namespace

void VmControl::RegisterBlockCommands() {
  dispatcher_.Register("query-block", {}, [this](const QmpArgs&) {
    const MachineConfig& config = vm_->config();
    Json list = Json::array();
    for (size_t i = 0; i < config.drives.size(); ++i) {
      const DriveConfig& d = config.drives[i];
      const std::string name = config.DriveName(i);
      const uint64_t size = i < vm_->drive_sizes().size() ? vm_->drive_sizes()[i] : 0;
      bool failed;
      {
        std::lock_guard<std::mutex> lock(mu_);
        failed = drive_failed_[i];
      }
      Json inserted{{"file", d.file},
                    {"node-name", name},
                    {"ro", d.read_only},
                    {"drv", "raw"},
                    {"encrypted", false},
                    {"encryption_key_missing", false},
                    {"detect_zeroes", "off"},
                    {"backing_file_depth", 0},
                    {"write_threshold", 0},
                    {"cache", {{"writeback", true}, {"direct", false}, {"no-flush", false}}},
                    {"image", {{"filename", d.file}, {"format", "raw"}, {"virtual-size", size}, {"dirty-flag", false}}}};
      // QEMU's throttle fields: bps, bps_max, bps_max_length ... iops_size,
      // and group when the drive has one.
      const ThrottleLimits t = vm_->block_throttle(i);
      for (int b = 0; b < qmp::BlockIoThrottle::kBuckets; ++b) {
        const std::string n = qmp::BlockIoThrottle::Name(static_cast<qmp::BlockIoThrottle::Bucket>(b));
        inserted[n] = t.bucket[b].avg;
        if (t.bucket[b].max) {
          inserted[n + "_max"] = t.bucket[b].max;
          inserted[n + "_max_length"] = t.bucket[b].max_length;
        }
      }
      if (t.iops_size) inserted["iops_size"] = t.iops_size;
      if (t.any()) inserted["group"] = d.throttle.group.empty() ? name : d.throttle.group;
      list.push_back(Json{{"device", name},
                          {"qdev", name},
                          {"type", "unknown"},
                          {"removable", false},
                          {"locked", false},
                          {"io-status", failed ? "failed" : "ok"},
                          {"inserted", inserted}});
    }
    return QmpResult(list);
  });
  dispatcher_.Register("query-blockstats", {{"query-nodes", qmp::ArgType::kBool, false}}, [this](const QmpArgs&) {
    const MachineConfig& config = vm_->config();
    Json list = Json::array();
    for (size_t i = 0; i < config.drives.size(); ++i) {
      const std::string name = config.DriveName(i);
      list.push_back(Json{{"device", name}, {"node-name", name}, {"qdev", name},
                          {"stats", StatsJson(vm_->block_watch().Stats(i))}});
    }
    return QmpResult(list);
  });
  dispatcher_.Register("block_set_io_throttle", qmp::BlockIoThrottleArgs(), [this](const QmpArgs& args) -> QmpResult {
    qmp::BlockIoThrottle limits;
    if (auto bad = qmp::ParseBlockIoThrottle(args, &limits)) return *bad;
    const int drive = FindDrive(limits.device);
    if (drive < 0) return QmpError::DeviceNotFound("Device '" + limits.device + "' not found");
    if (mode_.load() == Mode::kPlay)
      return QmpError::Generic("cannot change throttling during a replay (the journal's own changes are replayed)");
    if (ended_) return QmpError::Generic("the machine has shut down");
    Status st = ApplyBlockIoThrottle(*vm_, cpu_, static_cast<size_t>(drive), limits);
    if (!st.ok()) return QmpError::Generic(st.message());
    return QmpResult::Empty();
  });
}

}  // namespace tapvm::cli
