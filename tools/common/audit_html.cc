#include "tools/common/audit_html.h"

#include <string_view>

#include "tools/common/audit_svg.h"

namespace seam {
namespace {

using audit_html::Arr;
using audit_html::Esc;
using audit_html::Int;
using audit_html::Json;
using audit_html::Obj;
using audit_html::Str;
using audit_html::Strings;

// Only the newest rows of a long window are listed; the picture still shows everything.
constexpr std::size_t kMaxTableRows = 1000;

constexpr std::string_view kCss = R"css(
body{font-family:"DejaVu Sans","Liberation Sans",system-ui,sans-serif;margin:16px 24px;color:#1b2631;background:#fff}
h1{font-size:20px;margin:0 0 6px}
h2{font-size:16px;margin:0 0 4px}
section.seam{margin:14px 0 22px;border-top:1px solid #d5d8dc;padding-top:10px}
.meta{color:#4d5656;font-size:13px;margin:2px 0}
.summary{font-size:15px;font-weight:600;margin:4px 0}
.filter{font-size:13px;margin:2px 0 8px}
h2 .status{font-size:12px;font-weight:600;padding:1px 6px;border-radius:3px;background:#d5d8dc;vertical-align:middle}
h2 .status.drift,h2 .status.flapping{background:#f5b7b1;color:#78281f}
h2 .status.unknown{background:#d7dbdd;color:#424949}
h2 .status.in_sync{background:#abebc6;color:#145a32}
.drifts{font-size:13px;margin:4px 0 6px}
.drifts .open,.error{color:#b03a2e}
.empty{color:#566573;font-style:italic}
.live{color:#566573;font-size:12px;margin:0 0 6px}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12px;align-items:center;margin:4px 0}
.legend svg{vertical-align:middle;margin-right:4px}
.note{font-size:12px;color:#566573;margin:4px 0 0}
svg.timeline{display:block;max-width:100%;height:auto}
svg.timeline text{font-size:11px;fill:#1b2631}
svg.timeline text.tick{fill:#4d5656;font-size:10px}
svg.timeline text.oplabel{fill:#1b2631;font-size:10.5px}
details{font-size:12px;margin:4px 0}
table.entries{border-collapse:collapse;margin-top:4px}
table.entries th,table.entries td{padding:2px 8px;border-bottom:1px solid #eaecee;text-align:left;vertical-align:top}
code{font-family:"DejaVu Sans Mono","Liberation Mono",monospace}
)css";

std::string Swatch(const std::string& shape) {
  return "<svg class=\"swatch\" width=\"28\" height=\"18\" viewBox=\"0 0 28 18\">" + shape +
         "</svg>";
}

std::string Band(const std::string& fill) {
  return Swatch("<rect x=\"0\" y=\"3\" width=\"28\" height=\"12\" fill=\"" + fill + "\"/>");
}

std::string Legend() {
  using namespace audit_html;
  auto item = [](const std::string& swatch, const char* text) {
    return "<span class=\"item\">" + swatch + text + "</span>";
  };
  std::string out = "<div class=\"legend\">";
  out += item(Band(kInSyncColour), "in sync (no drift recorded)");
  out += item(Band(VerdictColour("lagging")), "lagging");
  out += item(Band(VerdictColour("foreign")), "foreign");
  out += item(Band(VerdictColour("missing")), "missing");
  out += item(Band("url(#hatch-lagging)"),
              "uncertain: between last seen in sync and first seen drifted");
  out += item(Swatch(std::string("<line x1=\"14\" x2=\"14\" y1=\"1\" y2=\"17\" stroke=\"") +
                     kReachedColour + "\" stroke-width=\"2\"/>"),
              "operation reached the side");
  out += item(Swatch(std::string("<rect x=\"11.5\" y=\"1\" width=\"5\" height=\"16\" "
                                 "fill=\"#ffffff\" stroke=\"") +
                     kMissedColour + "\" stroke-width=\"1.5\"/>"),
              "operation the side missed");
  out += item(Swatch(std::string("<polygon points=\"14,5 9,13 19,13\" fill=\"") + kRepairColour +
                     "\"/>"),
              "repair");
  out += item(Swatch(std::string("<polygon points=\"14,2 20,9 14,16 8,9\" fill=\"") +
                     kAdoptionColour + "\"/>"),
              "adoption");
  out += item(Swatch(std::string("<circle cx=\"14\" cy=\"9\" r=\"5\" fill=\"#ffffff\" "
                                 "stroke=\"") +
                     kRestartColour + "\" stroke-width=\"2\"/>"),
              "restart seen");
  out += item(Swatch(std::string("<polyline fill=\"none\" stroke=\"") + kFlappingColour +
                     "\" stroke-width=\"1.5\" points=\"2,12 6,6 10,12 14,6 18,12 22,6 26,12\"/>"),
              "flapping");
  out += item(Band(kUnreadableColour), "unreadable: seam could not read the side");
  out += "</div>\n<p class=\"note\">Bands run from the seam's first event to now; hover a band "
         "or mark for times, versions, fingerprints and how a drift ended.</p>\n";
  return out;
}

std::string VersionText(const Json& j, const char* key) {
  const auto v = Int(j, key);
  return v ? "v" + std::to_string(*v) : "none";
}

// "gateway lagging, holds v3, since at least T (last in sync T)" for each drift still open.
std::string OpenDrifts(const Json& seam) {
  std::string items;
  for (const Json& d : Arr(seam, "drifts")) {
    if (!Obj(d, "closed").is_null()) continue;
    std::string text = Str(d, "side") + " " + Str(d, "verdict");
    if (Int(d, "holds_version")) text += ", holds " + VersionText(d, "holds_version");
    if (const std::string fp = Str(d, "fingerprint"); !fp.empty()) text += " (" + fp + ")";
    text += ", since at least " + Str(d, "first_seen_at");
    if (const std::string last = Str(d, "last_in_sync_at"); !last.empty()) {
      text += " (last in sync " + last + ")";
    }
    items += (items.empty() ? "" : "; ") + Esc(text);
  }
  if (items.empty()) return "<p class=\"drifts\">No open drift.</p>\n";
  return "<p class=\"drifts\"><span class=\"open\">Open drift:</span> " + items + "</p>\n";
}

std::string EntriesTable(const Json& seam) {
  const Json& entries = Arr(seam, "entries");
  if (entries.empty()) return "";
  const std::size_t skip = entries.size() > kMaxTableRows ? entries.size() - kMaxTableRows : 0;
  std::string out = "<details><summary>" + std::to_string(entries.size()) + " events";
  if (skip > 0) out += " (the newest " + std::to_string(kMaxTableRows) + " listed)";
  out += "</summary>\n<table class=\"entries\"><thead><tr><th>time</th><th>seq</th>"
         "<th>version</th><th>event</th><th>category</th><th>side</th><th>actor</th>"
         "<th>summary</th></tr></thead><tbody>\n";
  for (std::size_t i = skip; i < entries.size(); ++i) {
    const Json& e = entries[i];
    const auto num = [&](const char* key) {
      const auto v = Int(e, key);
      return v ? std::to_string(*v) : std::string();
    };
    out += "<tr><td><code>" + Esc(Str(e, "time")) + "</code></td><td>" + num("seq") +
           "</td><td>" + num("version") + "</td><td>" + Esc(Str(e, "event")) + "</td><td>" +
           Esc(Str(e, "category")) + "</td><td>" + Esc(Str(e, "side")) + "</td><td>" +
           Esc(Str(e, "actor")) + "</td><td>" + Esc(Str(e, "summary"));
    // An event the builder could not decode is listed with its reason, never hidden.
    if (const std::string error = Str(e, "error"); !error.empty()) {
      out += " <span class=\"error\">(unreadable event: " + Esc(error) + ")</span>";
    }
    out += "</td></tr>\n";
  }
  out += "</tbody></table></details>\n";
  return out;
}

// "2027-03-03T19:32:54Z (in 90 days)" from {"not_after", "days_left"}; "" without a not_after.
std::string ExpiryText(const Json& e) {
  const std::string at = Str(e, "not_after");
  if (at.empty()) return "";
  const auto days = Int(e, "days_left");
  if (!days) return at;
  const std::int64_t n = *days >= 0 ? *days : -*days;
  const std::string span = std::to_string(n) + (n == 1 ? " day" : " days");
  return at + (*days >= 0 ? " (in " + span + ")" : " (EXPIRED " + span + " ago)");
}

// seamd adds {"expiry": {"intended": {...}, "sides": [{"side", "not_after", "days_left"}]}}
// from each seam's last pass: when the certificate the log intends, and each side's, expires.
std::string Expiry(const Json& seam) {
  const Json& expiry = Obj(seam, "expiry");
  if (!expiry.is_object()) return "";
  std::string text;
  if (const std::string intended = ExpiryText(Obj(expiry, "intended")); !intended.empty()) {
    text = "expires " + intended;
  }
  if (const auto it = expiry.find("sides"); it != expiry.end() && it->is_array()) {
    for (const Json& side : *it) {
      const std::string at = ExpiryText(side);
      if (at.empty()) continue;
      text += (text.empty() ? "" : " \u00b7 ") + Str(side, "side") + " " + at;
    }
  }
  if (text.empty()) return "";
  return "<p class=\"expiry\" data-seam=\"" + Esc(Str(seam, "seam")) + "\">" + Esc(text) + "</p>\n";
}

std::string Section(const Json& seam) {
  const std::string name = Str(seam, "seam");
  const std::string status = Str(seam, "status");
  std::string out = "<section class=\"seam\" data-seam=\"" + Esc(name) + "\"" +
                    (status.empty() ? "" : " data-status=\"" + Esc(status) + "\"") + ">\n<h2>" +
                    Esc(name.empty() ? "(unnamed seam)" : name) +
                    (status.empty() ? "" : " <span class=\"status " + Esc(status) + "\">" + Esc(status) + "</span>") +
                    "</h2>\n";
  if (!seam.is_object()) {
    return out + "<p class=\"empty\">This entry is not an audit document.</p>\n</section>\n";
  }
  std::string sides;
  for (const std::string& s : Strings(seam, "sides")) sides += (sides.empty() ? "" : ", ") + s;
  out += "<p class=\"meta\">kind <b>" + Esc(Str(seam, "kind")) + "</b> \u00b7 entity <b>" +
         Esc(Str(seam, "entity")) + "</b> \u00b7 stream <code>" + Esc(Str(seam, "stream")) +
         "</code> \u00b7 sides " + Esc(sides) + "</p>\n";
  const Json& intended = Obj(seam, "intended");
  const auto revision = Int(intended, "revision");
  std::string meta = "intended " + (revision ? "rev " + std::to_string(*revision) : VersionText(intended, "version"));
  if (const std::string state = Str(intended, "state"); !state.empty()) meta += " (" + state + ")";
  if (const std::string fp = Str(intended, "fingerprint"); !fp.empty()) meta += ", " + fp;
  const Json& window = Obj(seam, "window");
  if (const std::string since = Str(window, "since"); !since.empty()) meta += " \u00b7 since " + since;
  if (const std::string until = Str(window, "until"); !until.empty()) meta += " \u00b7 until " + until;
  meta += " \u00b7 as of " + Str(seam, "now");
  out += "<p class=\"meta\">" + Esc(meta) + "</p>\n";
  out += Expiry(seam);
  if (!audit_html::Time(seam, "first_event_at")) {
    return out + "<p class=\"empty\">No events recorded for this seam yet.</p>\n</section>\n";
  }
  if (const auto errors = Int(seam, "errors"); errors && *errors > 0) {
    out += "<p class=\"drifts\"><span class=\"open\">" + std::to_string(*errors) +
           " event(s) could not be decoded</span>; they are listed below with the reason.</p>\n";
  }
  out += OpenDrifts(seam);
  out += audit_html::TimelineSvg(seam);
  out += EntriesTable(seam);
  out += "</section>\n";
  return out;
}

}  // namespace

std::string RenderAuditHtml(const std::vector<nlohmann::ordered_json>& seams,
                            const HtmlOptions& options) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  if (options.refresh_seconds > 0) {
    out += "<meta http-equiv=\"refresh\" content=\"" + std::to_string(options.refresh_seconds) +
           "\">\n";
  }
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
         Esc(options.title) + "</title>\n<style>" + std::string(kCss) + "</style>\n</head>\n<body>\n";
  // The hatch patterns once for the page; every timeline SVG refers to them by id.
  out += "<svg class=\"defs\" width=\"0\" height=\"0\" style=\"position:absolute\" "
         "aria-hidden=\"true\"><defs>" +
         audit_html::HatchPatterns() + "</defs></svg>\n";
  out += "<header>\n<h1>" + Esc(options.title) + "</h1>\n";
  if (!options.summary.empty()) out += "<p class=\"summary\">" + Esc(options.summary) + "</p>\n";
  if (!options.filter_note.empty() || options.status_links) {
    out += "<p class=\"filter\">" + Esc(options.filter_note);
    if (options.status_links) {
      out += std::string(options.filter_note.empty() ? "" : " ") +
             "Show: <a href=\"/?status=drift\">drifting</a> \u00b7 <a href=\"/?status=unknown\">unknown</a> "
             "\u00b7 <a href=\"/\">every seam</a>";
    }
    out += "</p>\n";
  }
  if (options.refresh_seconds > 0) {
    out += "<p class=\"live\">Live: this page reloads every " +
           std::to_string(options.refresh_seconds) + " s.</p>\n";
  }
  out += Legend() + "</header>\n<main>\n";
  if (seams.empty()) out += "<p class=\"empty\">No seams to show.</p>\n";
  for (const Json& seam : seams) out += Section(seam);
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace seam
