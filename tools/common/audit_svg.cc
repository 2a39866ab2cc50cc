#include "tools/common/audit_svg.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <utility>

#include "core/clock.h"

namespace seam::audit_html {
namespace {

// Geometry of one seam's picture (SVG user units; the page scales it down on narrow screens).
constexpr double kWidth = 1200;
constexpr double kLabelRight = 140;  // side names end here
constexpr double kX0 = 150;          // the plot's left and right edges
constexpr double kX1 = 1180;
constexpr double kLaneH = 13;        // one row of operation labels
constexpr std::size_t kMaxLanes = 3;
constexpr std::size_t kCollapsed = static_cast<std::size_t>(-1);  // a label with no free lane
constexpr double kRowH = 34;         // one side
constexpr double kBandOff = 9;       // band top within its row
constexpr double kBandH = 16;
// A drift opened and closed within moments (seamd repairs in milliseconds) is drawn this wide,
// so its colour shows beside the hatched bracket before it instead of a sliver.
constexpr double kMinDriftW = 6;
constexpr std::size_t kSideLabelMax = 20;
constexpr double kCharW = 6.2;       // estimated width of one label character at 11px

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string Attr(const char* name, std::string_view value) {
  return std::string(" ") + name + "=\"" + Esc(value) + "\"";
}

std::string Version(const std::optional<std::int64_t>& v) {
  return v ? "v" + std::to_string(*v) : "v?";
}

// An operation as people count it: "rev 2" when the document gives its revision, else "v4".
std::string OperationNumber(const nlohmann::ordered_json& op) {
  if (const auto rev = Int(op, "revision"); rev && *rev > 0) return "rev " + std::to_string(*rev);
  return Version(Int(op, "version"));
}

std::string OrUnknown(const std::string& s, const char* unknown = "unknown") {
  return s.empty() ? unknown : s;
}

// A side name for the label column: at most kSideLabelMax bytes, cut on a UTF-8 boundary.
std::string ShortName(const std::string& name) {
  if (name.size() <= kSideLabelMax) return name;
  std::size_t cut = kSideLabelMax - 1;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  return name.substr(0, cut) + "\u2026";
}

using Interval = std::pair<std::int64_t, std::int64_t>;

// [from, to) minus every interval in `cut`, in time order; empty pieces dropped.
std::vector<Interval> Subtract(Interval whole, std::vector<Interval> cut) {
  std::sort(cut.begin(), cut.end());
  std::vector<Interval> out;
  std::int64_t at = whole.first;
  for (const Interval& c : cut) {
    if (c.second <= at || c.first >= whole.second) continue;
    if (c.first > at) out.emplace_back(at, c.first);
    at = std::max(at, c.second);
    if (at >= whole.second) break;
  }
  if (at < whole.second) out.emplace_back(at, whole.second);
  return out;
}

// Maps times onto the plot; times outside [t0, t1] are clamped to its edges.
struct Scale {
  std::int64_t t0;
  std::int64_t t1;
  std::int64_t Clamp(std::int64_t t) const { return std::clamp(t, t0, t1); }
  double X(std::int64_t t) const {
    const double f = static_cast<double>(Clamp(t) - t0) / static_cast<double>(t1 - t0);
    return kX0 + (kX1 - kX0) * f;
  }
};

struct Drift {
  const Json* j;
  std::string cls;                 // VerdictClass
  std::int64_t bracket_from;       // last_in_sync_at, or the left edge when unknown
  std::int64_t open_from;          // first_seen_at
  std::int64_t open_to;            // closed.at, or the right edge while open
};

class SeamPicture {
 public:
  explicit SeamPicture(const Json& seam) : seam_(seam) {
    name_ = Str(seam, "seam");
    const std::int64_t first = Time(seam, "first_event_at").value_or(0);
    const Json& window = Obj(seam, "window");
    std::int64_t t0 = first;
    if (auto since = Time(window, "since"); since && *since > t0) t0 = *since;
    now_ = Time(seam, "now");
    std::int64_t t1 = now_.value_or(t0);
    if (auto until = Time(window, "until"); until && *until < t1) t1 = *until;
    if (t1 <= t0) t1 = t0 + 1000000;  // one event, or a clock step back: a 1 s wide picture
    scale_ = Scale{t0, t1};
    CollectSides();
  }

  std::string Render() {
    const std::vector<std::size_t> lanes = LabelLanes();
    std::size_t lane_count = 0;
    for (std::size_t l : lanes) {
      if (l != kCollapsed) lane_count = std::max(lane_count, l + 1);
    }
    top_ = 6 + kLaneH * static_cast<double>(lane_count) + 6;
    const double axis_y = top_ + kRowH * static_cast<double>(sides_.size()) + 4;
    const double height = axis_y + 30;

    out_ += "<svg class=\"timeline\"" + Attr("data-seam", name_) + " viewBox=\"0 0 " +
            Num(kWidth) + " " + Num(height) + "\" width=\"" + Num(kWidth) + "\" height=\"" +
            Num(height) + "\" role=\"img\"" + Attr("aria-label", "timeline of seam " + name_) +
            ">\n";
    OperationGuides(lanes, axis_y);
    for (std::size_t i = 0; i < sides_.size(); ++i) {
      const double y = top_ + kRowH * static_cast<double>(i);
      SideLabel(sides_[i], y);
      Bands(sides_[i], y + kBandOff);
    }
    for (std::size_t i = 0; i < sides_.size(); ++i) {
      const double by = top_ + kRowH * static_cast<double>(i) + kBandOff;
      Flapping(sides_[i], by);
      OperationTicks(sides_[i], by);
      EntryMarks(sides_[i], by);
      Restarts(sides_[i], by);
    }
    Axis(axis_y);
    out_ += "</svg>\n";
    return std::move(out_);
  }

 private:
  // Configured sides in config order, then any side the records name that the config no
  // longer lists (so nothing recorded is silently left out).
  void CollectSides() {
    sides_ = Strings(seam_, "sides");
    auto add = [&](const std::string& s) {
      if (!s.empty() && std::find(sides_.begin(), sides_.end(), s) == sides_.end()) {
        sides_.push_back(s);
      }
    };
    for (const char* list : {"drifts", "restarts", "flapping", "unreadable", "entries"}) {
      for (const Json& item : Arr(seam_, list)) add(Str(item, "side"));
    }
  }

  // Greedy placement of "v4 TokenRotated" labels in up to kMaxLanes rows above the bands, each
  // in the first row where it clears the label before it by 4 units. A label no row has room
  // for is collapsed (kCollapsed): its guide line is drawn with the hover text, its words are
  // not, so labels never overlap however close the operations are.
  std::vector<std::size_t> LabelLanes() const {
    std::vector<std::size_t> lanes;
    std::vector<double> lane_end(kMaxLanes, -1e9);
    for (const Json& op : Arr(seam_, "operations")) {
      const auto t = Time(op, "time");
      if (!t) {
        lanes.push_back(0);
        continue;
      }
      const double x = scale_.X(*t);
      const double w = kCharW * static_cast<double>(OpLabel(op).size());
      const bool right = x + w > kX1;  // near the right edge a label ends at its tick
      const double start = right ? x - w : x;
      std::size_t lane = kCollapsed;
      for (std::size_t l = 0; l < lane_end.size(); ++l) {
        if (lane_end[l] < start - 4) {
          lane = l;
          break;
        }
      }
      if (lane != kCollapsed) lane_end[lane] = right ? x : x + w;
      lanes.push_back(lane);
    }
    return lanes;
  }

  static std::string OpLabel(const Json& op) {
    return OperationNumber(op) + " " + OrUnknown(Str(op, "event"), "operation");
  }

  void OperationGuides(const std::vector<std::size_t>& lanes, double axis_y) {
    std::size_t i = 0;
    for (const Json& op : Arr(seam_, "operations")) {
      const std::size_t lane = lanes[i++];
      const auto t = Time(op, "time");
      if (!t) continue;
      const double x = scale_.X(*t);
      const std::string label = OpLabel(op);
      const double w = kCharW * static_cast<double>(label.size());
      const bool right = x + w > kX1;  // as in LabelLanes
      if (lane == kCollapsed) {
        // No room for the words: the guide from the top, with the hover text.
        out_ += "<line class=\"opguide collapsed\"" + Attr("data-version", VersionAttr(op)) + " x1=\"" + Num(x) +
                "\" x2=\"" + Num(x) + "\" y1=\"6\" y2=\"" + Num(axis_y) +
                "\" stroke=\"#aab7b8\" stroke-width=\"1\" stroke-dasharray=\"1 3\"><title>" +
                Esc(OperationText(op)) + "</title></line>\n";
        continue;
      }
      const double ly = 6 + kLaneH * static_cast<double>(lane + 1) - 3;
      out_ += "<line class=\"opguide\" x1=\"" + Num(x) + "\" x2=\"" + Num(x) + "\" y1=\"" +
              Num(ly + 2) + "\" y2=\"" + Num(axis_y) +
              "\" stroke=\"#aab7b8\" stroke-width=\"1\" stroke-dasharray=\"3 3\"/>\n";
      out_ += "<text class=\"oplabel\"" + Attr("data-version", VersionAttr(op)) + " x=\"" +
              Num(right ? x - 3 : x + 3) + "\" y=\"" + Num(ly) + "\"" +
              (right ? " text-anchor=\"end\"" : "") + "><title>" + Esc(OperationText(op)) +
              "</title>" + Esc(label) + "</text>\n";
    }
  }

  static std::string VersionAttr(const Json& j) {
    const auto v = Int(j, "version");
    return v ? std::to_string(*v) : "";
  }

  static std::string OperationText(const Json& op) {
    std::string t = OperationNumber(op) + " " + OrUnknown(Str(op, "event"), "operation") +
                    (Int(op, "revision") ? " (log " + Version(Int(op, "version")) + ")" : std::string()) + " at " +
                    OrUnknown(Str(op, "time")) + " by " + OrUnknown(Str(op, "actor"));
    if (const std::string fp = Str(op, "fingerprint"); !fp.empty()) t += "\nfingerprint " + fp;
    const auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (const std::string& e : v) s += (s.empty() ? "" : ", ") + e;
      return s.empty() ? std::string("none") : s;
    };
    t += "\nreached: " + join(Strings(op, "reached"));
    t += "\nmissed: " + join(Strings(op, "missed"));
    return t;
  }

  void SideLabel(const std::string& side, double y) {
    out_ += "<text class=\"side\"" + Attr("data-side", side) + " x=\"" + Num(kLabelRight) +
            "\" y=\"" + Num(y + kBandOff + kBandH - 4) + "\" text-anchor=\"end\"><title>" +
            Esc(side) + "</title>" + Esc(ShortName(side)) + "</text>\n";
  }

  std::vector<Drift> DriftsOf(const std::string& side) const {
    std::vector<Drift> out;
    for (const Json& d : Arr(seam_, "drifts")) {
      if (Str(d, "side") != side) continue;
      const auto seen = Time(d, "first_seen_at");
      if (!seen) continue;
      Drift drift{&d, VerdictClass(Str(d, "verdict")), 0, scale_.Clamp(*seen), scale_.t1};
      drift.bracket_from = scale_.Clamp(Time(d, "last_in_sync_at").value_or(scale_.t0));
      drift.bracket_from = std::min(drift.bracket_from, drift.open_from);
      if (auto at = Time(Obj(d, "closed"), "at")) {
        drift.open_to = std::max(scale_.Clamp(*at), drift.open_from);
      }
      out.push_back(drift);
    }
    return out;
  }

  void Rect(const std::string& cls, const std::string& side, const std::string& verdict,
            std::int64_t from, std::int64_t to, double by, const std::string& fill,
            const std::string& title, double min_w) {
    const double x = scale_.X(from);
    const double w = std::max(scale_.X(to) - x, min_w);
    out_ += "<rect class=\"seg " + cls + "\"" + Attr("data-seam", name_) +
            Attr("data-side", side) + Attr("data-verdict", verdict) +
            Attr("data-from", FormatTimeMicros(from)) + Attr("data-to", FormatTimeMicros(to)) +
            " x=\"" + Num(x) + "\" y=\"" + Num(by) + "\" width=\"" + Num(w) + "\" height=\"" +
            Num(kBandH) + "\" fill=\"" + fill + "\"><title>" + Esc(title) + "</title></rect>\n";
  }

  std::string EdgeTime(std::int64_t t) const {
    std::string s = FormatTimeMicros(t);
    if (now_ && t == *now_) s += " (now)";
    return s;
  }

  // Green where no drift is recorded, the verdict's colour where one is open, and the uncertain
  // bracket [last_in_sync_at, first_seen_at] hatched. Later drifts paint over earlier ones.
  void Bands(const std::string& side, double by) {
    const std::vector<Drift> drifts = DriftsOf(side);
    std::vector<Interval> covered;
    std::vector<Interval> open;
    for (const Drift& d : drifts) {
      covered.emplace_back(d.bracket_from, d.open_to);
      open.emplace_back(d.open_from, d.open_to);
    }
    for (const Interval& piece : Subtract({scale_.t0, scale_.t1}, covered)) {
      Rect("in_sync", side, "in_sync", piece.first, piece.second, by, kInSyncColour,
           side + ": in sync (no drift recorded)\nfrom " + EdgeTime(piece.first) + "\nto " +
               EdgeTime(piece.second),
           0);
    }
    for (const Drift& d : drifts) {
      for (const Interval& piece : Subtract({d.bracket_from, d.open_from}, open)) {
        Rect("bracket", side, d.cls, piece.first, piece.second, by,
             "url(#hatch-" + d.cls + ")", BracketText(side, *d.j), 0);
      }
    }
    for (const Drift& d : drifts) {
      Rect(d.cls, side, d.cls, d.open_from, d.open_to, by, VerdictColour(d.cls),
           DriftText(side, *d.j), kMinDriftW);
    }
    Unreadable(side, by);
  }

  // Grey over whatever the band says while the side could not be read: nothing is known of it
  // then, whatever the last drift record said.
  void Unreadable(const std::string& side, double by) {
    for (const Json& u : Arr(seam_, "unreadable")) {
      if (Str(u, "side") != side) continue;
      const auto since = Time(u, "since");
      if (!since) continue;
      const std::int64_t from = scale_.Clamp(*since);
      const std::int64_t to = std::max(scale_.Clamp(Time(u, "until").value_or(scale_.t1)), from);
      const std::string until = Str(u, "until");
      Rect("unreadable", side, "unreadable", from, to, by, kUnreadableColour,
           side + ": unreadable from " + Str(u, "since") +
               (until.empty() ? std::string("\nstill unreadable (drawn to now)") : "\nread again from " + until) +
               "\n" + Str(u, "reason"),
           kMinDriftW);
    }
  }

  static std::string BracketText(const std::string& side, const Json& d) {
    const std::string last = Str(d, "last_in_sync_at");
    return side + ": uncertain: the " + OrUnknown(Str(d, "verdict"), "drift") +
           " drift began in this bracket\nlast seen in sync " +
           (last.empty() ? std::string("unknown (not in the record)") : last) +
           "\nfirst seen drifted " + OrUnknown(Str(d, "first_seen_at"));
  }

  static std::string DriftText(const std::string& side, const Json& d) {
    std::string t = side + ": " + OrUnknown(Str(d, "verdict"), "drift");
    if (const auto held = Int(d, "holds_version")) t += ", holds v" + std::to_string(*held);
    if (const auto want = Int(d, "intended_version")) {
      t += ", intended v" + std::to_string(*want);
    }
    if (const std::string fp = Str(d, "fingerprint"); !fp.empty()) t += ", " + fp;
    t += "\nfirst seen " + OrUnknown(Str(d, "first_seen_at")) + "; last in sync " +
         OrUnknown(Str(d, "last_in_sync_at"));
    if (const std::string changed = Str(d, "side_changed_at"); !changed.empty()) {
      t += "\nside changed at " + changed;
    }
    if (const Json& missed = Obj(d, "missed_operation"); !missed.is_null()) {
      t += "\nmissed " + Version(Int(missed, "version")) + " " + Str(missed, "event") + " at " +
           OrUnknown(Str(missed, "time"));
    }
    if (const Json& before = Obj(d, "seen_before"); !before.is_null()) {
      t += "\nthis fingerprint was seen before: " + Version(Int(before, "version")) + " at " +
           OrUnknown(Str(before, "time"));
    }
    if (const auto opened = Int(d, "opened_version")) {
      t += "\nopened at log version " + std::to_string(*opened);
    }
    const Json& closed = Obj(d, "closed");
    if (closed.is_null()) {
      t += "\nstill open (drawn to now)";
    } else {
      t += "\nclosed: " + OrUnknown(Str(closed, "how")) + " at " + OrUnknown(Str(closed, "at"));
      if (const auto v = Int(closed, "version")) t += " (log version " + std::to_string(*v) + ")";
      if (const std::string cause = Str(closed, "cause"); !cause.empty()) {
        t += "\ncause: " + cause;
      }
    }
    return t;
  }

  std::string MarkOpen(const std::string& cls, const std::string& side, const std::string& version,
                       const std::string& extra_attrs, const std::string& title) const {
    return "<g class=\"mark " + cls + "\"" + Attr("data-seam", name_) + Attr("data-side", side) +
           Attr("data-version", version) + extra_attrs + "><title>" + Esc(title) + "</title>";
  }

  // A tick per operation on every side: solid where the side confirmed it, a hollow red tick
  // where it is listed in `missed`, dashed grey where neither is known.
  void OperationTicks(const std::string& side, double by) {
    for (const Json& op : Arr(seam_, "operations")) {
      const auto t = Time(op, "time");
      if (!t) continue;
      const auto has = [&](const char* key) {
        const std::vector<std::string> v = Strings(op, key);
        return std::find(v.begin(), v.end(), side) != v.end();
      };
      const bool missed = has("missed");
      const std::string outcome = missed ? "missed" : has("reached") ? "reached" : "unknown";
      const double x = scale_.X(*t);
      const char* how = missed ? ": MISSED " : outcome == "reached" ? ": reached " : ": unconfirmed ";
      out_ += MarkOpen(missed ? "operation missed" : "operation", side, VersionAttr(op),
                       Attr("data-outcome", outcome) + Attr("data-time", Str(op, "time")),
                       side + how + OperationText(op));
      const std::string y1 = Num(by - 4);
      const std::string y2 = Num(by + kBandH + 4);
      out_ += "<line x1=\"" + Num(x) + "\" x2=\"" + Num(x) + "\" y1=\"" + y1 + "\" y2=\"" + y2 +
              "\" stroke=\"transparent\" stroke-width=\"8\"/>";
      if (missed) {
        out_ += "<rect x=\"" + Num(x - 2.5) + "\" y=\"" + y1 + "\" width=\"5\" height=\"" +
                Num(kBandH + 8) + "\" fill=\"#ffffff\" stroke=\"" + kMissedColour +
                "\" stroke-width=\"1.5\"/>";
      } else {
        out_ += "<line x1=\"" + Num(x) + "\" x2=\"" + Num(x) + "\" y1=\"" + y1 + "\" y2=\"" + y2 +
                "\" stroke=\"" + (outcome == "reached" ? kReachedColour : "#7f8c8d") +
                "\" stroke-width=\"2\"" +
                (outcome == "reached" ? "" : " stroke-dasharray=\"2 2\"") + "/>";
      }
      out_ += "</g>\n";
    }
  }

  // Repairs (a triangle under the band) and adoptions (a diamond on it) from the entries; an
  // adoption that names no side is drawn on every side.
  void EntryMarks(const std::string& side, double by) {
    for (const Json& e : Arr(seam_, "entries")) {
      const std::string category = Str(e, "category");
      if (category != "repair" && category != "adoption") continue;
      const std::string on = Str(e, "side");
      if (on != side && !(category == "adoption" && on.empty())) continue;
      const auto t = Time(e, "time");
      if (!t) continue;
      const double x = scale_.X(*t);
      std::string title = side + ": " + (category == "repair" ? "repaired" : "value adopted") +
                          ", " + Version(Int(e, "version")) + " " + Str(e, "event") + " at " +
                          Str(e, "time") + " by " + OrUnknown(Str(e, "actor"));
      if (const std::string s = Str(e, "summary"); !s.empty()) title += "\n" + s;
      out_ += MarkOpen(category, side, VersionAttr(e), Attr("data-time", Str(e, "time")), title);
      if (category == "repair") {
        const double b = by + kBandH + 1;
        out_ += "<polygon points=\"" + Num(x) + "," + Num(b) + " " + Num(x - 5) + "," +
                Num(b + 8) + " " + Num(x + 5) + "," + Num(b + 8) + "\" fill=\"" + kRepairColour +
                "\"/>";
      } else {
        const double c = by + kBandH / 2;
        out_ += "<polygon points=\"" + Num(x) + "," + Num(c - 7) + " " + Num(x + 6) + "," +
                Num(c) + " " + Num(x) + "," + Num(c + 7) + " " + Num(x - 6) + "," + Num(c) +
                "\" fill=\"" + kAdoptionColour + "\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>";
      }
      out_ += "</g>\n";
    }
  }

  void Restarts(const std::string& side, double by) {
    for (const Json& r : Arr(seam_, "restarts")) {
      if (Str(r, "side") != side) continue;
      const auto t = Time(r, "time");
      if (!t) continue;
      const double x = scale_.X(*t);
      const std::string title =
          side + ": restart seen at " + Str(r, "time") + "\nmarker " +
          OrUnknown(Str(r, "previous_marker")) + " -> " + OrUnknown(Str(r, "marker")) +
          "\nstarted at " + OrUnknown(Str(r, "started_at"));
      out_ += MarkOpen("restart", side, "", Attr("data-time", Str(r, "time")), title);
      out_ += "<circle cx=\"" + Num(x) + "\" cy=\"" + Num(by + kBandH / 2) +
              "\" r=\"5\" fill=\"#ffffff\" stroke=\"" + kRestartColour +
              "\" stroke-width=\"2\"/></g>\n";
    }
  }

  // A zigzag just above the band from `since` to `cleared_at` (or the right edge).
  void Flapping(const std::string& side, double by) {
    for (const Json& f : Arr(seam_, "flapping")) {
      if (Str(f, "side") != side) continue;
      const auto since = Time(f, "since");
      if (!since) continue;
      const std::int64_t to = Time(f, "cleared_at").value_or(scale_.t1);
      const double x0 = scale_.X(*since);
      const double x1 = std::max(scale_.X(to), x0 + 4);
      const std::string cleared = Str(f, "cleared_at");
      const std::string title = side + ": flapping since " + Str(f, "since") +
                                (cleared.empty() ? std::string("\nstill flapping")
                                                 : "\ncleared at " + cleared);
      out_ += MarkOpen("flapping", side, "",
                       Attr("data-from", Str(f, "since")) + Attr("data-to", cleared), title);
      out_ += "<rect x=\"" + Num(x0) + "\" y=\"" + Num(by - 8) + "\" width=\"" + Num(x1 - x0) +
              "\" height=\"7\" fill=\"transparent\"/><polyline fill=\"none\" stroke=\"" +
              kFlappingColour + "\" stroke-width=\"1.5\" points=\"";
      bool up = true;
      for (double x = x0; x <= x1; x += 4, up = !up) {
        out_ += Num(x) + "," + Num(up ? by - 7 : by - 2) + " ";
      }
      out_ += "\"/></g>\n";
    }
  }

  void Axis(double y) {
    out_ += "<g class=\"axis\"><line x1=\"" + Num(kX0) + "\" x2=\"" + Num(kX1) + "\" y1=\"" +
            Num(y) + "\" y2=\"" + Num(y) + "\" stroke=\"#566573\" stroke-width=\"1\"/>";
    constexpr int kTicks = 4;
    for (int i = 0; i <= kTicks; ++i) {
      const std::int64_t t = scale_.t0 + (scale_.t1 - scale_.t0) * i / kTicks;
      const double x = scale_.X(t);
      const char* anchor = i == 0 ? "start" : i == kTicks ? "end" : "middle";
      out_ += "<line x1=\"" + Num(x) + "\" x2=\"" + Num(x) + "\" y1=\"" + Num(y) + "\" y2=\"" +
              Num(y + 4) + "\" stroke=\"#566573\"/><text class=\"tick\" x=\"" + Num(x) +
              "\" y=\"" + Num(y + 16) + "\" text-anchor=\"" + anchor + "\"><title>" +
              FormatTimeMicros(t) + "</title>" + ShortTime(t) + "</text>";
    }
    out_ += "</g>\n";
  }

  const Json& seam_;
  std::string name_;
  std::optional<std::int64_t> now_;
  Scale scale_{0, 1};
  std::vector<std::string> sides_;
  double top_ = 0;
  std::string out_;
};

}  // namespace

std::string Esc(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string Str(const Json& j, const char* key) {
  if (!j.is_object()) return {};
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::int64_t> Int(const Json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

std::optional<std::int64_t> Time(const Json& j, const char* key) {
  const std::string s = Str(j, key);
  if (s.empty()) return std::nullopt;
  return ParseTimeMicros(s);
}

const Json& Arr(const Json& j, const char* key) {
  static const Json kEmpty = Json::array();
  if (!j.is_object()) return kEmpty;
  const auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}

const Json& Obj(const Json& j, const char* key) {
  static const Json kNull = nullptr;
  if (!j.is_object()) return kNull;
  const auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kNull;
}

std::vector<std::string> Strings(const Json& j, const char* key) {
  std::vector<std::string> out;
  for (const Json& e : Arr(j, key)) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

std::string ShortTime(std::int64_t us) {
  std::string s = FormatTimeMicros(us);  // "YYYY-MM-DDTHH:MM:SS.ffffffZ"
  const std::size_t dot = s.find('.');
  return dot == std::string::npos ? s : s.substr(0, dot) + "Z";
}

std::string VerdictClass(const std::string& verdict) {
  if (verdict == "lagging" || verdict == "foreign" || verdict == "missing") return verdict;
  return "drift";
}

const char* VerdictColour(const std::string& cls) {
  if (cls == "lagging") return "#e67e22";
  if (cls == "foreign") return "#d62828";
  if (cls == "missing") return "#8e1b5a";
  return "#7b241c";
}

const char* VerdictLight(const std::string& cls) {
  if (cls == "lagging") return "#fae5d3";
  if (cls == "foreign") return "#f9d6d5";
  if (cls == "missing") return "#f2d7e8";
  return "#f2d7d5";
}

std::string HatchPatterns() {
  std::string out;
  for (const char* cls : {"lagging", "foreign", "missing", "drift"}) {
    out += std::string("<pattern id=\"hatch-") + cls +
           "\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" "
           "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"" +
           VerdictLight(cls) + "\"/><rect width=\"2.5\" height=\"6\" fill=\"" +
           VerdictColour(cls) + "\"/></pattern>";
  }
  return out;
}

std::string TimelineSvg(const Json& seam) { return SeamPicture(seam).Render(); }

}  // namespace seam::audit_html
