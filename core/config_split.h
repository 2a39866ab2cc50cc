#pragma once
// One seam of a large config without parsing the rest of it.
//
// A config of 10,000 seams is about 2.5 MB of TOML, and toml++ alone takes ~70 ms over it:
// more than `seamctl audit SEAM` may spend in all. Each [[seam]] table sits, with its own
// [seam.…] sub-tables, in a run of lines of its own; the lines outside every run plus the lines
// of one run (the others blanked, so line numbers and messages stay the file's own) parse to
// that seam alone.
//
// The split is lexical: a multi-line string or array holding a line that looks like a header,
// or a [store] table between a [[seam]] and its sub-tables, fools it. So it is trusted only for
// a text it was checked on against a whole parse (ParseConfigAndSplit): the lines outside every
// run parse to exactly the config without its seams, and each run alone to exactly its seam's
// table. The checked runs are kept by content hash (store/sqlite_config_index.h).

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/status.h"

namespace seam {

// Lines [first, end) of a text, 1-based.
struct LineRange {
  int first = 0;
  int end = 0;
  bool operator==(const LineRange&) const = default;
};

// Where each [[seam]] table of `text` appears to be: from its header line to the next header
// that is not one of its [seam.…] sub-tables (or the end), in file order. Lexical: see above.
std::vector<LineRange> SeamRuns(std::string_view text);

// A checked run: the seam named `name` is written on `lines`.
struct SeamLines {
  std::string name;
  LineRange lines;
};

struct SplitConfig {
  Config config;
  // Every seam's run, in file order, when the split holds for this text; empty when it does not
  // (then only a whole parse gives a seam) or when the config has no seam.
  std::vector<SeamLines> seams;
  // When `seams` is empty: why, naming the first lines that did not hold, for the log.
  std::string why_not_split;
};

// ParseConfig, plus the check of SeamRuns against the whole parse (about twice the work).
Result<SplitConfig> ParseConfigAndSplit(const std::string& text, const std::filesystem::path& file,
                                        const ConfigSchema& schema);

// ParseConfig over the lines outside `runs` plus, when given, the lines of `seam` (one of
// `runs`); every other line is blanked. Without `seam`: the [store] and [daemon] parts alone.
Result<Config> ParseConfigSubset(const std::string& text, const std::filesystem::path& file,
                                 const ConfigSchema& schema, const std::vector<LineRange>& runs,
                                 const LineRange* seam);

}  // namespace seam
