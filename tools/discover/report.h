#pragma once
// How `seamctl discover` says what it found: text for a person, --json for a script, --toml for
// seam.toml (ready-to-paste [[seam]] tables and the `seamctl adopt` that records each value).
// Never a value: places are named by file and locator, values by keyed fingerprints.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <string>

#include "tools/discover/discover.h"
#include "tools/discover/grouping.h"

namespace seam::discover {

struct ReportContext {
  const Findings& findings;
  const Grouping& grouping;
  // How the fingerprints are keyed, for the header: "the state's key (.seam/key): they match
  // `seamctl check`" or "an ephemeral key: they match nothing outside this run".
  std::string key_note;
  // --toml: paths relative to this directory (the config's, else the current one) when below it.
  std::filesystem::path base_dir;
  std::set<std::string> taken_names;  // seam names the config already has
};

void PrintText(std::ostream& out, const ReportContext& r);
nlohmann::ordered_json ToJson(const ReportContext& r);
void PrintToml(std::ostream& out, const ReportContext& r);

// `s` (a file name, a locator: bytes another program chose) fit for one line of text or a TOML
// comment: control characters and bytes that are not UTF-8 as \n, \t, \xNN.
std::string Printable(std::string_view s);

// 1 when something is worth a look (a group with a place the config does not keep, or a near
// miss), else 0.
int ExitCodeFor(const ReportContext& r);

}  // namespace seam::discover
