#include "recorder/recording.h"

#include <cstdio>

#include "journal/writer.h"

namespace tapvm {

Status OpenRecording(const std::string& path, const MachineConfig& config, const BootImages& images,
                     const RecordingOptions& options, std::unique_ptr<JournalPump>* out) {
  journal::JournalHeader h;
  h.writer_version = options.writer_version;
  h.config = config.Encode();
  h.config.insert(h.config.end(), options.extra_config.begin(), options.extra_config.end());
  h.digest_interval = config.digest_interval;
  journal::WriterOptions wo;
  wo.overwrite = options.overwrite;
  std::unique_ptr<journal::JournalWriter> writer;
  TAPVM_RETURN_IF_ERROR(journal::JournalWriter::Create(path, h, wo, &writer));
  // A recording that fails to start leaves no file behind.
  auto discard = [&](Status st) {
    writer.reset();
    std::remove(path.c_str());
    return st;
  };
  for (const DriveConfig& d : config.drives) {
    Status st = writer->PutImageFile(journal::ImageRole::kDisk, d.file, d.file);
    if (!st.ok()) return discard(st);
  }
  if (Status st = writer->Commit(); !st.ok()) return discard(st);
  writer->StartWriteback();  // the disks' bytes go to disk while the guest runs (journal_pump.cc)
  auto pump = std::make_unique<JournalPump>(std::move(writer));
  TAPVM_RETURN_IF_ERROR(pump->PutImage(journal::ImageRole::kFirmware, config.firmware, images.firmware));
  if (config.is_linux()) TAPVM_RETURN_IF_ERROR(pump->PutImage(journal::ImageRole::kKernel, config.kernel, images.kernel));
  if (!config.initrd.empty())
    TAPVM_RETURN_IF_ERROR(pump->PutImage(journal::ImageRole::kInitrd, config.initrd, images.initrd));
  *out = std::move(pump);
  return Status::Ok();
}

}  // namespace tapvm
