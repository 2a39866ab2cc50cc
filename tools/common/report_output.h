#pragma once
// Rendering of reconcile reports: the `check --json` / `repair --json` schema (README; seamd's
// GET /status uses it too) and the text table people read. Only fingerprints, never values.

#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "reconcilers/reconcile_pass.h"

namespace seam {

// j.dump(indent), with bytes that are not UTF-8 (a --reason, an actor from the environment)
// replaced by U+FFFD instead of throwing: output never aborts on what a user typed.
std::string DumpJson(const nlohmann::ordered_json& j, int indent = -1);

nlohmann::ordered_json SeamReportJson(const SeamReport& report, bool with_actions);
// One entry of SeamReportJson's "sides".
nlohmann::ordered_json SideReportJson(const SideReport& side, bool with_actions);

// When the seam's values expire, as the report saw them: {"intended": {"not_after",
// "days_left"}, "sides": [{"side", "not_after", "days_left"}]} (sides holding something that
// expires); null when nothing does (not a certificate seam, or nothing held).
nlohmann::ordered_json ExpiryJson(const SeamReport& r);
void PrintSeamReport(std::ostream& out, const SeamReport& report, bool with_actions);

}  // namespace seam
