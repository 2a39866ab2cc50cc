#pragma once
// In-place edits of another program's text file (env-file, toml-file, yaml-file): each value's
// bytes replaced where they are, every other byte kept, and the result written only when it
// parses back as the old file with only those values changed.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "plugins/common/file_identity.h"

namespace seam {

// Bytes [begin, end) replaced by `text` (begin == end: inserted).
struct TextEdit {
  std::size_t begin = 0, end = 0;
  std::string text;
};

// `bytes` with every edit applied, in order of position (edits at one position keep their
// order); nullopt when two overlap. The edits' texts are wiped, and so is every copy made: they
// hold values.
std::optional<std::string> ApplyTextEdits(std::string_view bytes, std::vector<TextEdit>& edits);

// The last step of an in-place edit: `edited` replaces the file read (`read`: ReplaceReadFile,
// plugins/common/atomic_file.h) when it read back as intended (`reads_back`), else nothing is
// written and the answer is Internal "<path>: the edited file would not read back as the old one
// with only the value changed (<why>); not writing". `edited` is wiped either way.
Status WriteIfReadsBack(const std::filesystem::path& path, const FileIdentity& read, std::string& edited,
                        bool reads_back, const std::string& why);

}  // namespace seam
