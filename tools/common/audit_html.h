#pragma once
// The audit timeline as one self-contained HTML page (`seamctl audit --html`, seamd's `GET /`):
// per seam a section, per side a time band (in sync / drift verdict / uncertain bracket), marks
// for operations, repairs, adoptions, restarts and flapping, hover text in SVG <title> elements.
// Inline CSS and SVG only: no script, no external asset, no network.
//
// Input: audit JSON documents as described in the audit schema (tools/common/audit_timeline.h
// builds them; seamd adds "expiry": each side's and the intended certificate's not_after and
// days_left from its last pass, shown under the seam's heading as <p class="expiry">). Every
// string from the JSON is escaped; missing or mistyped fields are skipped,
// never thrown on. Stable attributes for tests and scrapers:
//   <rect class="seg in_sync|lagging|foreign|missing|bracket" data-seam=".." data-side=".."
//         data-verdict=".." data-from="T" data-to="T">
//   <g class="mark operation|repair|adoption|restart|flapping" data-seam=".." data-side=".."
//      data-version="N">   (an operation tick on a side in `missed` is "mark operation missed")

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace seam {

struct HtmlOptions {
  std::string title = "seam timeline";
  int refresh_seconds = 0;  // > 0: the page reloads itself (seamd's live page)
};

std::string RenderAuditHtml(const std::vector<nlohmann::ordered_json>& seams,
                            const HtmlOptions& options);

}  // namespace seam
