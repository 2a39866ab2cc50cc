#include "tools/common/report_output.h"

#include <iomanip>

#include "core/clock.h"
#include "core/x509.h"

namespace seam {
namespace {

nlohmann::ordered_json OrNull(const std::string& s) { return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s); }
nlohmann::ordered_json OrNull(std::int64_t v) { return v == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v); }
nlohmann::ordered_json TimeOrNull(std::int64_t us) {
  return us == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(FormatTimeMicros(us));
}

nlohmann::ordered_json DriftJson(const std::optional<DriftInfo>& d) {
  if (!d) return nullptr;
  return {{"opened_version", d->opened_version},
          {"verdict", d->verdict},
          {"last_in_sync_at", TimeOrNull(d->last_in_sync_at_us)},
          {"first_seen_at", TimeOrNull(d->first_seen_at_us)},
          {"side_changed_at", TimeOrNull(d->side_changed_at_us)}};
}

// Whole days from now until `not_after`, to the nearest day; negative once it has passed.
std::int64_t DaysLeft(std::int64_t not_after) { return RoundedDays(not_after - SystemClock().NowMicros() / 1'000'000); }

// "2027-03-01T10:00:00Z, in 89 days" / "…, EXPIRED 3 days ago" for a side's or the log's not_after.
std::string ExpiryText(std::int64_t not_after) {
  const std::int64_t left = not_after - SystemClock().NowMicros() / 1'000'000;
  const std::string span = DaysText(left);
  return FormatUnixTime(not_after) + (left >= 0 ? ", in " + span : ", EXPIRED " + span + " ago");
}

nlohmann::ordered_json DaysLeftOrNull(std::int64_t not_after) {
  if (not_after == 0) return nullptr;
  return DaysLeft(not_after);
}

nlohmann::ordered_json UnixTimeOrNull(std::int64_t seconds) {
  return seconds == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(FormatUnixTime(seconds));
}

}  // namespace

std::string DumpJson(const nlohmann::ordered_json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

nlohmann::ordered_json SideReportJson(const SideReport& s, bool with_actions) {
  nlohmann::ordered_json side = {{"name", s.name},
                                 {"verdict", VerdictName(s.judgement.verdict)},
                                 {"holds_version", OrNull(s.judgement.holds_version)},
                                 {"holds_revision", OrNull(s.judgement.holds_revision)},
                                 {"fingerprint", OrNull(s.judgement.fingerprint)},
                                 {"detail", s.judgement.detail},
                                 {"not_after", UnixTimeOrNull(s.not_after)},
                                 {"days_left", DaysLeftOrNull(s.not_after)},
                                 {"chain_not_after", UnixTimeOrNull(s.chain_not_after)},
                                 {"drift", DriftJson(s.drift)},
                                 {"unreadable_since", TimeOrNull(s.unreadable_since_us)}};
  if (with_actions) {
    side["action"] = OrNull(s.action);
    side["action_detail"] = OrNull(s.action_detail);
  }
  return side;
}

nlohmann::ordered_json SeamReportJson(const SeamReport& r, bool with_actions) {
  nlohmann::ordered_json sides = nlohmann::ordered_json::array();
  for (const SideReport& s : r.sides) sides.push_back(SideReportJson(s, with_actions));
  nlohmann::ordered_json seam = {{"name", r.name},
                         {"kind", r.kind},
                         {"entity", r.entity},
                         {"status", r.status},
                         {"intended",
                          {{"version", OrNull(r.intended_version)},
                           {"revision", OrNull(r.intended_revision)},
                           {"fingerprint", OrNull(r.intended_fingerprint)},
                           {"not_after", UnixTimeOrNull(r.intended_not_after)},
                           {"days_left", DaysLeftOrNull(r.intended_not_after)},
                           {"state", r.intended_state == "unknown" ? nlohmann::ordered_json(nullptr)
                                                                   : nlohmann::ordered_json(r.intended_state)}}},
                         {"sides", std::move(sides)},
                         {"flapping", r.flapping ? nlohmann::ordered_json{{"side", r.flapping_side},
                                                                           {"since", FormatTimeMicros(r.flapping_since_us)}}
                                                 : nlohmann::ordered_json(nullptr)},
                         {"pending", r.pending_sides.empty()
                                         ? nlohmann::ordered_json(nullptr)
                                         : nlohmann::ordered_json{{"operation", r.pending_operation},
                                                                  {"version", r.pending_version},
                                                                  {"revision", r.pending_revision},
                                                                  {"since", TimeOrNull(r.pending_since_us)},
                                                                  {"sides", r.pending_sides}}},
                         {"errors", r.errors}};
  if (with_actions) seam["events_appended"] = r.events_appended;
  return seam;
}

nlohmann::ordered_json ExpiryJson(const SeamReport& r) {
  nlohmann::ordered_json sides = nlohmann::ordered_json::array();
  for (const SideReport& s : r.sides) {
    if (s.not_after == 0) continue;
    sides.push_back({{"side", s.name}, {"not_after", UnixTimeOrNull(s.not_after)}, {"days_left", DaysLeftOrNull(s.not_after)}});
  }
  if (r.intended_not_after == 0 && sides.empty()) return nullptr;
  return {{"intended", {{"not_after", UnixTimeOrNull(r.intended_not_after)}, {"days_left", DaysLeftOrNull(r.intended_not_after)}}},
          {"sides", std::move(sides)}};
}

void PrintSeamReport(std::ostream& out, const SeamReport& r, bool with_actions) {
  out << r.name << " (" << r.kind << "/" << r.entity << "): " << r.status;
  if (r.intended_state == "active") {
    // Every fingerprint says whose it is: the intended value's here, a side's on its line.
    out << ", intended rev " << r.intended_revision;
    if (!r.intended_fingerprint.empty()) out << ", intended " << r.intended_fingerprint;
    if (r.intended_not_after != 0) out << " (expires " << ExpiryText(r.intended_not_after) << ")";
  } else if (r.intended_state == "revoked") {
    out << ", revoked at rev " << r.intended_revision;
  } else if (r.intended_state == "unknown") {
    out << ", the intended state is unknown (see the error)";
  } else {
    out << ", nothing in the log yet";
  }
  out << "\n";
  std::size_t width = 4;
  for (const SideReport& s : r.sides) width = std::max(width, s.name.size());
  for (const SideReport& s : r.sides) {
    out << "  " << std::left << std::setw(static_cast<int>(width)) << s.name << "  "
        << std::setw(10) << VerdictName(s.judgement.verdict) << "  " << s.judgement.detail;
    if (!s.judgement.fingerprint.empty()) out << " (" << s.name << " holds " << s.judgement.fingerprint << ")";
    if (s.not_after != 0) out << " (expires " << ExpiryText(s.not_after) << ")";
    if (s.drift) {
      out << " (drift since at least " << FormatTimeMicros(s.drift->first_seen_at_us);
      if (s.drift->last_in_sync_at_us != 0) out << ", last in sync " << FormatTimeMicros(s.drift->last_in_sync_at_us);
      out << ")";
    }
    if (with_actions && !s.action.empty()) {
      out << "  [" << s.action << (s.action_detail.empty() ? "" : ": " + s.action_detail) << "]";
    }
    out << "\n";
  }
  if (!r.pending_sides.empty()) {
    out << "  pending: " << r.pending_operation << " (rev " << r.pending_revision << ") not yet confirmed on ";
    for (std::size_t i = 0; i < r.pending_sides.size(); ++i) out << (i ? ", " : "") << r.pending_sides[i];
    out << "; `seamctl repair " << r.name << "` completes it\n";
  }
  if (r.flapping) {
    out << "  flapping since " << FormatTimeMicros(r.flapping_since_us) << ": repairs of side "
        << r.flapping_side << " kept being undone; repairs stopped: `seamctl repair --force " << r.name
        << "` once the other writer is dealt with\n";
  }
  for (const std::string& e : r.errors) out << "  error: " << e << "\n";
}

}  // namespace seam
