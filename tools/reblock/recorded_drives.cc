#include "tools/reblock/recorded_drives.h"

#include <memory>

#include "emulator/machine/machine_builder.h"
#include "replayer/recorded_machine.h"

namespace tapvm::reblock {

namespace {

// Building the machine asks for a tap; nothing runs, so nothing reaches it.
class InertTap final : public EventTap {
 public:
  void AttachDevice(TapDeviceId, TapInputSink*) override {}
  void SubmitBlock(BlockRequest) override {}
  void TransmitFrame(TapDeviceId, std::span<const uint8_t>) override {}
  void RequestEntropy(TapDeviceId, uint32_t) override {}
  void ConsoleOutput(TapDeviceId, std::span<const uint8_t>) override {}
  unsigned DeliverDue(uint64_t) override { return 0; }
};

}  // namespace

Status FindRecordedDrives(journal::JournalReader* reader, std::vector<RecordedDrive>* out) {
  RecordedMachine m;
  TAPVM_RETURN_IF_ERROR(LoadRecordedMachine(reader, &m));
  if (m.config.drives.empty()) return Status::InvalidArgument("the recorded machine has no disk");
  InertTap tap;
  std::unique_ptr<Board> board;
  MachineLayout layout;
  Status st = BuildMachine(m.config, m.images, m.drive_sizes, &tap, &board, &layout);
  if (!st.ok()) return st.WithPrefix("cannot rebuild the recorded machine: ");
  // LoadRecordedMachine took the disk images in header order, drive by drive.
  std::vector<const journal::ImageInfo*> disks;
  for (const journal::ImageInfo& img : reader->header().images)
    if (img.role == journal::ImageRole::kDisk) disks.push_back(&img);
  if (disks.size() != m.config.drives.size() || layout.drives.size() != m.config.drives.size())
    return Status::Corruption("the journal's drives, disk images and machine layout do not agree");
  std::vector<RecordedDrive> drives;
  for (size_t i = 0; i < disks.size(); ++i)
    drives.push_back(RecordedDrive{layout.drives[i], m.config.drives[i].read_only, *disks[i]});
  *out = std::move(drives);
  return Status::Ok();
}

}  // namespace tapvm::reblock
