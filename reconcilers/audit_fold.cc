#include "reconcilers/audit_fold.h"

#include <algorithm>
#include <map>
#include <utility>

#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/drift_events.h"
#include "reconcilers/kinds.h"

namespace seam {
namespace {

std::string CategoryOf(const std::string& type, const IntentChange::What what, const std::string& adopted_from) {
  if (what == IntentChange::What::kClear) return "revocation";
  if (what != IntentChange::What::kNone) return adopted_from.empty() ? "operation" : "adoption";
  static const std::map<std::string, std::string> kBookkeeping = {
      {bookkeeping::kSideApplied, "confirmation"}, {bookkeeping::kSideRepaired, "repair"},
      {drift::kDriftOpened, "drift_opened"},       {drift::kDriftClosed, "drift_closed"},
      {bookkeeping::kSeamFlapping, "flapping"},    {bookkeeping::kFlappingCleared, "flapping_cleared"},
      {drift::kSideRestarted, "restart"},          {bookkeeping::kHookIneffective, "hook_ineffective"},
      {bookkeeping::kRepairStarted, "repair_started"},
      {drift::kSideUnreadable, "unreadable"},      {drift::kSideReadable, "readable"},
      {drift::kOperationPending, "pending"},       {drift::kPendingEnded, "pending_ended"},
      {drift::kSeamExpiring, "expiring"},          {drift::kExpiringEnded, "expiring_ended"}};
  auto it = kBookkeeping.find(type);
  return it != kBookkeeping.end() ? it->second : "other";
}

// Folds the stream in order. Each fact is taken while only the events before it are known, so
// a drift names what the side had (not) confirmed when it was found.
class Folder {
 public:
  Folder(const SeamConfig& seam, const AuditWindow& window) {
    out_.seam = &seam;
    out_.window = window;
  }

  bool InWindow(std::int64_t t) const {
    const AuditWindow& w = out_.window;
    return (w.since_us == 0 || t >= w.since_us) && (w.until_us == 0 || t <= w.until_us);
  }
  bool AfterWindow(std::int64_t t) const { return out_.window.until_us != 0 && t > out_.window.until_us; }

  void Add(const KindSpec& kind, Event event, const KeyRing& keys) {
    AuditEntry entry;
    entry.fields = DescribeEventFields(event, keys);
    IntentChange::What what = IntentChange::What::kNone;
    IntentChange change;
    if (const Status decoded = kind.decode(event, change); decoded.ok()) {
      what = change.what;
      entry.adopted_from = change.adopted_from;
    } else {
      entry.error = decoded.message();
    }
    if (FindShownField(entry.fields, "error") != nullptr) entry.error = ShownText(entry.fields, "error");
    if (!entry.error.empty()) ++out_.errors;
    entry.clears = what == IntentChange::What::kClear;
    entry.category = CategoryOf(event.type, what, entry.adopted_from);
    entry.side = !entry.adopted_from.empty() ? entry.adopted_from : ShownText(entry.fields, "side");
    const bool listed = InWindow(event.time_us);

    if (what != IntentChange::What::kNone) {
      Intent(entry, event, what, listed);
    } else if (event.type == bookkeeping::kSideApplied) {
      if (auto p = bookkeeping::DecodeSideApplied(event.payload); p.ok()) {
        Confirm(p->side, p->version, event.time_us, false);
      }
    } else if (event.type == bookkeeping::kSideRepaired) {
      if (auto p = bookkeeping::DecodeSideRepaired(event.payload); p.ok()) {
        Confirm(p->side, p->version_written, event.time_us, true);
        Sight(p->fingerprint_before, p->side, event);
      }
    } else if (event.type == drift::kDriftOpened) {
      if (auto p = drift::DecodeDriftOpened(event.payload); p.ok() && entry.error.empty()) OpenDrift(*p, event);
    } else if (event.type == drift::kDriftClosed) {
      if (auto p = drift::DecodeDriftClosed(event.payload); p.ok() && entry.error.empty()) CloseDrift(*p, event);
    } else if (event.type == bookkeeping::kSeamFlapping) {
      flapping_.push_back(AuditFlapping{entry.side, event.time_us, 0});
    } else if (event.type == bookkeeping::kFlappingCleared) {
      for (AuditFlapping& f : flapping_) {
        if (f.cleared_us == 0) f.cleared_us = event.time_us;
      }
    } else if (event.type == drift::kSideUnreadable) {
      if (auto p = drift::DecodeSideUnreadable(event.payload); p.ok()) {
        unreadable_.push_back(AuditUnreadable{p->side, p->reason, p->since_us != 0 ? p->since_us : event.time_us, 0,
                                              event.version, 0});
      }
    } else if (event.type == drift::kSideReadable) {
      if (auto p = drift::DecodeSideReadable(event.payload); p.ok()) {
        for (AuditUnreadable& u : unreadable_) {
          if (u.opened_version != p->opened_version || u.closed_version != 0) continue;
          u.until_us = p->at_us != 0 ? p->at_us : event.time_us;
          u.closed_version = event.version;
        }
      }
    } else if (event.type == drift::kSideRestarted && listed) {
      // Listed even when it does not decode (its entry says why), like every other event.
      Result<drift::SideRestarted> decoded = drift::DecodeSideRestarted(event.payload);
      const drift::SideRestarted p = decoded.ok() ? *decoded : drift::SideRestarted{};
      out_.restarts.push_back(AuditRestart{p.side, event.time_us, p.marker, p.previous_marker, p.started_at_us});
    }
    if (listed) {
      event.payload.clear();
      entry.event = std::move(event);
      out_.entries.push_back(std::move(entry));
    }
  }

  AuditTimeline Finish(std::int64_t first_event_us) && {
    out_.first_event_us = first_event_us;
    for (AuditOperation& op : out_.operations) FillReach(op);
    for (Drift& d : drifts_) {
      if (Overlaps(d.drift.opened_at_us, d.closed_event_us)) out_.drifts.push_back(std::move(d.drift));
    }
    for (AuditFlapping& f : flapping_) {
      if (Overlaps(f.since_us, f.cleared_us == 0 ? -1 : f.cleared_us)) out_.flapping.push_back(std::move(f));
    }
    for (AuditUnreadable& u : unreadable_) {
      if (Overlaps(u.since_us, u.until_us == 0 ? -1 : u.until_us)) out_.unreadable.push_back(std::move(u));
    }
    return std::move(out_);
  }

 private:
  struct Confirmation {
    std::int64_t first_us = 0;
    std::int64_t last_us = 0;
    bool first_by_repair = false;
  };
  struct Sightings {
    AuditSighting first;
    int times = 0;
  };
  struct Drift {
    AuditDrift drift;
    std::int64_t closed_event_us = -1;  // the DriftClosed's event time; -1 open
  };

  // A spell [from, to] (to < 0: still going) overlaps the window.
  bool Overlaps(std::int64_t from, std::int64_t to) const {
    const AuditWindow& w = out_.window;
    return (w.until_us == 0 || from <= w.until_us) && (w.since_us == 0 || to < 0 || to >= w.since_us);
  }

  void Intent(const AuditEntry& entry, const Event& event, IntentChange::What what, bool listed) {
    AuditOperation op;
    op.version = event.version;
    op.revision = static_cast<std::int64_t>(out_.operations.size()) + 1;  // every intent is one
    op.event = event.type;
    op.time_us = event.time_us;
    op.actor = event.actor;
    op.fingerprint = ShownText(entry.fields, "fingerprint");
    op.category = entry.category;
    op.adopted_from = entry.adopted_from;
    op.listed = listed;
    out_.intended_version = event.version;
    if (what == IntentChange::What::kClear) {
      out_.intended_state = "revoked";
      out_.intended_fingerprint.clear();
    } else {
      out_.intended_state = "active";
      // An update without a new fingerprinted field keeps the value's fingerprint.
      if (!op.fingerprint.empty() || what == IntentChange::What::kSet) out_.intended_fingerprint = op.fingerprint;
    }
    out_.operations.push_back(std::move(op));
  }

  void Confirm(const std::string& side, std::int64_t version, std::int64_t time_us, bool by_repair) {
    if (out_.seam->FindSide(side) == nullptr &&
        std::find(other_sides_.begin(), other_sides_.end(), side) == other_sides_.end()) {
      other_sides_.push_back(side);
    }
    auto [it, inserted] = confirmations_.try_emplace(std::make_pair(side, version), Confirmation{time_us, time_us, by_repair});
    if (!inserted) it->second.last_us = time_us;
  }

  const Confirmation* ConfirmationOf(const std::string& side, std::int64_t version) const {
    auto it = confirmations_.find(std::make_pair(side, version));
    return it == confirmations_.end() ? nullptr : &it->second;
  }

  void Sight(const std::string& fingerprint, const std::string& side, const Event& event) {
    if (fingerprint.empty()) return;
    auto [it, inserted] =
        sightings_.try_emplace(fingerprint, Sightings{AuditSighting{event.version, event.time_us, side, event.type, 0}, 0});
    ++it->second.times;
  }

  // Sides that confirmed `version` so far: configured sides in config order, then any other.
  std::vector<std::string> ReachedSides(std::int64_t version) const {
    std::vector<std::string> reached;
    for (const SideConfig& s : out_.seam->sides) {
      if (ConfirmationOf(s.name, version) != nullptr) reached.push_back(s.name);
    }
    for (const std::string& name : other_sides_) {
      if (ConfirmationOf(name, version) != nullptr) reached.push_back(name);
    }
    return reached;
  }

  void FillReach(AuditOperation& op) const {
    for (const std::string& side : ReachedSides(op.version)) {
      const Confirmation* c = ConfirmationOf(side, op.version);
      op.reached.push_back(AuditReach{side, c->first_us, c->first_by_repair});
    }
    for (const SideConfig& s : out_.seam->sides) {
      if (ConfirmationOf(s.name, op.version) == nullptr) op.missed.push_back(s.name);
    }
  }

  AuditOperationRef RefTo(const AuditOperation& op, const std::string& side) const {
    AuditOperationRef ref{op.version, op.event, op.time_us, op.actor, op.fingerprint, ReachedSides(op.version), 0};
    if (const Confirmation* c = ConfirmationOf(side, op.version)) ref.confirmed_at_us = c->last_us;
    return ref;
  }

  void OpenDrift(const drift::DriftOpened& p, const Event& event) {
    AuditDrift d;
    d.side = p.side;
    d.verdict = p.verdict;
    d.holds_version = p.holds_version;
    d.fingerprint = p.fingerprint;
    d.intended_version = p.intended_version;
    d.opened_version = event.version;
    d.last_in_sync_at_us = p.last_in_sync_at_us;
    d.first_seen_at_us = p.first_seen_at_us != 0 ? p.first_seen_at_us : event.time_us;
    d.side_changed_at_us = p.side_changed_at_us;
    if (d.verdict == "lagging" || d.verdict == "missing") {
      const AuditOperation* lost = nullptr;
      const std::vector<AuditOperation>& ops = out_.operations;
      auto after_holds = std::upper_bound(ops.begin(), ops.end(), d.holds_version,
                                          [](std::int64_t v, const AuditOperation& op) { return v < op.version; });
      for (auto o = after_holds; o != ops.end() && (d.intended_version == 0 || o->version <= d.intended_version); ++o) {
        if (ConfirmationOf(d.side, o->version) == nullptr) {
          if (!d.missed_operation) d.missed_operation = RefTo(*o, d.side);
        } else {
          lost = &*o;
        }
      }
      if (lost != nullptr && d.verdict == "lagging") d.lost_operation = RefTo(*lost, d.side);
    }
    if (d.verdict == "foreign" && !d.fingerprint.empty()) {
      auto seen = sightings_.find(d.fingerprint);
      if (seen != sightings_.end()) {
        d.seen_before = seen->second.first;
        d.seen_before->times = seen->second.times;
      }
    }
    Sight(d.fingerprint, d.side, event);
    d.opened_at_us = event.time_us;
    d.opened_by = event.actor;
    d.detail = p.detail;
    // The side's latest spell that began after its last confirmation and before the drift was found.
    for (auto u = unreadable_.rbegin(); u != unreadable_.rend(); ++u) {
      if (u->side != d.side) continue;
      if (u->since_us >= d.last_in_sync_at_us && u->since_us <= d.first_seen_at_us) d.during_unreadable = *u;
      break;
    }
    drifts_.push_back(Drift{std::move(d), -1});
  }

  void CloseDrift(const drift::DriftClosed& p, const Event& event) {
    for (Drift& open : drifts_) {
      AuditDrift& d = open.drift;
      if (d.opened_version != p.opened_version || d.closed) continue;
      AuditDriftEnd end;
      end.how = p.how;
      end.at_us = p.at_us != 0 ? p.at_us : event.time_us;
      end.cause = p.cause;
      end.version = event.version;
      // The cause reads "<what> by <actor>" (reconcilers/record_state.cc).
      const std::size_t by = p.cause.rfind(" by ");
      if (by != std::string::npos) end.by = p.cause.substr(by + 4);
      end.recorded_by = event.actor;
      d.closed = std::move(end);
      open.closed_event_us = event.time_us;
      return;
    }
  }

  AuditTimeline out_;
  std::map<std::pair<std::string, std::int64_t>, Confirmation> confirmations_;
  std::vector<std::string> other_sides_;  // sides confirmed that the config no longer names
  std::map<std::string, Sightings> sightings_;  // values seen on sides, by fingerprint
  std::vector<Drift> drifts_;
  std::vector<AuditFlapping> flapping_;
  std::vector<AuditUnreadable> unreadable_;
};

}  // namespace

const AuditOperation* AuditTimeline::OperationAt(std::int64_t version) const {
  auto it = std::lower_bound(operations.begin(), operations.end(), version,
                             [](const AuditOperation& op, std::int64_t v) { return op.version < v; });
  return it != operations.end() && it->version == version ? &*it : nullptr;
}

std::string AuditTimeline::RevisionText(std::int64_t version) const {
  const AuditOperation* op = OperationAt(version);
  return op != nullptr ? "rev " + std::to_string(op->revision) : "version " + std::to_string(version);
}

const AuditDrift* AuditTimeline::DriftOpenedAt(std::int64_t version) const {
  for (const AuditDrift& d : drifts) {
    if (d.opened_version == version) return &d;
  }
  return nullptr;
}

Result<AuditTimeline> FoldAudit(EventStore& store, const KeyRing& keys, const SeamConfig& seam,
                                const AuditWindow& window) {
  const KindSpec* kind = FindKindSpec(seam);
  if (kind == nullptr) return Status::InvalidArgument("seam " + seam.name + ": unknown kind `" + seam.kind + "`");
  SEAM_ASSIGN_OR_RETURN(std::vector<Event> events, store.ReadStream(seam.stream(), 1));
  const std::int64_t first_event_us = events.empty() ? 0 : events.front().time_us;
  Folder folder(seam, window);
  for (Event& e : events) {
    if (!folder.AfterWindow(e.time_us)) folder.Add(*kind, std::move(e), keys);
  }
  return std::move(folder).Finish(first_event_us);
}

CurrentDriftChoice ChooseCurrentDrift(const AuditTimeline& timeline) {
  CurrentDriftChoice choice;
  std::vector<const AuditDrift*> open;
  for (const AuditDrift& d : timeline.drifts) {
    if (!d.closed) open.push_back(&d);
  }
  std::stable_sort(open.begin(), open.end(),
                   [](const AuditDrift* a, const AuditDrift* b) { return a->first_seen_at_us < b->first_seen_at_us; });
  if (!open.empty()) {
    choice.drift = open.front();
    choice.open = true;
    choice.also_open.assign(open.begin() + 1, open.end());
  } else if (!timeline.drifts.empty()) {
    choice.drift = &timeline.drifts.back();
  }
  if (choice.drift != nullptr && choice.drift->missed_operation) {
    const AuditOperation* op = timeline.OperationAt(choice.drift->missed_operation->version);
    if (op != nullptr && op->listed) choice.operation = op;
  }
  return choice;
}

}  // namespace seam
