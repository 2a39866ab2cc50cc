#pragma once
// The config index: for one config text, the lines of each seam's table that
// core/config_split.h checked, so `seamctl audit SEAM` parses that seam alone instead of all
// 10,000. `<state dir>/config-index.db`.
//
// File: PRAGMA application_id 0x53454149 ("SEAI"); exactly two tables:
//   config_text(text_key TEXT NOT NULL)   -- one row: which text (and writer) it is for
//   seam_lines(name TEXT PRIMARY KEY, first_line INTEGER NOT NULL, end_line INTEGER NOT NULL)
//     WITHOUT ROWID
// `text_key` is the caller's: a hash of the text and of what judged it (tools/common/
// config_for_seam.h), so an index written by another seam version is a miss.
//
// A cache, not state: it is written whole into a temporary file beside it and renamed over it,
// so a reader sees one text's index or another's, never a mix; a lost, torn or foreign file is
// a miss, and the next writer replaces it. Anyone who can write the state directory can plant a
// file here, so the reader accepts only the exact schema above, in defensive mode, with small
// value and work limits: a planted file is an error, never a hang or a huge allocation.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/config_index.h"
#include "core/config_split.h"
#include "core/status.h"

namespace seam {

// The lines of seam `name` when `file` is an index for `text_key`. nullopt when there is no
// such file, it is for another key, or it has no such seam. An error (naming the file) when the
// file is there but is not a readable index; callers treat that as a miss too.
Result<std::optional<LineRange>> FindIndexedSeam(const std::filesystem::path& file, const std::string& text_key,
                                                 const std::string& name);

// Whether `file` is an index for `text_key`: false when it is missing or for another key; an
// error when it is there but is not a readable index.
Result<bool> IndexIsFor(const std::filesystem::path& file, const std::string& text_key);

// Replaces `file` with an index of `seams` for `text_key`. The directory must exist (it is not
// created). An error names the file; nothing is left behind, and temporary files a killed
// writer left more than 10 minutes ago are removed.
Status WriteConfigIndex(const std::filesystem::path& file, const std::string& text_key,
                        const std::vector<SeamLines>& seams);

// The ConfigIndex (core/config_index.h) in the file above.
class SqliteConfigIndex final : public ConfigIndex {
 public:
  explicit SqliteConfigIndex(std::filesystem::path file) : file_(std::move(file)) {}

  Result<std::optional<LineRange>> Find(const std::string& text_key, const std::string& name) override {
    return FindIndexedSeam(file_, text_key, name);
  }
  Result<bool> IsFor(const std::string& text_key) override { return IndexIsFor(file_, text_key); }
  Status Write(const std::string& text_key, const std::vector<SeamLines>& seams) override {
    return WriteConfigIndex(file_, text_key, seams);
  }
  std::string Describe() const override { return file_.string(); }

 private:
  std::filesystem::path file_;
};

}  // namespace seam
