#include "tools/common/audit_timeline.h"

#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/x509.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/drift_events.h"
#include "reconcilers/kinds.h"
#include "tools/common/event_details.h"

namespace seam {
namespace {

using Json = nlohmann::ordered_json;

Json StrOrNull(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }
Json VersionOrNull(std::int64_t v) { return v == 0 ? Json(nullptr) : Json(v); }
std::string Time(std::int64_t us) { return FormatTimeMicros(us); }
std::string V(std::int64_t version) { return "v" + std::to_string(version); }

std::string Join(const std::vector<std::string>& names, const char* separator) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : separator) + n;
  return out;
}

std::vector<std::string> ReachedNames(const AuditOperation& op) {
  std::vector<std::string> names;
  for (const AuditReach& r : op.reached) names.push_back(r.side);
  return names;
}

// --- JSON -------------------------------------------------------------------------------------

Json OperationJson(const AuditOperation& op) {
  Json reached_at = Json::object();
  Json by_repair = Json::array();
  for (const AuditReach& r : op.reached) {
    reached_at[r.side] = Time(r.at_us);
    if (r.by_repair) by_repair.push_back(r.side);
  }
  Json j = {{"version", op.version},
            {"revision", op.revision},
            {"event", op.event},
            {"time", Time(op.time_us)},
            {"actor", op.actor},
            {"fingerprint", StrOrNull(op.fingerprint)},
            {"reached", ReachedNames(op)},
            {"missed", op.missed},
            {"category", op.category},
            {"reached_at", std::move(reached_at)},
            {"reached_by_repair", std::move(by_repair)}};
  if (!op.adopted_from.empty()) j["adopted_from"] = op.adopted_from;
  return j;
}

Json OperationRefJson(const std::optional<AuditOperationRef>& ref) {
  if (!ref) return nullptr;
  Json j = {{"version", ref->version},
            {"event", ref->event},
            {"time", Time(ref->time_us)},
            {"actor", ref->actor},
            {"fingerprint", StrOrNull(ref->fingerprint)},
            {"reached_before", ref->reached_before}};
  if (ref->confirmed_at_us != 0) j["confirmed_at"] = Time(ref->confirmed_at_us);
  return j;
}

Json UnreadableJson(const AuditUnreadable& u) {
  return {{"side", u.side},
          {"reason", u.reason},
          {"since", Time(u.since_us)},
          {"until", TimeOrNull(u.until_us)},
          {"opened_version", u.opened_version},
          {"closed_version", VersionOrNull(u.closed_version)}};
}

Json DriftJson(const AuditDrift& d) {
  Json seen = nullptr;
  if (d.seen_before) {
    seen = {{"version", d.seen_before->version}, {"time", Time(d.seen_before->time_us)}, {"side", d.seen_before->side},
            {"event", d.seen_before->event},     {"times", d.seen_before->times}};
  }
  Json closed = nullptr;
  if (d.closed) {
    closed = {{"how", d.closed->how},
              {"at", Time(d.closed->at_us)},
              {"cause", d.closed->cause},
              {"version", d.closed->version},
              {"by", d.closed->by ? Json(*d.closed->by) : Json(nullptr)},
              {"recorded_by", d.closed->recorded_by}};
  }
  return {{"side", d.side},
          {"verdict", d.verdict},
          {"holds_version", VersionOrNull(d.holds_version)},
          {"fingerprint", StrOrNull(d.fingerprint)},
          {"intended_version", d.intended_version},
          {"opened_version", d.opened_version},
          {"last_in_sync_at", TimeOrNull(d.last_in_sync_at_us)},
          {"first_seen_at", Time(d.first_seen_at_us)},
          {"side_changed_at", TimeOrNull(d.side_changed_at_us)},
          {"missed_operation", OperationRefJson(d.missed_operation)},
          {"seen_before", std::move(seen)},
          {"closed", std::move(closed)},
          {"opened_at", Time(d.opened_at_us)},
          {"opened_by", d.opened_by},
          {"detail", d.detail},
          {"lost_operation", OperationRefJson(d.lost_operation)},
          {"during_unreadable", d.during_unreadable ? UnreadableJson(*d.during_unreadable) : Json(nullptr)}};
}

// --- One sentence per entry -------------------------------------------------------------------

std::string Reach(const AuditOperation& op) {
  std::string s = op.reached.empty() ? "reached no side" : "reached " + Join(ReachedNames(op), ", ");
  if (!op.missed.empty()) s += "; missed " + Join(op.missed, ", ");
  return s;
}

std::string IntentSummary(const AuditTimeline& t, const AuditEntry& entry) {
  const AuditOperation* op = t.OperationAt(entry.event.version);
  const std::string reason = ShownText(entry.fields, "reason");
  std::string s;
  if (!entry.adopted_from.empty()) s = "from side " + entry.adopted_from + " (" + reason + "); ";
  if (entry.clears && !reason.empty()) s = "reason: " + reason + "; ";
  s += Reach(*op);
  if (!op->fingerprint.empty()) s += "; value " + op->fingerprint;
  return s;
}

std::string RepairSummary(const AuditEntry& entry) {
  const EventFields& f = entry.fields;
  const bool removed = ShownText(f, "action") == "remove";
  std::string s = entry.side + (removed ? " repaired: value removed (v" : " repaired: wrote v") +
                  std::to_string(ShownNumber(f, "version_written")) + (removed ? ")" : "") + " over " +
                  ShownText(f, "verdict_before");
  if (ShownNumber(f, "held_version") != 0) s += " " + V(ShownNumber(f, "held_version"));
  if (!ShownText(f, "fingerprint_before").empty()) s += " " + ShownText(f, "fingerprint_before");
  if (ShownFlag(f, "foreign_value_kept")) s += " (that value kept sealed in the log)";
  return s;
}

std::string DriftOpenedSummary(const AuditTimeline& t, const AuditEntry& entry) {
  const AuditDrift* d = t.DriftOpenedAt(entry.event.version);
  if (d == nullptr) return entry.side;
  std::string s = entry.side + " " + d->verdict;
  if (d->holds_version != 0) s += " (holds " + V(d->holds_version) + ")";
  if (!d->fingerprint.empty() && d->verdict != "lagging") s += " (" + d->fingerprint + ")";
  s += " since at least " + Time(d->first_seen_at_us) + ", last in sync " +
       (d->last_in_sync_at_us == 0 ? std::string("unknown") : Time(d->last_in_sync_at_us));
  if (d->side_changed_at_us != 0) s += ", side changed at " + Time(d->side_changed_at_us);
  if (d->missed_operation) s += "; missed " + d->missed_operation->event + " " + V(d->missed_operation->version);
  if (d->lost_operation) {
    s += "; had confirmed " + V(d->lost_operation->version) + " before (" + d->lost_operation->event + ")";
  }
  if (d->during_unreadable) s += "; " + d->side + " was unreadable from " + Time(d->during_unreadable->since_us);
  if (d->verdict == "foreign") {
    s += !d->seen_before ? "; a value the log never had"
                         : "; seen before on " + d->seen_before->side + " at " + Time(d->seen_before->time_us) + " (" +
                               V(d->seen_before->version) + ")";
  }
  return s;
}

std::string DriftClosedSummary(const AuditEntry& entry) {
  const std::string how = ShownText(entry.fields, "how");
  const std::string cause = ShownText(entry.fields, "cause");
  std::string s = entry.side + " " + how;
  if (how == "external") s = entry.side + " back in sync without seam writing it (external)";
  if (how == "superseded") s = entry.side + " superseded: its drift changed, a new one follows";
  if (!cause.empty()) s += ": " + cause;
  return s + " (drift opened at " + V(ShownNumber(entry.fields, "opened_version")) + ")";
}

std::string Summary(const AuditTimeline& t, const AuditEntry& entry) {
  const EventFields& f = entry.fields;
  const std::string& type = entry.event.type;
  if (!entry.error.empty()) return "does not decode or unseal: " + entry.error;
  if (t.OperationAt(entry.event.version) != nullptr &&
      (entry.category == "operation" || entry.category == "adoption" || entry.category == "revocation")) {
    return IntentSummary(t, entry);
  }
  if (type == bookkeeping::kSideApplied) {
    const std::int64_t v = ShownNumber(f, "version");
    const AuditOperation* op = t.OperationAt(v);
    return entry.side + " confirmed " + V(v) + (op != nullptr ? " (" + op->event + ")" : "");
  }
  if (type == bookkeeping::kSideRepaired) return RepairSummary(entry);
  if (type == drift::kDriftOpened) return DriftOpenedSummary(t, entry);
  if (type == drift::kDriftClosed) return DriftClosedSummary(entry);
  if (type == bookkeeping::kSeamFlapping) {
    return entry.side + " repaired " + std::to_string(ShownNumber(f, "repairs")) + " times in " +
           std::to_string(ShownNumber(f, "window_s")) + "s: repairs stop until `seamctl repair --force`";
  }
  if (type == bookkeeping::kFlappingCleared) return "repairs resume: " + ShownText(f, "reason");
  if (type == bookkeeping::kHookIneffective) {
    return entry.side + "'s on_repair `" + ShownText(f, "hook") + "` ran for " + V(ShownNumber(f, "version")) +
           " and did not help: " + ShownText(f, "detail") + "; not run again until the side changes";
  }
  if (type == drift::kSideUnreadable) return entry.side + " unreadable: " + ShownText(f, "reason");
  if (type == drift::kOperationPending) {
    return ShownText(f, "operation") + " " + V(ShownNumber(f, "version")) + " pending on " + ShownText(f, "sides");
  }
  if (type == drift::kPendingEnded) return V(ShownNumber(f, "version")) + " no longer pending: " + ShownText(f, "how");
  if (type == drift::kSeamExpiring) {
    return "expiring on " + ShownText(f, "sides") + " (not after " + FormatUnixTime(ShownNumber(f, "not_after")) + ")";
  }
  if (type == drift::kExpiringEnded) return "no side expiring any more";
  if (type == drift::kSideReadable) {
    return entry.side + " readable again since " + Time(ShownNumber(f, "at")) + " (unreadable since " +
           V(ShownNumber(f, "opened_version")) + ")";
  }
  if (type == drift::kSideRestarted) {
    std::string s = entry.side + " restarted (marker " + ShownText(f, "marker");
    if (!ShownText(f, "previous_marker").empty()) s += ", was " + ShownText(f, "previous_marker");
    s += ")";
    if (ShownNumber(f, "started_at") != 0) s += ", started at " + Time(ShownNumber(f, "started_at"));
    return s;
  }
  return "an event this seamctl does not know (" + std::to_string(ShownNumber(f, "payload_bytes")) + " bytes)";
}

Json EntryJson(const AuditTimeline& t, const AuditEntry& entry) {
  const Event& e = entry.event;
  Json j = {{"seq", e.seq},
            {"version", e.version},
            {"time", Time(e.time_us)},
            {"actor", e.actor},
            {"event", e.type},
            {"category", entry.category},
            {"side", StrOrNull(entry.side)},
            {"summary", Summary(t, entry)},
            {"details", FieldsJson(entry.fields)}};
  if (!entry.error.empty()) j["error"] = entry.error;
  return j;
}

// --- The drift paragraph ----------------------------------------------------------------------

// What people call an operation, for "the rotation to rev 2": its kind's word for it.
std::string OperationNoun(const KindSpec* kind, const std::string& type) {
  if (kind != nullptr) {
    auto it = kind->operation_nouns.find(type);
    if (it != kind->operation_nouns.end()) return it->second;
  }
  return "operation " + type;
}

// "the rotation to rev 2 at T" / "the revocation (rev 3) at T".
std::string OperationPhrase(const AuditTimeline& t, const AuditOperationRef& ref) {
  const KindSpec* kind = FindKindSpec(*t.seam);
  const AuditOperation* op = t.OperationAt(ref.version);
  const bool clears = op != nullptr && op->category == "revocation";
  const std::string rev = t.RevisionText(ref.version);
  return "the " + OperationNoun(kind, ref.event) + (clears ? " (" + rev + ")" : " to " + rev) + " at " +
         Time(ref.time_us);
}

std::string DriftParagraph(const AuditTimeline& t, const AuditDrift& d) {
  std::string s;
  if (d.verdict == "lagging") {
    s = d.side + " has held " + t.RevisionText(d.holds_version);
  } else if (d.verdict == "missing") {
    s = d.side + " has held no value (missing)";
  } else if (!d.seen_before) {
    s = d.side + " has held a value the log never had" + (d.fingerprint.empty() ? std::string() : " (" + d.fingerprint + ")");
  } else {
    s = d.side + " has held " + d.fingerprint;
  }
  s += " since at least " + Time(d.first_seen_at_us);
  s += d.last_in_sync_at_us == 0 ? " (not seen in sync before that)" : " (last seen in sync " + Time(d.last_in_sync_at_us) + ")";
  if (d.side_changed_at_us != 0) s += "; the side says it changed at " + Time(d.side_changed_at_us);
  if (d.during_unreadable) {
    // Nothing is known of the side while it could not be read: the drift began in that spell
    // (or just before it), the bracket above spans it.
    s += "; it could not be read from " + Time(d.during_unreadable->since_us) +
         (d.during_unreadable->until_us != 0 ? " to " + Time(d.during_unreadable->until_us) : std::string()) +
         " (" + d.during_unreadable->reason + "), so the drift began during that spell or just before it";
  }
  if (d.seen_before) {
    s += "; this value was seen before on " + d.seen_before->side + " at " + Time(d.seen_before->time_us) +
         ", log version " + std::to_string(d.seen_before->version);
  }
  if (d.missed_operation) {
    const AuditOperationRef& op = *d.missed_operation;
    s += "; " + OperationPhrase(t, op) + " reached " +
         (op.reached_before.empty() ? std::string("no side") : Join(op.reached_before, " and ")) + " but not " + d.side;
  }
  if (d.lost_operation) {
    const AuditOperationRef& op = *d.lost_operation;
    s += "; it had held " + t.RevisionText(op.version) + " (" + OperationPhrase(t, op) + ")";
    if (op.confirmed_at_us != 0) s += ", confirmed at " + Time(op.confirmed_at_us);
    s += ", and went back to an older value (a restore, a stale copy)";
  }
  if (!d.closed) return s + "; still open.";
  const AuditDriftEnd& end = *d.closed;
  const std::string at = Time(end.at_us);
  if (end.how == "repaired") {
    s += "; repaired at " + at + (end.by ? " by " + *end.by : std::string());
  } else if (end.how == "adopted") {
    s += "; ended at " + at + " when the log adopted a value (" + end.cause + ")";
  } else if (end.how == "external") {
    s += "; back in sync at " + at + " without seam writing it (external)";
  } else {
    s += "; superseded at " + at + ": what the side held changed again";
  }
  return s + ".";
}

}  // namespace

Json AuditJson(const AuditTimeline& t, std::int64_t now_us) {
  const SeamConfig& seam = *t.seam;
  Json out = Json::object();
  out["seam"] = seam.name;
  out["kind"] = seam.kind;
  out["entity"] = seam.entity;
  out["stream"] = seam.stream();
  Json sides = Json::array();
  for (const SideConfig& s : seam.sides) sides.push_back(s.name);
  out["sides"] = std::move(sides);
  out["window"] = {{"since", TimeOrNull(t.window.since_us)}, {"until", TimeOrNull(t.window.until_us)}};
  out["now"] = Time(now_us);
  out["first_event_at"] = TimeOrNull(t.first_event_us);
  // Every intent is an operation: the last one's revision is the intended one's.
  out["intended"] = {{"version", VersionOrNull(t.intended_version)},
                     {"revision", t.operations.empty() ? Json(nullptr) : Json(t.operations.back().revision)},
                     {"state", t.intended_state},
                     {"fingerprint", StrOrNull(t.intended_fingerprint)}};
  Json entries = Json::array();
  for (const AuditEntry& entry : t.entries) entries.push_back(EntryJson(t, entry));
  out["entries"] = std::move(entries);
  Json operations = Json::array();
  for (const AuditOperation& op : t.operations) {
    if (op.listed) operations.push_back(OperationJson(op));
  }
  out["operations"] = std::move(operations);
  Json drifts = Json::array();
  for (const AuditDrift& d : t.drifts) drifts.push_back(DriftJson(d));
  out["drifts"] = std::move(drifts);
  Json restarts = Json::array();
  for (const AuditRestart& r : t.restarts) {
    restarts.push_back({{"side", r.side},
                        {"time", Time(r.time_us)},
                        {"marker", r.marker},
                        {"previous_marker", r.previous_marker},
                        {"started_at", TimeOrNull(r.started_at_us)}});
  }
  out["restarts"] = std::move(restarts);
  Json flapping = Json::array();
  for (const AuditFlapping& f : t.flapping) {
    flapping.push_back({{"side", f.side},
                        {"since", Time(f.since_us)},
                        {"cleared_at", f.cleared_us == 0 ? Json(nullptr) : Json(Time(f.cleared_us))}});
  }
  out["flapping"] = std::move(flapping);
  Json unreadable = Json::array();
  for (const AuditUnreadable& u : t.unreadable) unreadable.push_back(UnreadableJson(u));
  out["unreadable"] = std::move(unreadable);
  out["errors"] = t.errors;
  return out;
}

Result<Json> BuildAudit(EventStore& store, const KeyRing& keys, const SeamConfig& seam, const AuditWindow& window,
                        std::int64_t now_us) {
  SEAM_ASSIGN_OR_RETURN(AuditTimeline timeline, FoldAudit(store, keys, seam, window));
  return AuditJson(timeline, now_us);
}

Json CurrentDrift(const AuditTimeline& t) {
  Json out = {{"seam", t.seam->name}, {"drift", nullptr}, {"operation", nullptr}, {"text", ""}, {"open", false}};
  const CurrentDriftChoice choice = ChooseCurrentDrift(t);
  if (choice.drift == nullptr) {
    out["text"] = "no drift recorded for seam " + t.seam->name + ".";
    return out;
  }
  out["drift"] = DriftJson(*choice.drift);
  out["open"] = choice.open;
  if (choice.operation != nullptr) out["operation"] = OperationJson(*choice.operation);
  std::string text = DriftParagraph(t, *choice.drift);
  if (!choice.also_open.empty()) {
    text += " Also out of sync:";
    for (std::size_t i = 0; i < choice.also_open.size(); ++i) {
      const AuditDrift& d = *choice.also_open[i];
      text += (i == 0 ? " " : ", ") + d.side + " (" + d.verdict + " since at least " + Time(d.first_seen_at_us) + ")";
    }
    text += ".";
  }
  out["text"] = text;
  return out;
}

}  // namespace seam
