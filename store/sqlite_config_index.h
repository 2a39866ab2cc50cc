#pragma once
// The config index: for one config text (by SHA-256), the lines of each seam's table that
// core/config_split.h checked, so `seamctl audit SEAM` parses that seam alone instead of all
// 10,000. `<state dir>/config-index.db`.
//
// File: PRAGMA application_id 0x53454149 ("SEAI"); tables
//   config_text(sha256 TEXT NOT NULL)   -- one row: the text the index is for
//   seam_lines(name TEXT PRIMARY KEY, first_line INTEGER NOT NULL, end_line INTEGER NOT NULL)
//     WITHOUT ROWID
// A cache, not state: it is written whole into a temporary file beside it and renamed over it,
// so a reader sees one text's index or another's, never a mix; a lost, torn or foreign file is
// a miss, and the next whole parse writes it again.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/config_split.h"
#include "core/status.h"

namespace seam {

// The lines of seam `name` when `file` is an index of the text whose SHA-256 is `text_sha256`
// (hex). nullopt when there is no such file, it is for another text, or it has no such seam. An
// error (naming the file) when the file is there but is not a readable index; callers treat
// that as a miss too.
Result<std::optional<LineRange>> FindIndexedSeam(const std::filesystem::path& file,
                                                 const std::string& text_sha256,
                                                 const std::string& name);

// Whether `file` is an index of the text `text_sha256`: false when it is missing or for
// another text; an error when it is there but is not a readable index.
Result<bool> IndexIsFor(const std::filesystem::path& file, const std::string& text_sha256);

// Replaces `file` with an index of `seams` for the text `text_sha256`. The directory must
// exist (it is not created). An error names the file; nothing is left behind.
Status WriteConfigIndex(const std::filesystem::path& file, const std::string& text_sha256,
                        const std::vector<SeamLines>& seams);

}  // namespace seam
