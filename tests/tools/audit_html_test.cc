// The audit timeline page (tools/common/audit_html.h) for hand-written audit JSON documents:
// its structure, colours, hover text and escaping as a string, then the same page loaded by a
// real headless Chromium (DOM dump and a screenshot kept under the build directory).

#include "tools/common/audit_html.h"
#include "tools/common/audit_svg.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "tests/e2e/chromium.h"
#include "tests/e2e/process.h"
#include "tests/support/temp_dir.h"

namespace seam {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::int64_t kT0 = 1'790'000'000'000'000;  // 2026-09-21T...Z: the first event
std::string At(int seconds) { return FormatTimeMicros(kT0 + std::int64_t{seconds} * 1'000'000); }

// device-token, sides gateway and cli, first event at 0 s, audited at 600 s:
//  - v1 issued (both sides), v2 rotated (cli only: gateway missed it), v6 rotated (both);
//  - gateway lagging: last in sync 90 s, first seen 130 s, repaired at 135 s;
//  - gateway missing: last in sync 200 s, first seen 250 s, closed externally at 280 s;
//  - cli foreign: last in sync 300 s, first seen 320 s, still open (runs to now);
//  - a restart of gateway at 240 s, cli flapping since 450 s, a value adopted from cli at 500 s.
Json KnownHistory() {
  return Json{
      {"seam", "device-token"},
      {"kind", "token"},
      {"entity", "device-42"},
      {"stream", "token/device-42"},
      {"sides", {"gateway", "cli"}},
      {"window", {{"since", nullptr}, {"until", nullptr}}},
      {"now", At(600)},
      {"first_event_at", At(0)},
      {"intended", {{"version", 9}, {"state", "active"}, {"fingerprint", "fp:0123456789ab"}}},
      {"entries",
       {{{"seq", 1}, {"version", 1}, {"time", At(0)}, {"actor", "seamctl:me@host"},
         {"event", "TokenIssued"}, {"category", "operation"}, {"side", nullptr},
         {"summary", "issued v1"}},
        {{"seq", 7}, {"version", 4}, {"time", At(135)}, {"actor", "seamd@host"},
         {"event", "SideRepaired"}, {"category", "repair"}, {"side", "gateway"},
         {"summary", "gateway repaired to v2"}},
        {{"seq", 12}, {"version", 9}, {"time", At(500)}, {"actor", "seamd@host"},
         {"event", "ValueAdopted"}, {"category", "adoption"}, {"side", "cli"},
         {"summary", "adopted the value cli held"}}}},
      {"operations",
       {{{"version", 1}, {"event", "TokenIssued"}, {"time", At(0)}, {"actor", "seamctl:me@host"},
         {"fingerprint", "fp:aaaaaaaaaaaa"}, {"reached", {"gateway", "cli"}},
         {"missed", Json::array()}},
        {{"version", 2}, {"event", "TokenRotated"}, {"time", At(100)},
         {"actor", "seamctl:me@host"}, {"fingerprint", "fp:bbbbbbbbbbbb"}, {"reached", {"cli"}},
         {"missed", {"gateway"}}},
        {{"version", 6}, {"event", "TokenRotated"}, {"time", At(400)},
         {"actor", "seamctl:me@host"}, {"fingerprint", "fp:cccccccccccc"},
         {"reached", {"gateway", "cli"}}, {"missed", Json::array()}}}},
      {"drifts",
       {{{"side", "gateway"}, {"verdict", "lagging"}, {"holds_version", 1},
         {"fingerprint", "fp:aaaaaaaaaaaa"}, {"intended_version", 2}, {"opened_version", 3},
         {"last_in_sync_at", At(90)}, {"first_seen_at", At(130)}, {"side_changed_at", nullptr},
         {"missed_operation", {{"version", 2}, {"event", "TokenRotated"}, {"time", At(100)}}},
         {"seen_before", nullptr},
         {"closed",
          {{"how", "repaired"}, {"at", At(135)}, {"cause", "seamd repair pass"}, {"version", 4}}}},
        {{"side", "gateway"}, {"verdict", "missing"}, {"holds_version", nullptr},
         {"fingerprint", nullptr}, {"intended_version", 2}, {"opened_version", 5},
         {"last_in_sync_at", At(200)}, {"first_seen_at", At(250)},
         {"side_changed_at", At(245)}, {"missed_operation", nullptr}, {"seen_before", nullptr},
         {"closed",
          {{"how", "external"}, {"at", At(280)}, {"cause", "the side came back"},
           {"version", 6}}}},
        {{"side", "cli"}, {"verdict", "foreign"}, {"holds_version", nullptr},
         {"fingerprint", "fp:dddddddddddd"}, {"intended_version", 6}, {"opened_version", 8},
         {"last_in_sync_at", At(300)}, {"first_seen_at", At(320)}, {"side_changed_at", nullptr},
         {"missed_operation", nullptr},
         {"seen_before", {{"version", 5}, {"time", At(250)}}}, {"closed", nullptr}}}},
      {"restarts",
       {{{"side", "gateway"}, {"time", At(240)}, {"marker", "boot-2"},
         {"previous_marker", "boot-1"}, {"started_at", At(238)}}}},
      {"flapping", {{{"side", "cli"}, {"since", At(450)}, {"cleared_at", nullptr}}}}};
}

// A quiet certificate seam: two renewals that reached both sides, no drift.
Json QuietSeam() {
  return Json{{"seam", "gateway-tls"},
              {"kind", "certificate"},
              {"entity", "gateway-tls"},
              {"stream", "certificate/gateway-tls"},
              {"sides", {"pem", "server"}},
              {"window", {{"since", nullptr}, {"until", nullptr}}},
              {"now", At(600)},
              {"first_event_at", At(20)},
              {"intended", {{"version", 2}, {"state", "active"}, {"fingerprint", "fp:eeeeeeeeeeee"}}},
              {"entries", Json::array()},
              {"operations",
               {{{"version", 1}, {"event", "CertificateIssued"}, {"time", At(20)},
                 {"actor", "seamctl:me@host"}, {"fingerprint", nullptr},
                 {"reached", {"pem", "server"}}, {"missed", Json::array()}},
                {{"version", 2}, {"event", "CertificateRenewed"}, {"time", At(350)},
                 {"actor", "seamd@host"}, {"fingerprint", "fp:eeeeeeeeeeee"},
                 {"reached", {"pem", "server"}}, {"missed", Json::array()}}}},
              {"drifts", Json::array()},
              {"restarts", Json::array()},
              {"flapping", Json::array()}};
}

Json NoEvents() {
  return Json{{"seam", "new-pairing"}, {"kind", "pairing"}, {"entity", "device-7"},
              {"stream", "pairing/device-7"}, {"sides", {"gateway", "cli"}},
              {"window", {{"since", nullptr}, {"until", nullptr}}}, {"now", At(600)},
              {"first_event_at", nullptr},
              {"intended", {{"version", nullptr}, {"state", "unset"}, {"fingerprint", nullptr}}},
              {"entries", Json::array()}, {"operations", Json::array()},
              {"drifts", Json::array()}, {"restarts", Json::array()},
              {"flapping", Json::array()}};
}

std::size_t Count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// Every start tag beginning with `prefix` (e.g. `<rect class="seg`), up to its closing '>'.
std::vector<std::string> Tags(const std::string& html, const std::string& prefix) {
  std::vector<std::string> out;
  for (std::size_t at = html.find(prefix); at != std::string::npos;
       at = html.find(prefix, at + 1)) {
    out.push_back(html.substr(at, html.find('>', at) - at + 1));
  }
  return out;
}

std::string AttrOf(const std::string& tag, const std::string& name) {
  const std::string key = " " + name + "=\"";
  const std::size_t at = tag.find(key);
  if (at == std::string::npos) return "<absent>";
  const std::size_t from = at + key.size();
  return tag.substr(from, tag.find('"', from) - from);
}

std::vector<std::string> TagsOf(const std::string& html, const std::string& prefix,
                                const std::string& side) {
  std::vector<std::string> out;
  for (const std::string& t : Tags(html, prefix)) {
    if (AttrOf(t, "data-side") == side) out.push_back(t);
  }
  return out;
}

std::string Render(const std::vector<Json>& seams, HtmlOptions options = {}) {
  return RenderAuditHtml(seams, options);
}

// seamd adds each certificate seam's expiry (from its last pass) under the seam's heading.
TEST(AuditHtml, ShowsWhenTheCertificatesExpire) {
  Json seam = KnownHistory();
  seam["expiry"] = Json{{"intended", {{"not_after", "2027-03-03T19:32:54Z"}, {"days_left", 90}}},
                        {"sides",
                         Json::array({Json{{"side", "disk"}, {"not_after", "2027-03-03T19:32:54Z"}, {"days_left", 90}},
                                      Json{{"side", "served<x>"}, {"not_after", "2026-11-01T00:00:00Z"}, {"days_left", -32}}})}};
  const std::string html = Render({seam});
  EXPECT_NE(html.find("<p class=\"expiry\" data-seam=\"device-token\">expires 2027-03-03T19:32:54Z (in 90 days) "
                      "\u00b7 disk 2027-03-03T19:32:54Z (in 90 days) \u00b7 served&lt;x&gt; 2026-11-01T00:00:00Z "
                      "(EXPIRED 32 days ago)</p>"),
            std::string::npos)
      << html.substr(0, 2000);
  // Without it (seamctl audit, or nothing that expires), no such paragraph.
  EXPECT_EQ(Render({KnownHistory()}).find("class=\"expiry\""), std::string::npos);
}

TEST(AuditHtml, DrawsOneSegmentPerStretchOfEachSide) {
  const std::string html = Render({KnownHistory()});
  EXPECT_EQ(Count(html, "<rect class=\"seg in_sync\""), 4u);  // gateway 3, cli 1
  EXPECT_EQ(Count(html, "<rect class=\"seg lagging\""), 1u);
  EXPECT_EQ(Count(html, "<rect class=\"seg missing\""), 1u);
  EXPECT_EQ(Count(html, "<rect class=\"seg foreign\""), 1u);
  EXPECT_EQ(Count(html, "<rect class=\"seg bracket\""), 3u);
  EXPECT_EQ(TagsOf(html, "<rect class=\"seg", "gateway").size(), 7u);
  EXPECT_EQ(TagsOf(html, "<rect class=\"seg", "cli").size(), 3u);
  for (const std::string& tag : Tags(html, "<rect class=\"seg")) {
    EXPECT_EQ(AttrOf(tag, "data-seam"), "device-token") << tag;
  }
}

TEST(AuditHtml, SegmentsTileEachBandFromFirstEventToNow) {
  const std::string html = Render({KnownHistory()});
  for (const std::string side : {"gateway", "cli"}) {
    std::vector<std::pair<double, double>> spans;  // x, width
    for (const std::string& tag : TagsOf(html, "<rect class=\"seg", side)) {
      spans.emplace_back(std::stod(AttrOf(tag, "x")), std::stod(AttrOf(tag, "width")));
    }
    std::sort(spans.begin(), spans.end());
    ASSERT_FALSE(spans.empty());
    EXPECT_NEAR(spans.front().first, 150.0, 0.11) << side;
    double end = spans.front().first;
    for (const auto& [x, w] : spans) {
      EXPECT_NEAR(x, end, 0.21) << side << ": a gap or an overlap at x=" << x;
      end = x + w;
    }
    EXPECT_NEAR(end, 1180.0, 0.21) << side;
  }
}

TEST(AuditHtml, DriftsAndBracketsSpanTheRecordedTimes) {
  const std::string html = Render({KnownHistory()});
  const auto gateway_brackets = TagsOf(html, "<rect class=\"seg bracket\"", "gateway");
  ASSERT_EQ(gateway_brackets.size(), 2u);
  EXPECT_EQ(AttrOf(gateway_brackets[0], "data-verdict"), "lagging");
  EXPECT_EQ(AttrOf(gateway_brackets[0], "data-from"), At(90));
  EXPECT_EQ(AttrOf(gateway_brackets[0], "data-to"), At(130));
  EXPECT_EQ(AttrOf(gateway_brackets[1], "data-verdict"), "missing");
  const auto lagging = Tags(html, "<rect class=\"seg lagging\"");
  ASSERT_EQ(lagging.size(), 1u);
  EXPECT_EQ(AttrOf(lagging[0], "data-from"), At(130));
  EXPECT_EQ(AttrOf(lagging[0], "data-to"), At(135));
  const auto foreign = Tags(html, "<rect class=\"seg foreign\"");
  ASSERT_EQ(foreign.size(), 1u);
  EXPECT_EQ(AttrOf(foreign[0], "data-side"), "cli");
  EXPECT_EQ(AttrOf(foreign[0], "data-to"), At(600)) << "an open drift runs to now";
}

// Unreadable spells (SideUnreadable .. SideReadable) are grey over the side's band: nothing is
// known of the side then. One still going runs to now.
TEST(AuditHtml, AnUnreadableSpellIsAGreyBandOverTheSide) {
  Json seam = KnownHistory();
  seam["unreadable"] = Json::array(
      {Json{{"side", "gateway"}, {"reason", "json-file state.json: invalid JSON at line 2, column 3"},
            {"since", At(300)}, {"until", At(360)}, {"opened_version", 12}, {"closed_version", 13}},
       Json{{"side", "cli"}, {"reason", "exec `<vault>`: exited 1"}, {"since", At(550)}, {"until", nullptr},
            {"opened_version", 20}, {"closed_version", nullptr}}});
  const std::string html = Render({seam});
  const auto gateway = TagsOf(html, "<rect class=\"seg unreadable\"", "gateway");
  ASSERT_EQ(gateway.size(), 1u);
  EXPECT_EQ(AttrOf(gateway[0], "data-from"), At(300));
  EXPECT_EQ(AttrOf(gateway[0], "data-to"), At(360));
  EXPECT_EQ(AttrOf(gateway[0], "fill"), audit_html::kUnreadableColour);
  const auto cli = TagsOf(html, "<rect class=\"seg unreadable\"", "cli");
  ASSERT_EQ(cli.size(), 1u);
  EXPECT_EQ(AttrOf(cli[0], "data-from"), At(550));
  EXPECT_EQ(AttrOf(cli[0], "data-to"), At(600)) << "still unreadable: drawn to now";
  EXPECT_NE(html.find("gateway: unreadable from " + At(300) + "\nread again from " + At(360) +
                      "\njson-file state.json: invalid JSON at line 2, column 3"),
            std::string::npos);
  EXPECT_NE(html.find("exec `&lt;vault&gt;`: exited 1"), std::string::npos) << "escaped";
}

TEST(AuditHtml, ColoursEachVerdictAndHatchesBrackets) {
  const std::string html = Render({KnownHistory()});
  const std::map<std::string, std::string> fill = {{"in_sync", "#2e9e5b"},
                                                   {"lagging", "#e67e22"},
                                                   {"foreign", "#d62828"},
                                                   {"missing", "#8e1b5a"}};
  for (const auto& [cls, colour] : fill) {
    for (const std::string& tag : Tags(html, "<rect class=\"seg " + cls + "\"")) {
      EXPECT_EQ(AttrOf(tag, "fill"), colour) << tag;
    }
  }
  for (const std::string& tag : Tags(html, "<rect class=\"seg bracket\"")) {
    const std::string pattern = "hatch-" + AttrOf(tag, "data-verdict");
    EXPECT_EQ(AttrOf(tag, "fill"), "url(#" + pattern + ")");
    EXPECT_EQ(Count(html, "<pattern id=\"" + pattern + "\""), 1u) << pattern;
  }
}

TEST(AuditHtml, MarksOperationsRepairsAdoptionsRestartsAndFlapping) {
  const std::string html = Render({KnownHistory()});
  EXPECT_EQ(Count(html, "<g class=\"mark operation"), 6u);  // 3 operations x 2 sides
  const auto missed = Tags(html, "<g class=\"mark operation missed\"");
  ASSERT_EQ(missed.size(), 1u);
  EXPECT_EQ(AttrOf(missed[0], "data-side"), "gateway");
  EXPECT_EQ(AttrOf(missed[0], "data-version"), "2");
  EXPECT_EQ(AttrOf(missed[0], "data-outcome"), "missed");
  EXPECT_NE(html.find("v2 TokenRotated</text>"), std::string::npos) << "the operation label";
  const auto repair = Tags(html, "<g class=\"mark repair\"");
  ASSERT_EQ(repair.size(), 1u);
  EXPECT_EQ(AttrOf(repair[0], "data-side"), "gateway");
  EXPECT_EQ(AttrOf(repair[0], "data-version"), "4");
  const auto adoption = Tags(html, "<g class=\"mark adoption\"");
  ASSERT_EQ(adoption.size(), 1u);
  EXPECT_EQ(AttrOf(adoption[0], "data-side"), "cli");
  const auto restart = Tags(html, "<g class=\"mark restart\"");
  ASSERT_EQ(restart.size(), 1u);
  EXPECT_EQ(AttrOf(restart[0], "data-side"), "gateway");
  const auto flapping = Tags(html, "<g class=\"mark flapping\"");
  ASSERT_EQ(flapping.size(), 1u);
  EXPECT_EQ(AttrOf(flapping[0], "data-side"), "cli");
}

TEST(AuditHtml, EverySegmentAndMarkHasHoverText) {
  const std::string html = Render({KnownHistory()});
  std::size_t checked = 0;
  for (const std::string prefix : {"<rect class=\"seg", "<g class=\"mark"}) {
    for (std::size_t at = html.find(prefix); at != std::string::npos;
         at = html.find(prefix, at + 1)) {
      const std::size_t end = html.find('>', at) + 1;
      EXPECT_EQ(html.compare(end, 7, "<title>"), 0) << html.substr(at, end - at);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 10u + 10u);
  // The lagging drift's hover text: what it held, what it missed, how it ended and why.
  const std::size_t lag = html.find("<rect class=\"seg lagging\"");
  const std::string title = html.substr(lag, html.find("</title>", lag) - lag);
  for (const std::string& part :
       {std::string("gateway: lagging, holds v1, intended v2, fp:aaaaaaaaaaaa"),
        "first seen " + At(130) + "; last in sync " + At(90),
        "missed v2 TokenRotated at " + At(100), "closed: repaired at " + At(135),
        std::string("cause: seamd repair pass")}) {
    EXPECT_NE(title.find(part), std::string::npos) << part << "\nin: " << title;
  }
  const std::size_t foreign = html.find("<rect class=\"seg foreign\"");
  const std::string ftitle = html.substr(foreign, html.find("</title>", foreign) - foreign);
  EXPECT_NE(ftitle.find("seen before: v5 at " + At(250)), std::string::npos) << ftitle;
  EXPECT_NE(ftitle.find("still open"), std::string::npos) << ftitle;
}

TEST(AuditHtml, HasSectionHeaderAxisAndLegend) {
  const std::string html = Render({KnownHistory()});
  EXPECT_NE(html.find("<h2>device-token</h2>"), std::string::npos);
  EXPECT_NE(html.find("entity <b>device-42</b>"), std::string::npos);
  EXPECT_NE(html.find("intended v9 (active), fp:0123456789ab"), std::string::npos);
  EXPECT_EQ(Count(html, "<text class=\"tick\""), 5u);
  EXPECT_NE(html.find(At(0).substr(0, 19) + "Z</text>"), std::string::npos) << "RFC 3339 label";
  EXPECT_NE(html.find("unreadable: seam could not read the side"), std::string::npos);
  EXPECT_NE(html.find("class=\"legend\""), std::string::npos);
  EXPECT_NE(html.find("Open drift:"), std::string::npos);
}

TEST(AuditHtml, EscapesEveryStringFromTheJson) {
  const std::string evil = "<script>alert(1)</script>\"'&";
  Json seam = KnownHistory();
  seam["seam"] = evil;
  seam["kind"] = evil;
  seam["sides"] = {evil, "cli"};
  for (Json& d : seam["drifts"]) {
    if (d["side"] == "gateway") d["side"] = evil;
  }
  seam["drifts"][0]["closed"]["cause"] = evil;
  seam["entries"][1]["side"] = evil;
  seam["entries"][1]["summary"] = evil;
  seam["entries"][2]["actor"] = "\"><img src=x onerror=alert(2)>";
  seam["operations"][1]["event"] = "<b>Rotated</b>";
  seam["operations"][1]["missed"] = {evil};
  seam["restarts"][0]["side"] = evil;
  HtmlOptions options;
  options.title = "</title><script>alert(3)</script>";
  const std::string html = RenderAuditHtml({seam}, options);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>Rotated"), std::string::npos);
  EXPECT_EQ(html.find("alert(1)\""), std::string::npos) << "an unescaped quote";
  const std::string escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;";
  EXPECT_NE(html.find("<h2>" + escaped + "</h2>"), std::string::npos);
  EXPECT_NE(html.find("data-seam=\"" + escaped + "\""), std::string::npos);
  EXPECT_NE(html.find("data-side=\"" + escaped + "\""), std::string::npos);
  EXPECT_NE(html.find("cause: " + escaped), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;Rotated&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("<title>&lt;/title&gt;&lt;script&gt;alert(3)"), std::string::npos);
  // The hostile side still gets its band and its marks.
  EXPECT_EQ(TagsOf(html, "<rect class=\"seg", "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;").size(), 7u);
  EXPECT_EQ(Count(html, "<g class=\"mark operation missed\""), 1u);
}

TEST(AuditHtml, ListsUndecodableEventsWithTheirReason) {
  Json seam = KnownHistory();
  seam["entries"][1]["error"] = "payload does not unseal <key?>";
  seam["errors"] = 1;
  const std::string html = Render({seam});
  EXPECT_NE(html.find("1 event(s) could not be decoded"), std::string::npos);
  EXPECT_NE(html.find("(unreadable event: payload does not unseal &lt;key?&gt;)"),
            std::string::npos);
}

TEST(AuditHtml, RefreshesItselfOnlyWhenAsked) {
  EXPECT_EQ(Render({KnownHistory()}).find("http-equiv"), std::string::npos);
  HtmlOptions live;
  live.refresh_seconds = 15;
  const std::string html = Render({KnownHistory()}, live);
  EXPECT_NE(html.find("<meta http-equiv=\"refresh\" content=\"15\">"), std::string::npos);
  EXPECT_EQ(Count(html, "http-equiv"), 1u);
}

TEST(AuditHtml, IsSelfContained) {
  const std::string html = Render({KnownHistory(), QuietSeam(), NoEvents()});
  for (const char* banned : {"http://", "https://", "<script", "<link", "@import", " src=", "//:"}) {
    EXPECT_EQ(html.find(banned), std::string::npos) << banned;
  }
  for (std::size_t at = html.find("url("); at != std::string::npos; at = html.find("url(", at + 1)) {
    EXPECT_EQ(html.compare(at, 5, "url(#"), 0) << "only in-page references";
  }
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
}

TEST(AuditHtml, EmptyInputIsAPageWithAMessage) {
  const std::string html = Render({});
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("No seams to show."), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  EXPECT_EQ(html.find("<svg class=\"timeline\""), std::string::npos);
}

TEST(AuditHtml, SeamWithoutEventsHasAMessageAndNoBands) {
  const std::string html = Render({NoEvents()});
  EXPECT_NE(html.find("<h2>new-pairing</h2>"), std::string::npos);
  EXPECT_NE(html.find("No events recorded for this seam yet."), std::string::npos);
  EXPECT_EQ(html.find("<rect class=\"seg"), std::string::npos);
  EXPECT_EQ(html.find("<g class=\"mark"), std::string::npos);
}

TEST(AuditHtml, ToleratesMalformedDocuments) {
  Json odd = KnownHistory();
  odd["sides"] = "gateway";              // not an array: sides come from the records
  odd["operations"][0]["version"] = "one";
  odd["operations"][1]["time"] = 12;     // not a time: skipped
  odd["drifts"][0]["first_seen_at"] = "yesterday";
  odd["restarts"] = Json::object();
  odd["now"] = nullptr;                  // no right edge: a 1 s wide picture
  const std::string html = Render({odd, Json::array(), Json(42), Json::object()});
  EXPECT_NE(html.find("This entry is not an audit document."), std::string::npos);
  EXPECT_NE(html.find("<h2>device-token</h2>"), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
}

// Twelve operations within twelve seconds of a ten-minute picture: the labels that fit take up
// to three rows and never overlap; the others keep their guide line and hover text only.
TEST(AuditHtml, CloseOperationLabelsNeverOverlap) {
  Json seam = QuietSeam();
  Json ops = Json::array();
  for (int i = 0; i < 12; ++i) {
    ops.push_back({{"version", 10 + i}, {"event", "CertificateRenewed"}, {"time", At(20 + i)},
                   {"actor", "seamd@host"}, {"fingerprint", nullptr}, {"reached", {"pem", "server"}},
                   {"missed", Json::array()}});
  }
  seam["operations"] = ops;
  const std::string html = Render({seam});
  struct Label {
    double from, to, y;
  };
  std::vector<Label> labels;
  for (std::size_t at = html.find("<text class=\"oplabel\""); at != std::string::npos;
       at = html.find("<text class=\"oplabel\"", at + 1)) {
    const std::string tag = html.substr(at, html.find('>', at) - at + 1);
    const std::size_t words = html.find("</title>", at) + 8;
    const std::string text = html.substr(words, html.find("</text>", words) - words);
    const double x = std::stod(AttrOf(tag, "x"));
    const double w = 6.2 * static_cast<double>(text.size());  // the page's estimate at 11px
    const bool end = AttrOf(tag, "text-anchor") == "end";
    labels.push_back({end ? x - w : x, end ? x : x + w, std::stod(AttrOf(tag, "y"))});
  }
  const std::size_t collapsed = Count(html, "<line class=\"opguide collapsed\"");
  EXPECT_EQ(labels.size() + collapsed, 12u);
  EXPECT_GT(collapsed, 0u) << "twelve labels cannot fit side by side in three rows";
  EXPECT_LE(labels.size(), 3u);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    for (std::size_t j = i + 1; j < labels.size(); ++j) {
      if (labels[i].y != labels[j].y) continue;
      EXPECT_TRUE(labels[i].to <= labels[j].from || labels[j].to <= labels[i].from)
          << "labels " << i << " and " << j << " overlap";
    }
  }
  EXPECT_NE(html.find("<title>v21 CertificateRenewed"), std::string::npos) << "a collapsed label keeps its hover text";
}

// A drift seamd repaired within the same second is drawn wide enough to see beside its bracket.
TEST(AuditHtml, ADriftRepairedAtOnceIsStillVisible) {
  Json seam = KnownHistory();
  Json& gateway = seam["drifts"][0];
  gateway["first_seen_at"] = At(130);
  gateway["closed"]["at"] = At(130);
  const std::string html = Render({seam});
  const std::vector<std::string> lagging = TagsOf(html, "<rect class=\"seg lagging\"", "gateway");
  ASSERT_EQ(lagging.size(), 1u);
  EXPECT_GE(std::stod(AttrOf(lagging[0], "width")), 6.0) << lagging[0];
}

// Operations are labelled by the revision people count when the document gives it; the log's
// version stays in the hover text.
TEST(AuditHtml, LabelsOperationsByRevision) {
  Json seam = QuietSeam();
  seam["operations"][0]["revision"] = 1;
  seam["operations"][1]["revision"] = 2;
  const std::string html = Render({seam});
  EXPECT_NE(html.find("</title>rev 2 CertificateRenewed</text>"), std::string::npos) << html;
  EXPECT_NE(html.find("<title>rev 2 CertificateRenewed (log v2) at "), std::string::npos);
}

// ---- headless Chromium ----------------------------------------------------------------------

using e2e::FindChromium;
using e2e::RunChromium;

class AuditHtmlChromium : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = FindChromium();
    // A missing peer fails the test (tools/dev installs chromium): it never passes by skipping.
    if (chromium_.empty()) GTEST_FAIL() << "chromium is not installed (Debian package chromium; tools/dev installs it)";
  }
  std::string chromium_;
  testing::TempDir dir_;
};

TEST_F(AuditHtmlChromium, LoadsThePageWithItsBandsAndMarksAndTakesAScreenshot) {
  const std::string html = Render({KnownHistory(), QuietSeam(), NoEvents()});
  const std::filesystem::path page = dir_ / "audit.html";
  testing::WriteFile(page, html);
  const std::string url = "file://" + page.string();

  const e2e::ProcessResult dom = RunChromium(chromium_, dir_, {"--dump-dom", url});
  ASSERT_FALSE(dom.timed_out) << dom.err;
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_EQ(Count(dom.out, "<svg class=\"timeline\""), 2u) << dom.out.substr(0, 2000);
  for (const std::string cls : {"in_sync", "lagging", "foreign", "missing", "bracket"}) {
    const std::string needle = "<rect class=\"seg " + cls + "\"";
    EXPECT_EQ(Count(dom.out, needle), Count(html, needle)) << cls;
  }
  EXPECT_EQ(Count(dom.out, "<rect class=\"seg in_sync\""), 4u + 2u);  // + the quiet seam's
  EXPECT_EQ(Count(dom.out, "<g class=\"mark operation"), 6u + 4u);
  EXPECT_EQ(Count(dom.out, "<g class=\"mark operation missed\""), 1u);
  for (const std::string cls : {"repair", "adoption", "restart", "flapping"}) {
    EXPECT_EQ(Count(dom.out, "<g class=\"mark " + cls + "\""), 1u) << cls;
  }
  EXPECT_NE(dom.out.find("No events recorded for this seam yet."), std::string::npos);
  // The hover text survived parsing as SVG <title> children of the shapes.
  EXPECT_NE(dom.out.find("missed v2 TokenRotated"), std::string::npos);

  const std::filesystem::path shot = AUDIT_HTML_SCREENSHOT;
  std::filesystem::remove(shot);
  const e2e::ProcessResult png = RunChromium(
      chromium_, dir_, {"--screenshot=" + shot.string(), "--window-size=1400,900", url});
  ASSERT_FALSE(png.timed_out) << png.err;
  ASSERT_EQ(png.exit_code, 0) << png.err;
  ASSERT_TRUE(std::filesystem::exists(shot)) << png.err;
  EXPECT_GT(std::filesystem::file_size(shot), 5u * 1024u);
  EXPECT_EQ(testing::ReadFile(shot).substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST_F(AuditHtmlChromium, KeepsHostileNamesAsText) {
  Json seam = KnownHistory();
  seam["seam"] = "<script>alert(1)</script>\"'&";
  seam["sides"] = {"<img src=x onerror=alert(2)>", "cli"};
  for (Json& d : seam["drifts"]) {
    if (d["side"] == "gateway") d["side"] = "<img src=x onerror=alert(2)>";
  }
  const std::filesystem::path page = dir_ / "hostile.html";
  testing::WriteFile(page, Render({seam}));
  const e2e::ProcessResult dom =
      RunChromium(chromium_, dir_, {"--dump-dom", "file://" + page.string()});
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_EQ(dom.out.find("<script"), std::string::npos);
  EXPECT_EQ(dom.out.find("<img"), std::string::npos);
  EXPECT_NE(dom.out.find("<h2>&lt;script&gt;alert(1)&lt;/script&gt;\"'&amp;</h2>"),
            std::string::npos);
  // The bands are still drawn: 7 + 3, plus a row for "gateway", which the restart and the
  // repair still name although the configured sides no longer list it.
  EXPECT_EQ(Count(dom.out, "<rect class=\"seg"), 11u);
}

}  // namespace
}  // namespace seam
