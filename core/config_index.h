#pragma once
// ConfigIndex: a cache of where each seam's lines are in one config text (core/config_split.h),
// so a command about one seam parses that seam alone. Kept in the store's local state
// (store::OpenConfigIndex, store/open.h). A cache, not state: every answer is checked by the
// caller, and a miss or an error only costs a whole parse.

#include <optional>
#include <string>
#include <vector>

#include "core/config_split.h"
#include "core/status.h"

namespace seam {

class ConfigIndex {
 public:
  virtual ~ConfigIndex() = default;

  // The lines of seam `name` when this is an index for `text_key`; nullopt when there is none,
  // it is for another key, or it has no such seam. An error (naming the index) when it is there
  // but cannot be read; callers treat that as a miss too.
  virtual Result<std::optional<LineRange>> Find(const std::string& text_key, const std::string& name) = 0;

  // Whether this is an index for `text_key`; an error when it is there but cannot be read.
  virtual Result<bool> IsFor(const std::string& text_key) = 0;

  // Replaces the index with one of `seams` for `text_key`, whole (a reader sees the old or the
  // new one, never a mix).
  virtual Status Write(const std::string& text_key, const std::vector<SeamLines>& seams) = 0;

  // For messages: where the index is.
  virtual std::string Describe() const = 0;
};

}  // namespace seam
