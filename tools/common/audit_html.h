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
//   <section class="seam" data-seam=".." data-status="..">  (data-status and a status word in
//      the heading when the document has "status": seamd's last pass)
//   <p class="summary">   options.summary; <p class="filter"> the note and the status links

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace seam {

struct HtmlOptions {
  std::string title = "seam timeline";
  std::string summary;      // under the title, e.g. "200 seams: 3 drifting, 196 in sync"
  std::string filter_note;  // what part of the seams is shown ("Showing the 3 with status drift.")
  bool status_links = false;  // links to /?status=drift, /?status=unknown and / (seamd's page)
  int refresh_seconds = 0;  // > 0: the page reloads itself (seamd's live page)
};

std::string RenderAuditHtml(const std::vector<nlohmann::ordered_json>& seams,
                            const HtmlOptions& options);

}  // namespace seam
