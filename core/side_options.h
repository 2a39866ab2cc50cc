#pragma once
// SideOptions: the plugin-specific keys of one `[seam.sides.NAME]` table, handed to the plugin's
// factory so core/config does not need to know every plugin. Each value remembers its source
// line, so a plugin can report "seam.toml:12: key `pointer` ...". The factory must Take() every
// key it understands; RejectUnknown() then names any key left over.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/hook_path.h"
#include "core/status.h"

namespace seam {

// One `key = "string"` of an inline sub-table such as `[seam.sides.cli.fields]`.
struct TableItem {
  std::string key;
  std::string value;
  int line = 0;
};
using StringTable = std::vector<TableItem>;  // in source order

struct OptionValue {
  std::variant<std::string, std::int64_t, bool, std::vector<std::string>, StringTable> value;
  int line = 0;
};

// The fields a seam's kind has (core/side.h "record"), and the one a shorthand key maps.
// Also what the config loader must know of the kind's rules.
struct KindFields {
  std::string kind = "token";
  std::vector<std::string> fields = {"token"};
  std::string primary = "token";
  // Sides may keep the primary field through a transform (sha256-hex); false for a kind whose
  // sides are compared by fingerprint and written whole (certificate).
  bool transforms = true;
  // A side's value can be taken into the log (authority = <side>, `seamctl adopt`); false when
  // a side cannot show the secret (a certificate side shows a fingerprint, not the key).
  bool adoptable = true;
  // Values expire (a seam's renew_before applies, and sides can be `expiring`).
  bool expires = false;
  // Seams of this kind may say their values are not secret (`secret = "false"`: value).
  bool may_be_plain = false;
  // Seam draws new values itself, so a seam may give their `[seam.format]` (token, value).
  bool generates = false;
};

// Where a side keeps one field: a JSON pointer, a column name, ... (the plugin decides).
struct FieldPlace {
  std::string field;
  std::string place;
  int line = 0;     // the line it was given on, for the plugin's own validation messages
  std::string key;  // how it was given: the shorthand ("pointer") or "fields.<field>"
};

class SideOptions {
 public:
  SideOptions(std::string config_file, std::filesystem::path base_dir, std::string seam,
              std::string side, int table_line)
      : config_file_(std::move(config_file)), base_dir_(std::move(base_dir)),
        seam_(std::move(seam)), side_(std::move(side)), table_line_(table_line) {}

  void Set(const std::string& key, OptionValue v) { values_[key] = std::move(v); }

  // The seam's kind and its fields; defaults to `token` with its single field `token`.
  void SetKind(KindFields kind) { kind_ = std::move(kind); }
  const KindFields& kind() const { return kind_; }

  // Removes and returns a string option. Missing + required -> InvalidArgument naming the table;
  // wrong type -> InvalidArgument naming the line.
  Result<std::optional<std::string>> TakeString(const std::string& key, bool required);
  // Like TakeString, then resolves the path against the directory of the config file.
  Result<std::optional<std::filesystem::path>> TakePath(const std::string& key, bool required);
  // Removes and returns an integer option (`document = 1`) within [min, max]; anything else is
  // InvalidArgument naming the line and the range.
  Result<std::optional<std::int64_t>> TakeInteger(const std::string& key, std::int64_t min, std::int64_t max);
  // Removes and returns a list-of-strings option (`argv = ["prog", "arg"]`; may be empty).
  // Missing is reported as by TakeString; any other type -> InvalidArgument naming the line.
  Result<std::optional<std::vector<std::string>>> TakeStringList(const std::string& key,
                                                                 bool required);

  // Takes the side's field map: the `fields` table (`field = "place"`, each field one of the
  // kind's) plus `shorthand` (e.g. `pointer`), which places the kind's primary field. Giving the
  // primary field both ways is an error; so is giving none at all. Returned in the kind's field
  // order. Places must be non-empty strings; what they mean is the plugin's business.
  Result<std::vector<FieldPlace>> TakeFieldMap(const std::string& shorthand);

  // The line of `key` (taken or not), or the table's line if the key was not given, so a
  // plugin's own validation can point at the right line.
  int LineOf(const std::string& key) const;

  // Any key not taken is an error naming file, line and key.
  Status RejectUnknown() const;

  // "seam.toml:12: seam `device-token` side `cli`" — prefix for messages about this table.
  std::string Where(int line = 0) const;

  const std::string& seam() const { return seam_; }
  const std::string& side() const { return side_; }
  const std::filesystem::path& base_dir() const { return base_dir_; }
  // The config's top-level `hook_path` (core/hook_path.h): the PATH of programs a side runs.
  void SetHookPath(std::string path) { hook_path_ = std::move(path); }
  const std::string& hook_path() const { return hook_path_; }

 private:
  std::string config_file_;
  std::filesystem::path base_dir_;
  std::string seam_;
  std::string side_;
  int table_line_;
  KindFields kind_;
  std::string hook_path_ = kDefaultHookPath;
  std::map<std::string, OptionValue> values_;
  std::map<std::string, int> taken_lines_;
};

}  // namespace seam
