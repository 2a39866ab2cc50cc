#include "tools/common/audit_timeline.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "reconcilers/drift_events.h"
#include "reconcilers/kinds.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/token/token_events.h"
#include "tools/common/event_details.h"

namespace seam {
namespace {

using Json = nlohmann::ordered_json;

std::string Str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t Int(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

Json StrOrNull(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }
Json VersionOrNull(std::int64_t v) { return v == 0 ? Json(nullptr) : Json(v); }

std::string Join(const Json& names, const char* separator) {
  std::string out;
  for (const Json& n : names) out += (out.empty() ? "" : separator) + n.get<std::string>();
  return out;
}

// What people call an operation, for "the rotation to version 4": its kind's word for it.
std::string OperationNoun(const KindSpec* kind, const std::string& type) {
  if (kind != nullptr) {
    auto it = kind->operation_nouns.find(type);
    if (it != kind->operation_nouns.end()) return it->second;
  }
  return "operation " + type;
}

// One event of the stream, decoded once.
struct Item {
  const Event* event = nullptr;
  Json details;
  IntentChange::What what = IntentChange::What::kNone;
  std::string adopted_from;
  std::string error;  // the payload does not decode or unseal
  std::string category;
  std::string side;
  bool listed = false;  // inside the window
};

std::string CategoryOf(const Item& item) {
  if (item.what == IntentChange::What::kClear) return "revocation";
  if (item.what != IntentChange::What::kNone) return item.adopted_from.empty() ? "operation" : "adoption";
  static const std::map<std::string, std::string> kBookkeeping = {
      {bookkeeping::kSideApplied, "confirmation"},      {bookkeeping::kSideRepaired, "repair"},
      {drift::kDriftOpened, "drift_opened"},      {drift::kDriftClosed, "drift_closed"},
      {bookkeeping::kSeamFlapping, "flapping"},         {bookkeeping::kFlappingCleared, "flapping_cleared"},
      {drift::kSideRestarted, "restart"}};
  auto it = kBookkeeping.find(item.event->type);
  return it != kBookkeeping.end() ? it->second : "other";  // a type this seamctl does not know
}

// A side confirmed holding a version: SideApplied, or SideRepaired writing it.
struct Confirmation {
  std::string side;
  std::int64_t version = 0;
  std::int64_t time_us = 0;
  bool by_repair = false;
};

// A value seen on a side that the log never held as an intent, by keyed fingerprint.
struct Sighting {
  std::string fingerprint;
  std::string side;
  std::int64_t version = 0;  // the event that saw it
  std::int64_t time_us = 0;
  std::string event;
};

struct Operation {
  std::size_t item = 0;
  std::int64_t version = 0;
};

// Folds the stream into the audit's lists. Each member is built while the events before it are
// known, so a drift names what the side had (not) confirmed when it was found.
class AuditBuilder {
 public:
  AuditBuilder(const SeamConfig& seam, const AuditWindow& window) : seam_(seam), window_(window) {}

  bool InWindow(std::int64_t t) const {
    return (window_.since_us == 0 || t >= window_.since_us) && (window_.until_us == 0 || t <= window_.until_us);
  }
  bool AfterWindow(std::int64_t t) const { return window_.until_us != 0 && t > window_.until_us; }
  // A spell [from, to] (to < 0: still going) overlaps the window.
  bool Overlaps(std::int64_t from, std::int64_t to) const {
    return (window_.until_us == 0 || from <= window_.until_us) && (window_.since_us == 0 || to < 0 || to >= window_.since_us);
  }

  void Add(Item item) {
    items_.push_back(std::move(item));
    const Item& it = items_.back();
    const Event& e = *it.event;
    if (it.what != IntentChange::What::kNone) {
      ops_.push_back(Operation{items_.size() - 1, e.version});
      intended_version_ = e.version;
      if (it.what == IntentChange::What::kClear) {
        intended_state_ = "revoked";
        intended_fingerprint_.clear();
      } else {
        intended_state_ = "active";
        // An update without a new fingerprinted field keeps the value's fingerprint.
        const std::string fp = Str(it.details, "fingerprint");
        if (!fp.empty() || it.what == IntentChange::What::kSet) intended_fingerprint_ = fp;
      }
    } else if (e.type == bookkeeping::kSideApplied) {
      Confirm(Confirmation{it.side, Int(it.details, "version"), e.time_us, false});
    } else if (e.type == bookkeeping::kSideRepaired) {
      Confirm(Confirmation{it.side, Int(it.details, "version_written"), e.time_us, true});
      Sight(Sighting{Str(it.details, "fingerprint_before"), it.side, e.version, e.time_us, e.type});
    } else if (e.type == drift::kDriftOpened && it.error.empty()) {
      OpenDrift(it);
    } else if (e.type == drift::kDriftClosed && it.error.empty()) {
      CloseDrift(it);
    } else if (e.type == bookkeeping::kSeamFlapping) {
      flapping_.push_back(Flapping{it.side, e.time_us, -1});
    } else if (e.type == bookkeeping::kFlappingCleared) {
      for (Flapping& f : flapping_) {
        if (f.cleared_us < 0) f.cleared_us = e.time_us;
      }
    }
  }

  Json Finish(const std::string& kind, std::int64_t now_us, std::int64_t first_event_us) {
    Json out = Json::object();
    out["seam"] = seam_.name;
    out["kind"] = kind;
    out["entity"] = seam_.entity;
    out["stream"] = seam_.stream();
    Json sides = Json::array();
    for (const SideConfig& s : seam_.sides) sides.push_back(s.name);
    out["sides"] = sides;
    out["window"] = {{"since", TimeOrNull(window_.since_us)}, {"until", TimeOrNull(window_.until_us)}};
    out["now"] = FormatTimeMicros(now_us);
    out["first_event_at"] = TimeOrNull(first_event_us);
    out["intended"] = {{"version", VersionOrNull(intended_version_)},
                       {"state", intended_state_},
                       {"fingerprint", StrOrNull(intended_fingerprint_)}};

    std::map<std::int64_t, Json> op_by_version;
    Json operations = Json::array();
    for (const Operation& op : ops_) {
      Json j = OperationJson(op);
      op_by_version[op.version] = j;
      if (items_[op.item].listed) operations.push_back(std::move(j));
    }
    std::map<std::int64_t, const Json*> drift_by_version;
    for (const DriftRecord& d : drifts_) drift_by_version[d.opened_version] = &d.json;

    Json entries = Json::array();
    std::int64_t errors = 0;
    for (const Item& it : items_) {
      if (!it.error.empty()) ++errors;
      if (!it.listed) continue;
      const Event& e = *it.event;
      Json entry = {{"seq", e.seq},
                    {"version", e.version},
                    {"time", FormatTimeMicros(e.time_us)},
                    {"actor", e.actor},
                    {"event", e.type},
                    {"category", it.category},
                    {"side", StrOrNull(it.side)},
                    {"summary", Summary(it, op_by_version, drift_by_version)},
                    {"details", it.details}};
      if (!it.error.empty()) entry["error"] = it.error;
      entries.push_back(std::move(entry));
    }
    out["entries"] = std::move(entries);
    out["operations"] = std::move(operations);

    Json drifts = Json::array();
    for (const DriftRecord& d : drifts_) {
      if (Overlaps(d.opened_us, d.closed_us)) drifts.push_back(d.json);
    }
    out["drifts"] = std::move(drifts);
    out["restarts"] = std::move(restarts_);
    Json flapping = Json::array();
    for (const Flapping& f : flapping_) {
      if (!Overlaps(f.since_us, f.cleared_us)) continue;
      flapping.push_back({{"side", f.side},
                          {"since", FormatTimeMicros(f.since_us)},
                          {"cleared_at", f.cleared_us < 0 ? Json(nullptr) : Json(FormatTimeMicros(f.cleared_us))}});
    }
    out["flapping"] = std::move(flapping);
    out["errors"] = errors;
    return out;
  }

  void AddRestart(const Item& it) {
    if (!it.listed) return;
    restarts_.push_back({{"side", it.side},
                         {"time", FormatTimeMicros(it.event->time_us)},
                         {"marker", Str(it.details, "marker")},
                         {"previous_marker", Str(it.details, "previous_marker")},
                         {"started_at", it.details.value("started_at", Json(nullptr))}});
  }

 private:
  struct DriftRecord {
    std::int64_t opened_version = 0;
    std::int64_t opened_us = 0;
    std::int64_t closed_us = -1;  // event time of the DriftClosed; -1 open
    Json json;
  };
  struct Flapping {
    std::string side;
    std::int64_t since_us = 0;
    std::int64_t cleared_us = -1;
  };

  const Item& ItemOf(const Operation& op) const { return items_[op.item]; }

  void Confirm(Confirmation c) {
    const bool configured = seam_.FindSide(c.side) != nullptr;
    if (!configured && std::find(other_sides_.begin(), other_sides_.end(), c.side) == other_sides_.end()) {
      other_sides_.push_back(c.side);
    }
    auto key = std::make_pair(c.side, c.version);
    auto [it, inserted] = confirmations_.try_emplace(key, Confirmations{c, c});
    if (!inserted) it->second.last = std::move(c);
  }

  void Sight(Sighting s) {
    if (s.fingerprint.empty()) return;
    auto [it, inserted] = sightings_.try_emplace(s.fingerprint, Sightings{s, 0});
    ++it->second.times;
  }

  // Sides that confirmed `version` so far: configured sides in config order, then any other.
  Json ReachedSides(std::int64_t version) const {
    Json reached = Json::array();
    for (const SideConfig& s : seam_.sides) {
      if (Confirmed(s.name, version)) reached.push_back(s.name);
    }
    for (const std::string& name : other_sides_) {
      if (Confirmed(name, version)) reached.push_back(name);
    }
    return reached;
  }

  const Confirmation* FirstConfirmation(const std::string& side, std::int64_t version) const {
    auto it = confirmations_.find(std::make_pair(side, version));
    return it == confirmations_.end() ? nullptr : &it->second.first;
  }
  const Confirmation* LastConfirmation(const std::string& side, std::int64_t version) const {
    auto it = confirmations_.find(std::make_pair(side, version));
    return it == confirmations_.end() ? nullptr : &it->second.last;
  }
  bool Confirmed(const std::string& side, std::int64_t version) const {
    return FirstConfirmation(side, version) != nullptr;
  }

  Json OperationJson(const Operation& op) const {
    const Item& it = ItemOf(op);
    const Event& e = *it.event;
    Json reached = ReachedSides(op.version);
    Json missed = Json::array();
    for (const SideConfig& s : seam_.sides) {
      if (!Confirmed(s.name, op.version)) missed.push_back(s.name);
    }
    Json reached_at = Json::object();
    Json by_repair = Json::array();
    for (const Json& side : reached) {
      const Confirmation* c = FirstConfirmation(side.get<std::string>(), op.version);
      reached_at[side.get<std::string>()] = FormatTimeMicros(c->time_us);
      if (c->by_repair) by_repair.push_back(side);
    }
    Json j = {{"version", op.version},
              {"event", e.type},
              {"time", FormatTimeMicros(e.time_us)},
              {"actor", e.actor},
              {"fingerprint", StrOrNull(Str(it.details, "fingerprint"))},
              {"reached", reached},
              {"missed", missed},
              {"category", it.category},
              {"reached_at", reached_at},
              {"reached_by_repair", by_repair}};
    if (!it.adopted_from.empty()) j["adopted_from"] = it.adopted_from;
    return j;
  }

  // The operation `missed_operation` / `lost_operation` point at, with what it had reached when
  // the drift was found.
  Json OperationRef(const Operation& op, const std::string& side) const {
    const Event& e = *ItemOf(op).event;
    Json j = {{"version", op.version},
              {"event", e.type},
              {"time", FormatTimeMicros(e.time_us)},
              {"actor", e.actor},
              {"fingerprint", StrOrNull(Str(ItemOf(op).details, "fingerprint"))},
              {"reached_before", ReachedSides(op.version)}};
    if (const Confirmation* c = LastConfirmation(side, op.version)) j["confirmed_at"] = FormatTimeMicros(c->time_us);
    return j;
  }

  void OpenDrift(const Item& it) {
    const Event& e = *it.event;
    const Json& d = it.details;
    const std::string verdict = Str(d, "verdict");
    const std::string fingerprint = Str(d, "fingerprint");
    const std::int64_t holds = Int(d, "holds_version");
    const std::int64_t intended = Int(d, "intended_version");
    Json drift = {{"side", it.side},
                  {"verdict", verdict},
                  {"holds_version", VersionOrNull(holds)},
                  {"fingerprint", StrOrNull(fingerprint)},
                  {"intended_version", intended},
                  {"opened_version", e.version},
                  {"last_in_sync_at", d.value("last_in_sync_at", Json(nullptr))},
                  {"first_seen_at", d.value("first_seen_at", Json(nullptr))},
                  {"side_changed_at", d.value("side_changed_at", Json(nullptr))},
                  {"missed_operation", nullptr},
                  {"seen_before", nullptr},
                  {"closed", nullptr}};
    if (drift["first_seen_at"].is_null()) drift["first_seen_at"] = FormatTimeMicros(e.time_us);
    // Lagging (or missing): the first intent after what the side holds that it never confirmed
    // (missed_operation); lagging only: the newest one it did confirm and has lost since
    // (lost_operation: a restore, a stale copy; a missing side was deleted, not restored).
    Json lost = nullptr;
    if (verdict == "lagging" || verdict == "missing") {
      const Operation* lost_op = nullptr;
      auto after_holds = std::upper_bound(ops_.begin(), ops_.end(), holds,
                                          [](std::int64_t v, const Operation& op) { return v < op.version; });
      for (auto o = after_holds; o != ops_.end() && (intended == 0 || o->version <= intended); ++o) {
        const Operation& op = *o;
        if (!Confirmed(it.side, op.version)) {
          if (drift["missed_operation"].is_null()) drift["missed_operation"] = OperationRef(op, it.side);
        } else {
          lost_op = &op;
        }
      }
      if (lost_op != nullptr && verdict == "lagging") lost = OperationRef(*lost_op, it.side);
    }
    if (verdict == "foreign" && !fingerprint.empty()) {
      auto seen = sightings_.find(fingerprint);
      if (seen != sightings_.end()) {
        const Sighting& first = seen->second.first;
        drift["seen_before"] = {{"version", first.version}, {"time", FormatTimeMicros(first.time_us)},
                                {"side", first.side},       {"event", first.event},
                                {"times", seen->second.times}};
      }
    }
    Sight(Sighting{fingerprint, it.side, e.version, e.time_us, e.type});
    drift["opened_at"] = FormatTimeMicros(e.time_us);
    drift["opened_by"] = e.actor;
    drift["detail"] = Str(d, "detail");
    drift["lost_operation"] = lost;
    drifts_.push_back(DriftRecord{e.version, e.time_us, -1, std::move(drift)});
  }

  void CloseDrift(const Item& it) {
    const Event& e = *it.event;
    const std::int64_t opened = Int(it.details, "opened_version");
    for (DriftRecord& d : drifts_) {
      if (d.opened_version != opened || d.closed_us >= 0) continue;
      const std::string cause = Str(it.details, "cause");
      // The cause reads "<what> by <actor>" (reconcilers/record_state.cc).
      const std::size_t by = cause.rfind(" by ");
      Json closed = {{"how", Str(it.details, "how")},
                     {"at", it.details.value("at", Json(nullptr))},
                     {"cause", cause},
                     {"version", e.version},
                     {"by", by == std::string::npos ? Json(nullptr) : Json(cause.substr(by + 4))},
                     {"recorded_by", e.actor}};
      if (closed["at"].is_null()) closed["at"] = FormatTimeMicros(e.time_us);
      d.json["closed"] = std::move(closed);
      d.closed_us = e.time_us;
      return;
    }
  }

  std::string Reach(const Json& op) const {
    std::string s = op["reached"].empty() ? "reached no side" : "reached " + Join(op["reached"], ", ");
    if (!op["missed"].empty()) s += "; missed " + Join(op["missed"], ", ");
    return s;
  }

  std::string Summary(const Item& it, const std::map<std::int64_t, Json>& ops,
                      const std::map<std::int64_t, const Json*>& drifts) const {
    const Event& e = *it.event;
    const Json& d = it.details;
    if (!it.error.empty()) return "does not decode or unseal: " + it.error;
    if (it.what != IntentChange::What::kNone) {
      const Json& op = ops.at(e.version);
      std::string s;
      if (!it.adopted_from.empty()) s = "from side " + it.adopted_from + " (" + Str(d, "reason") + "); ";
      if (it.what == IntentChange::What::kClear && !Str(d, "reason").empty()) s = "reason: " + Str(d, "reason") + "; ";
      s += Reach(op);
      if (!op["fingerprint"].is_null()) s += "; value " + op["fingerprint"].get<std::string>();
      return s;
    }
    if (e.type == bookkeeping::kSideApplied) {
      const std::int64_t v = Int(d, "version");
      auto op = ops.find(v);
      return it.side + " confirmed v" + std::to_string(v) + (op != ops.end() ? " (" + op->second["event"].get<std::string>() + ")" : "");
    }
    if (e.type == bookkeeping::kSideRepaired) {
      std::string s = it.side + (Str(d, "action") == "remove" ? " repaired: value removed (v" : " repaired: wrote v") +
                      std::to_string(Int(d, "version_written")) + (Str(d, "action") == "remove" ? ")" : "") + " over " +
                      Str(d, "verdict_before");
      if (Int(d, "held_version") != 0) s += " v" + std::to_string(Int(d, "held_version"));
      if (!Str(d, "fingerprint_before").empty()) s += " " + Str(d, "fingerprint_before");
      if (d.value("foreign_value_kept", false)) s += " (that value kept sealed in the log)";
      return s;
    }
    if (e.type == drift::kDriftOpened) {
      auto drift = drifts.find(e.version);
      if (drift == drifts.end()) return it.side;
      const Json& j = *drift->second;
      std::string s = it.side + " " + j["verdict"].get<std::string>();
      if (!j["holds_version"].is_null()) s += " (holds v" + j["holds_version"].dump() + ")";
      if (!j["fingerprint"].is_null() && j["verdict"] != "lagging") s += " (" + j["fingerprint"].get<std::string>() + ")";
      s += " since at least " + j["first_seen_at"].get<std::string>() + ", last in sync " +
           (j["last_in_sync_at"].is_null() ? std::string("unknown") : j["last_in_sync_at"].get<std::string>());
      if (!j["side_changed_at"].is_null()) s += ", side changed at " + j["side_changed_at"].get<std::string>();
      if (!j["missed_operation"].is_null()) {
        s += "; missed " + j["missed_operation"]["event"].get<std::string>() + " v" + j["missed_operation"]["version"].dump();
      }
      if (!j["lost_operation"].is_null()) {
        s += "; had confirmed v" + j["lost_operation"]["version"].dump() + " before (" +
             j["lost_operation"]["event"].get<std::string>() + ")";
      }
      if (j["verdict"] == "foreign") {
        s += j["seen_before"].is_null() ? "; a value the log never had"
                                         : "; seen before on " + j["seen_before"]["side"].get<std::string>() + " at " +
                                               j["seen_before"]["time"].get<std::string>() + " (v" +
                                               j["seen_before"]["version"].dump() + ")";
      }
      return s;
    }
    if (e.type == drift::kDriftClosed) {
      const std::string how = Str(d, "how");
      const std::string cause = Str(d, "cause");
      std::string s = it.side + " " + how;
      if (how == "external") s = it.side + " back in sync without seam writing it (external)";
      if (how == "superseded") s = it.side + " superseded: its drift changed, a new one follows";
      if (!cause.empty()) s += ": " + cause;
      return s + " (drift opened at v" + std::to_string(Int(d, "opened_version")) + ")";
    }
    if (e.type == bookkeeping::kSeamFlapping) {
      return it.side + " repaired " + std::to_string(Int(d, "repairs")) + " times in " + std::to_string(Int(d, "window_s")) +
             "s: repairs stop until `seamctl repair --force`";
    }
    if (e.type == bookkeeping::kFlappingCleared) return "repairs resume: " + Str(d, "reason");
    if (e.type == drift::kSideRestarted) {
      std::string s = it.side + " restarted (marker " + Str(d, "marker");
      if (!Str(d, "previous_marker").empty()) s += ", was " + Str(d, "previous_marker");
      s += ")";
      if (d.contains("started_at") && d["started_at"].is_string()) s += ", started at " + d["started_at"].get<std::string>();
      return s;
    }
    return "an event this seamctl does not know (" + std::to_string(Int(d, "payload_bytes")) + " bytes)";
  }

  const SeamConfig& seam_;
  AuditWindow window_;
  std::vector<Item> items_;
  std::vector<Operation> ops_;
  // Confirmations by (side, version): the first and the last; sides confirmed that the config
  // no longer names.
  struct Confirmations {
    Confirmation first;
    Confirmation last;
  };
  std::map<std::pair<std::string, std::int64_t>, Confirmations> confirmations_;
  std::vector<std::string> other_sides_;
  // Values seen on sides, by fingerprint: the first sighting and how many.
  struct Sightings {
    Sighting first;
    int times = 0;
  };
  std::map<std::string, Sightings> sightings_;
  std::vector<DriftRecord> drifts_;
  std::vector<Flapping> flapping_;
  Json restarts_ = Json::array();
  std::int64_t intended_version_ = 0;
  std::string intended_state_ = "unset";
  std::string intended_fingerprint_;
};

std::string TimeText(const Json& t) { return t.is_string() ? t.get<std::string>() : std::string("an unknown time"); }

// "the rotation to version 4 at T" / "the revocation (version 5) at T".
std::string OperationPhrase(const KindSpec* kind, const Json& op) {
  const std::string event = op["event"].get<std::string>();
  const bool clears = op.value("category", std::string()) == "revocation";
  return "the " + OperationNoun(kind, event) + (clears ? " (version " + op["version"].dump() + ")" : " to version " + op["version"].dump()) +
         " at " + op["time"].get<std::string>();
}

std::string DriftParagraph(const KindSpec* kind, const Json& drift) {
  const std::string side = drift["side"].get<std::string>();
  const std::string verdict = drift["verdict"].get<std::string>();
  std::string s;
  if (verdict == "lagging") {
    s = side + " has held version " + drift["holds_version"].dump();
  } else if (verdict == "missing") {
    s = side + " has held no value (missing)";
  } else if (drift["seen_before"].is_null()) {
    s = side + " has held a value the log never had" +
        (drift["fingerprint"].is_null() ? std::string() : " (" + drift["fingerprint"].get<std::string>() + ")");
  } else {
    s = side + " has held " + drift["fingerprint"].get<std::string>();
  }
  s += " since at least " + drift["first_seen_at"].get<std::string>();
  s += drift["last_in_sync_at"].is_null() ? " (not seen in sync before that)"
                                          : " (last seen in sync " + drift["last_in_sync_at"].get<std::string>() + ")";
  if (!drift["side_changed_at"].is_null()) s += "; the side says it changed at " + drift["side_changed_at"].get<std::string>();
  if (!drift["seen_before"].is_null()) {
    const Json& seen = drift["seen_before"];
    s += "; this value was seen before on " + seen["side"].get<std::string>() + " at " + seen["time"].get<std::string>() +
         ", version " + seen["version"].dump();
  }
  if (!drift["missed_operation"].is_null()) {
    const Json& op = drift["missed_operation"];
    s += "; " + OperationPhrase(kind, op) + " reached " +
         (op["reached_before"].empty() ? std::string("no side") : Join(op["reached_before"], " and ")) + " but not " + side;
  }
  if (drift.contains("lost_operation") && !drift["lost_operation"].is_null()) {
    const Json& op = drift["lost_operation"];
    s += "; it had held version " + op["version"].dump() + " (" + OperationPhrase(kind, op) + ")";
    if (op.contains("confirmed_at")) s += ", confirmed at " + op["confirmed_at"].get<std::string>();
    s += ", and went back to an older value (a restore, a stale copy)";
  }
  const Json& closed = drift["closed"];
  if (closed.is_null()) return s + "; still open.";
  const std::string how = closed["how"].get<std::string>();
  const std::string at = TimeText(closed["at"]);
  if (how == "repaired") {
    s += "; repaired at " + at + (closed["by"].is_string() ? " by " + closed["by"].get<std::string>() : std::string());
  } else if (how == "adopted") {
    s += "; ended at " + at + " when the log adopted a value (" + closed["cause"].get<std::string>() + ")";
  } else if (how == "external") {
    s += "; back in sync at " + at + " without seam writing it (external)";
  } else {
    s += "; superseded at " + at + ": what the side held changed again";
  }
  return s + ".";
}

}  // namespace

Result<nlohmann::ordered_json> BuildAudit(EventStore& store, const KeyRing& keys, const SeamConfig& seam,
                                          const AuditWindow& window, std::int64_t now_us) {
  const KindSpec* kind = FindKindSpec(seam.kind);
  if (kind == nullptr) return Status::InvalidArgument("seam " + seam.name + ": unknown kind `" + seam.kind + "`");
  SEAM_ASSIGN_OR_RETURN(std::vector<Event> events, store.ReadStream(seam.stream(), 1));
  AuditBuilder builder(seam, window);
  for (const Event& e : events) {
    if (builder.AfterWindow(e.time_us)) continue;
    Item item;
    item.event = &e;
    item.details = EventDetails(e, keys);
    Result<IntentChange> change = kind->decode(e);
    if (change.ok()) {
      item.what = change->what;
      item.adopted_from = change->adopted_from;
    } else {
      item.error = change.status().message();
    }
    if (item.details.contains("error")) item.error = Str(item.details, "error");
    item.category = CategoryOf(item);
    item.side = !item.adopted_from.empty() ? item.adopted_from : Str(item.details, "side");
    item.listed = builder.InWindow(e.time_us);
    if (e.type == drift::kSideRestarted) builder.AddRestart(item);
    builder.Add(std::move(item));
  }
  return builder.Finish(seam.kind, now_us, events.empty() ? 0 : events.front().time_us);
}

nlohmann::ordered_json CurrentDrift(const nlohmann::ordered_json& audit) {
  Json out = {{"seam", audit["seam"]}, {"drift", nullptr}, {"operation", nullptr}, {"text", ""}, {"open", false}};
  const Json& drifts = audit["drifts"];
  const Json* chosen = nullptr;
  std::vector<const Json*> open;
  for (const Json& d : drifts) {
    if (d["closed"].is_null()) open.push_back(&d);
  }
  std::sort(open.begin(), open.end(), [](const Json* a, const Json* b) {
    return (*a)["first_seen_at"].get<std::string>() < (*b)["first_seen_at"].get<std::string>();
  });
  if (!open.empty()) {
    chosen = open.front();
  } else if (!drifts.empty()) {
    chosen = &drifts.back();
  }
  if (chosen == nullptr) {
    out["text"] = "no drift recorded for seam " + audit["seam"].get<std::string>() + ".";
    return out;
  }
  out["drift"] = *chosen;
  out["open"] = !open.empty();
  const Json& missed = (*chosen)["missed_operation"];
  if (!missed.is_null()) {
    for (const Json& op : audit["operations"]) {
      if (op["version"] == missed["version"]) out["operation"] = op;
    }
  }
  std::string text = DriftParagraph(FindKindSpec(Str(audit, "kind")), *chosen);
  if (open.size() > 1) {
    text += " Also out of sync:";
    for (std::size_t i = 1; i < open.size(); ++i) {
      const Json& d = *open[i];
      text += (i == 1 ? " " : ", ") + d["side"].get<std::string>() + " (" + d["verdict"].get<std::string>() +
              " since at least " + d["first_seen_at"].get<std::string>() + ")";
    }
    text += ".";
  }
  out["text"] = text;
  return out;
}

}  // namespace seam
