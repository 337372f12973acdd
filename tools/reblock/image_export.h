// ExportImage: writes an image stored in a journal (ImageInfo::stored) to a
// file, chunk by chunk (never the whole image in memory), leaving all-zero
// chunks as holes, and checks the file against the image's recorded size
// and content hash. The file is created or truncated.
//
// Errors: Corruption when the journal's chunks do not make up the image
// (a chunk missing, damaged, of the wrong size, or the whole hash wrong);
// NotFound when the image is only declared, not stored; IOError for the
// file. Not thread-safe (the reader is not).
#pragma once

#include <string>

#include "emulator/base/status.h"
#include "journal/header.h"
#include "journal/reader.h"

namespace tapvm::reblock {

Status ExportImage(journal::JournalReader* reader, const journal::ImageInfo& image, const std::string& path);

}  // namespace tapvm::reblock
