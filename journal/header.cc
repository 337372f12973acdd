#include "journal/header.h"

namespace tapvm::journal {
namespace {
constexpr const char* kRoleNames[kImageRoleCount] = {"kernel", "initrd", "firmware", "disk", "other"};
}  // namespace

const char* ImageRoleName(ImageRole role) {
  const size_t i = static_cast<size_t>(role);
  return i < kImageRoleCount ? kRoleNames[i] : "unknown";
}

bool ParseImageRole(std::string_view name, ImageRole* role) {
  for (size_t i = 0; i < kImageRoleCount; ++i) {
    if (name == kRoleNames[i]) {
      *role = static_cast<ImageRole>(i);
      return true;
    }
  }
  return false;
}

const std::string* JournalHeader::FindConfig(std::string_view key) const {
  for (const auto& [k, v] : config) {
    if (k == key) return &v;
  }
  return nullptr;
}

const ImageInfo* JournalHeader::FindImage(ImageRole role, std::string_view name) const {
  for (const ImageInfo& im : images) {
    if (im.role == role && im.name == name) return &im;
  }
  return nullptr;
}

}  // namespace tapvm::journal
