#include "replayer/recorded_machine.h"

namespace tapvm {

RecordedEnd RecordedEndOf(const journal::JournalHeader& h) {
  RecordedEnd e;
  e.icount = h.clean_close ? h.final_icount : h.last_icount + 1;
  e.reason = h.clean_close ? h.end_reason : "";
  e.run_limit = e.reason == "stuck" ? e.icount + 1 : e.icount;
  e.final_digest = !e.reason.empty();
  return e;
}

Status LoadRecordedMachine(journal::JournalReader* reader, RecordedMachine* out) {
  const journal::JournalHeader& h = reader->header();
  RecordedMachine m;
  TAPVM_RETURN_IF_ERROR(MachineConfig::Decode(h.config, &m.config));
  m.config.digest_interval = h.digest_interval;
  if (m.config.digest_version < kOldestStateDigestVersion || m.config.digest_version > kStateDigestVersion)
    return Status::NotSupported("the journal's state digests are of version " +
                                std::to_string(m.config.digest_version) + "; this tapvm computes versions " +
                                std::to_string(kOldestStateDigestVersion) + " to " +
                                std::to_string(kStateDigestVersion) +
                                " (record again, or replay with the tapvm that recorded it)");
  size_t disk = 0;
  for (const journal::ImageInfo& img : h.images) {
    if (!img.stored) return Status::NotFound("image " + img.name + " is not stored in the journal");
    switch (img.role) {
      case journal::ImageRole::kFirmware:
        m.config.firmware = img.name;
        TAPVM_RETURN_IF_ERROR(reader->ReadImage(img.role, img.name, &m.images.firmware));
        break;
      case journal::ImageRole::kKernel:
        m.config.kernel = img.name;
        TAPVM_RETURN_IF_ERROR(reader->ReadImage(img.role, img.name, &m.images.kernel));
        break;
      case journal::ImageRole::kInitrd:
        m.config.initrd = img.name;
        TAPVM_RETURN_IF_ERROR(reader->ReadImage(img.role, img.name, &m.images.initrd));
        break;
      case journal::ImageRole::kDisk:
        // Never read by the replay itself (reads come from the events), but
        // a damaged disk image means a damaged journal: refuse it.
        TAPVM_RETURN_IF_ERROR(reader->ReadImage(img.role, img.name, nullptr));
        if (disk < m.config.drives.size()) m.config.drives[disk].file = img.name;
        ++disk;
        m.drive_sizes.push_back(img.size);
        m.drive_hashes.push_back(img.hash);
        break;
      default: break;
    }
  }
  if (m.drive_sizes.size() != m.config.drives.size())
    return Status::Corruption("the journal configures " + std::to_string(m.config.drives.size()) +
                              " drives but stores " + std::to_string(m.drive_sizes.size()) + " disk images");
  if (m.images.firmware.empty() || (m.config.is_linux() && m.images.kernel.empty()))
    return Status::NotFound("the journal does not hold the firmware/kernel it was recorded with");
  *out = std::move(m);
  return Status::Ok();
}

}  // namespace tapvm
