#pragma once
// Rendering of reconcile reports: the `check --json` / `repair --json` schema (README; seamd's
// GET /status uses it too) and the text table people read. Only fingerprints, never values.

#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "reconcilers/reconcile_pass.h"

namespace seam {

nlohmann::ordered_json SeamReportJson(const SeamReport& report, bool with_actions);
void PrintSeamReport(std::ostream& out, const SeamReport& report, bool with_actions);

}  // namespace seam
