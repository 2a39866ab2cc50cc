#include "reconcilers/record_state.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "core/x509.h"
#include "reconcilers/drift_events.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/token/token_events.h"

namespace seam {

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kInSync: return "in_sync";
    case Verdict::kLagging: return "lagging";
    case Verdict::kForeign: return "foreign";
    case Verdict::kMissing: return "missing";
    case Verdict::kUnreadable: return "unreadable";
    case Verdict::kExpiring: return "expiring";
  }
  return "unreadable";
}

namespace {

std::string JoinFields(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string Plural(const std::vector<std::string>& names) {
  return (names.size() == 1 ? "field " : "fields ") + JoinFields(names);
}

// Parses decimal Unix seconds; nullopt for anything else.
std::optional<std::int64_t> ParseSeconds(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

namespace {

// Drift records open and close drifts; SideRestarted keeps the side's restart marker;
// SideUnreadable and SideReadable open and close unreadable spells.
Status ApplyDriftRecord(RecordState& state, const Event& event) {
  auto where = [&] { return "event seq " + std::to_string(event.seq); };
  if (event.type == drift::kDriftOpened) {
    Result<drift::DriftOpened> p = drift::DecodeDriftOpened(event.payload);
    if (!p.ok()) return p.status().WithContext(where());
    OpenDrift open;
    open.opened_version = event.version;
    open.verdict = std::move(p->verdict);
    open.holds_version = p->holds_version;
    open.fingerprint = std::move(p->fingerprint);
    open.last_in_sync_at_us = p->last_in_sync_at_us;
    open.first_seen_at_us = p->first_seen_at_us;
    open.side_changed_at_us = p->side_changed_at_us;
    state.open_drifts[p->side] = std::move(open);
  } else if (event.type == drift::kDriftClosed) {
    Result<drift::DriftClosed> p = drift::DecodeDriftClosed(event.payload);
    if (!p.ok()) return p.status().WithContext(where());
    state.open_drifts.erase(p->side);
    if (p->how != "superseded") state.last_confirmed_us[p->side] = p->at_us;
  } else if (event.type == drift::kSideRestarted) {
    Result<drift::SideRestarted> p = drift::DecodeSideRestarted(event.payload);
    if (!p.ok()) return p.status().WithContext(where());
    state.restart_markers[p->side] = std::move(p->marker);
  } else if (event.type == drift::kSideUnreadable) {
    Result<drift::SideUnreadable> p = drift::DecodeSideUnreadable(event.payload);
    if (!p.ok()) return p.status().WithContext(where());
    state.unreadable_spells[p->side] = UnreadableSpell{event.version, p->since_us, std::move(p->reason)};
  } else if (event.type == drift::kSideReadable) {
    Result<drift::SideReadable> p = drift::DecodeSideReadable(event.payload);
    if (!p.ok()) return p.status().WithContext(where());
    state.unreadable_spells.erase(p->side);
    state.readable_since_us.erase(p->side);
  } else if (event.type == drift::kOperationPending) {
    Result<drift::OperationPending> p = drift::DecodeOperationPending(event.payload);
    if (!p.ok()) return p.status().WithContext(where());
    state.pending_recorded_version = p->version;
  } else if (event.type == drift::kPendingEnded) {
    state.pending_recorded_version = 0;
  } else if (event.type == drift::kSeamExpiring) {
    state.expiring_recorded = true;
  } else if (event.type == drift::kExpiringEnded) {
    state.expiring_recorded = false;
  }
  return Status::Ok();
}

// A side the seam wrote (or confirmed) while a drift was open on it: the drift ends "repaired"
// when it is next seen in sync, unless the log adopted the side's own value. `cause` is made
// only then: most confirmations find no drift, and a replay meets millions of them.
template <class Cause>
void NoteSideWritten(RecordState& state, const std::string& side, const Event& event, Cause&& cause) {
  state.last_confirmed_us[side] = event.time_us;
  auto it = state.open_drifts.find(side);
  if (it == state.open_drifts.end() || it->second.adopted_here) return;
  it->second.how = "repaired";
  it->second.cause = cause() + " by " + event.actor;
}

// An adoption ends the adopted side's drift ("adopted", whatever is written to it later: the
// confirmation of the adoption itself). Another drifting side that then matches the new value
// without a write ends "adopted" too; one written afterwards ends "repaired".
void NoteAdoption(RecordState& state, const std::string& from, const Event& event) {
  for (auto& [side, open] : state.open_drifts) {
    if (side != from && !open.how.empty()) continue;
    open.how = "adopted";
    open.cause = event.type + " from side " + from + " by " + event.actor;
    open.adopted_here = side == from;
  }
}

// SideApplied and SideRepaired (kind-independent bookkeeping) confirm the current intent on a
// side when they name its version.
Status ApplyConfirmation(RecordState& state, const Event& event) {
  auto where = [&] { return "event seq " + std::to_string(event.seq); };
  if (event.type == bookkeeping::kSideApplied) {
    Result<bookkeeping::SideApplied> p = bookkeeping::DecodeSideApplied(event.payload);
    if (!p.ok()) return p.status().WithContext(where());
    const std::int64_t version = p->version;
    NoteSideWritten(state, p->side, event, [&] { return state.intent_type + " version " + std::to_string(version); });
    state.ineffective_hooks.erase(p->side);
    if (p->version == state.current_version) state.applied.insert(std::move(p->side));
  } else if (event.type == bookkeeping::kSideRepaired) {
    Result<bookkeeping::SideRepaired> p = bookkeeping::DecodeSideRepaired(event.payload);
    if (!p.ok()) return p.status().WithContext(where());
    NoteSideWritten(state, p->side, event, [] { return std::string(bookkeeping::kSideRepaired); });
    std::vector<std::int64_t>& times =
        (IsDaemonActor(event.actor) ? state.daemon_repair_times_us : state.other_repair_times_us)[p->side];
    times.push_back(event.time_us);
    if (times.size() > kRepairTimesKept) times.erase(times.begin());
    state.ineffective_hooks.erase(p->side);
    if (p->version_written == state.current_version) state.applied.insert(std::move(p->side));
  } else if (drift::IsDriftEvent(event.type)) {
    return ApplyDriftRecord(state, event);
  } else if (event.type == bookkeeping::kSeamFlapping) {
    Result<bookkeeping::SeamFlapping> p = bookkeeping::DecodeSeamFlapping(event.payload);
    if (!p.ok()) return p.status().WithContext(where());
    state.flapping = true;
    state.flapping_side = std::move(p->side);
    state.flapping_since_us = event.time_us;
  } else if (event.type == bookkeeping::kHookIneffective) {
    Result<bookkeeping::HookIneffective> p = bookkeeping::DecodeHookIneffective(event.payload);
    if (!p.ok()) return p.status().WithContext(where());
    state.ineffective_hooks[p->side] = IneffectiveHook{p->version, std::move(p->marker), event.time_us, std::move(p->detail)};
  } else if (event.type == bookkeeping::kFlappingCleared) {
    state.flapping = false;
    state.flapping_side.clear();
    state.flapping_since_us = 0;
    state.daemon_repair_times_us.clear();
    state.other_repair_times_us.clear();
  }
  return Status::Ok();
}

}  // namespace

const char* PhaseName(RecordState::Phase phase) {
  switch (phase) {
    case RecordState::Phase::kUnset: return "unset";
    case RecordState::Phase::kActive: return "active";
    case RecordState::Phase::kRevoked: return "revoked";
  }
  return "unset";
}

namespace {

// The index of `fields` in state.plain_sets, added unless it equals the newest set.
std::uint32_t PlainSet(RecordState& state, std::map<std::string, std::string> fields) {
  if (fields.empty()) return 0;
  if (state.plain_sets.back() != fields) state.plain_sets.push_back(std::move(fields));
  return static_cast<std::uint32_t>(state.plain_sets.size() - 1);
}

Status ApplyEvent(RecordState& state, const Event& event) {
  if (state.stream.empty()) state.stream = event.stream;
  thread_local IntentChange change;  // reused: decoding allocates nothing per event
  change.Clear();
  if (Status decoded = state.kind->decode(event, change); !decoded.ok()) {
    return decoded.WithContext("event seq " + std::to_string(event.seq));
  }
  if (change.what == IntentChange::What::kNone) return ApplyConfirmation(state, event);
  if (!change.adopted_from.empty()) NoteAdoption(state, change.adopted_from, event);
  ++state.revision;
  switch (change.what) {
    case IntentChange::What::kNone:
      break;
    case IntentChange::What::kClear:
      state.cleared_at.push_back(event.version);
      state.phase = RecordState::Phase::kRevoked;
      state.value = Record();
      state.value_version = 0;
      break;
    case IntentChange::What::kUpdate:
      if (!state.active()) {
        return Status::Corruption("event seq " + std::to_string(event.seq) + " (" + event.type +
                                  ") updates a " + state.kind->noun + " that is not active");
      }
      [[fallthrough]];
    case IntentChange::What::kSet: {
      const bool update = change.what == IntentChange::What::kUpdate;
      RecordedValue next = update ? state.history.back() : RecordedValue{};
      next.version = event.version;
      if (!change.plain.empty()) {
        std::map<std::string, std::string> fields = update ? state.plain_of(next) : std::map<std::string, std::string>();
        for (auto& [field, text] : change.plain) fields[field] = std::move(text);
        next.plain = PlainSet(state, std::move(fields));
      }
      if (!change.sealed.empty()) {
        next.sealed = state.sealed.Add(change.sealed);
        next.sealed_version = event.version;
      }
      state.history.push_back(next);
      state.phase = RecordState::Phase::kActive;
      state.value = Record();
      state.value_version = 0;
      break;
    }
  }
  state.current_version = event.version;
  state.current_time_us = event.time_us;
  state.intent_type = event.type;
  state.applied.clear();
  return Status::Ok();
}

}  // namespace

Status Apply(RecordState& state, const Event& event) {
  SEAM_RETURN_IF_ERROR(ApplyEvent(state, event));
  // Only once the event is applied: a kept state (PassOptions::state) that claims an event it
  // did not fold would never replay it.
  state.stream_version = event.version;
  state.stream_hash = event.hash;
  return Status::Ok();
}

Result<Record> OpenRecord(const RecordState& state, const RecordedValue& recorded, const KeyRing& keys) {
  Record record;
  for (const auto& [field, text] : state.plain_of(recorded)) record.emplace(field, Secret(text));
  if (!recorded.sealed.empty()) {
    Result<Secret> opened =
        keys.Open(state.sealed.Get(recorded.sealed), SealContext(state.stream, recorded.sealed_version));
    if (!opened.ok()) {
      return opened.status().WithContext(state.stream + " version " + std::to_string(recorded.sealed_version));
    }
    record.insert_or_assign(state.kind->secret_field, std::move(opened).value());
  }
  return record;
}

std::int64_t RevisionOf(const RecordState& state, std::size_t index) {
  const std::int64_t version = state.history[index].version;
  const auto clears = std::lower_bound(state.cleared_at.begin(), state.cleared_at.end(), version);
  return static_cast<std::int64_t>(index) + 1 + (clears - state.cleared_at.begin());
}

std::int64_t RevisionAt(const RecordState& state, std::int64_t version) {
  // History is in stream order: a binary search, for a million-event stream as for a short one.
  const auto it = std::lower_bound(state.history.begin(), state.history.end(), version,
                                   [](const RecordedValue& v, std::int64_t at) { return v.version < at; });
  if (it == state.history.end() || it->version != version) return 0;
  return RevisionOf(state, static_cast<std::size_t>(it - state.history.begin()));
}

Status OpenCurrent(RecordState& state, const KeyRing& keys) {
  if (!state.active() || state.value_version == state.history.back().version) return Status::Ok();
  SEAM_ASSIGN_OR_RETURN(state.value, OpenRecord(state, state.history.back(), keys));
  state.value_version = state.history.back().version;
  return Status::Ok();
}

Result<RecordState> Fold(const KindSpec& kind, const std::vector<Event>& events, const KeyRing& keys) {
  RecordState state(kind);
  for (const Event& e : events) SEAM_RETURN_IF_ERROR(Apply(state, e));
  SEAM_RETURN_IF_ERROR(OpenCurrent(state, keys));
  return state;
}

Status CatchUp(EventStore& store, const std::string& stream, RecordState& state, const KeyRing& keys) {
  SEAM_RETURN_IF_ERROR(store.ScanStream(stream, state.stream_version + 1,
                                        [&](const Event& e) { return Apply(state, e); }));
  return OpenCurrent(state, keys);
}

Status CatchUpKept(EventStore& store, const std::string& stream, RecordState& state, const KeyRing& keys) {
  const KindSpec& kind = *state.kind;
  Status caught_up = Status::Ok();
  bool kept = false;
  if (state.stream_version > 0) {
    Result<std::vector<Event>> tail = store.ReadStream(stream, state.stream_version);
    if (!tail.ok()) {
      state = RecordState(kind);
      return tail.status();
    }
    kept = !tail->empty() && tail->front().version == state.stream_version && tail->front().hash == state.stream_hash;
    if (kept) {
      for (std::size_t i = 1; i < tail->size() && caught_up.ok(); ++i) caught_up = Apply(state, (*tail)[i]);
      if (caught_up.ok()) caught_up = OpenCurrent(state, keys);
    } else {
      state = RecordState(kind);
    }
  }
  if (!kept) caught_up = CatchUp(store, stream, state, keys);
  if (!caught_up.ok()) state = RecordState(kind);
  return caught_up;
}

Record ForSide(const KindSpec& kind, Transform transform, const Record& record) {
  Record out = record;
  if (auto it = out.find(kind.fields.primary); it != out.end()) {
    it->second = ApplyTransform(transform, it->second);
  }
  return out;
}

namespace {

std::string FingerprintOf(const KindSpec& kind, const Secret& value, const KeyRing& keys) {
  if (kind.fingerprint_is_public) return "sha256:" + std::string(value.Reveal().substr(0, 16));
  if (kind.shown_plain) return "\"" + std::string(value.Reveal()) + "\"";
  return keys.Fingerprint(value);
}

}  // namespace

std::string RecordFingerprint(const KindSpec& kind, const Record& record, const KeyRing& keys) {
  auto it = record.find(kind.fingerprint_field);
  return it == record.end() ? std::string() : FingerprintOf(kind, it->second, keys);
}

namespace {

// How an observation compares with one record, over the side's fields.
struct Comparison {
  std::vector<std::string> differ;   // present on the side, different from the record
  std::vector<std::string> absent;   // in the record, absent on the side
  bool Same() const { return differ.empty() && absent.empty(); }
};

Comparison Compare(const KindSpec& kind, const SideShape& side, const Record& record,
                   const Observation& obs) {
  Comparison c;
  for (const std::string& field : side.fields) {
    const Secret* held = obs.Field(field);
    auto want = record.find(field);
    // A field the log does not have (a pairing made without a gateway URL) constrains nothing:
    // whatever the side keeps there is its own business, and no write could change it.
    if (want == record.end()) continue;
    if (held == nullptr) {
      c.absent.push_back(field);
      continue;
    }
    const bool equal = field == kind.fields.primary
                           ? ApplyTransform(side.transform, want->second).Equals(*held)
                           : want->second.Equals(*held);
    if (!equal) c.differ.push_back(field);
  }
  return c;
}

bool MapsSecret(const KindSpec& kind, const SideShape& side) {
  return !kind.secret_field.empty() &&
         std::find(side.fields.begin(), side.fields.end(), kind.secret_field) != side.fields.end();
}

// The fingerprint of what the side holds when it matched `record`: of the record's value, so
// that a digest-storing side shows the same fingerprint as the log.
std::string MatchedFingerprint(const KindSpec& kind, const SideShape& side, const Record& record,
                               const Observation& obs, const KeyRing& keys) {
  if (std::find(side.fields.begin(), side.fields.end(), kind.fingerprint_field) != side.fields.end()) {
    return RecordFingerprint(kind, record, keys);
  }
  const Secret* first = side.fields.empty() ? nullptr : obs.Field(side.fields.front());
  return first == nullptr ? std::string() : keys.Fingerprint(*first);
}

std::string ForeignFingerprint(const KindSpec& kind, const SideShape& side, const Observation& obs,
                               const KeyRing& keys) {
  if (const Secret* fp = obs.Field(kind.fingerprint_field)) return FingerprintOf(kind, *fp, keys);
  const Secret* first = side.fields.empty() ? nullptr : obs.Field(side.fields.front());
  return first == nullptr ? std::string() : keys.Fingerprint(*first);
}

void CheckExpiry(const KindSpec& kind, const Observation& obs, const ExpiryPolicy& expiry,
                 Judgement& j) {
  if (kind.expiry_field.empty() || expiry.renew_before_us <= 0) return;
  const Secret* held = obs.Field(kind.expiry_field);
  if (held == nullptr) return;
  std::optional<std::int64_t> not_after = ParseSeconds(held->Reveal());
  if (!not_after) return;
  const std::int64_t left_us = *not_after * 1'000'000 - expiry.now_us;
  if (left_us > expiry.renew_before_us) return;
  j.verdict = Verdict::kExpiring;
  j.detail += left_us <= 0 ? "; it has EXPIRED" : "; it expires in " + DaysText(left_us / 1'000'000) + " (renew_before)";
}

// A side that holds none of its fields.
Judgement JudgeNothingHeld(const RecordState& state, const SideShape& side, const std::string& intended) {
  const KindSpec& kind = *state.kind;
  Judgement j;
  if (state.active() && std::none_of(side.fields.begin(), side.fields.end(),
                                     [&](const std::string& f) { return state.value.count(f) != 0; })) {
    j.verdict = Verdict::kInSync;
    j.detail = "holds none of its fields, and the log has none of them either";
  } else if (state.active()) {
    j.verdict = Verdict::kMissing;
    j.detail = "holds no " + kind.noun + "; " + intended;
  } else {
    j.verdict = Verdict::kInSync;
    j.detail = "holds no " + kind.noun + (state.phase == RecordState::Phase::kRevoked ? " (revoked)" : " (none recorded)");
  }
  return j;
}

// The version whose value the side holds, newest first: a value set twice (re-adopted) counts as
// the most recent version, and the usual cases (in sync, one rotation behind) open at most one
// older value. nullopt when it holds none of them; an unreadable Judgement when an older value
// cannot be opened to compare.
std::optional<Judgement> JudgeAgainstHistory(const RecordState& state, const SideShape& side, const Observation& obs,
                                             const KeyRing& keys, const ExpiryPolicy& expiry,
                                             const std::string& intended) {
  const KindSpec& kind = *state.kind;
  const bool open_older = MapsSecret(kind, side);
  for (auto it = state.history.rbegin(); it != state.history.rend(); ++it) {
    const bool current = state.active() && it == state.history.rbegin();
    Record opened;
    const Record* record = &state.value;
    if (!current) {
      if (open_older) {
        Result<Record> r = OpenRecord(state, *it, keys);
        if (!r.ok()) return Judgement{Verdict::kUnreadable, 0, 0, "", "cannot compare with the log: " + r.status().message()};
        opened = std::move(r).value();
      } else {
        for (const auto& [field, text] : state.plain_of(*it)) opened.emplace(field, Secret(text));
      }
      record = &opened;
    }
    if (!Compare(kind, side, *record, obs).Same()) continue;
    Judgement j;
    j.holds_version = it->version;
    j.holds_revision = RevisionOf(state, static_cast<std::size_t>(state.history.rend() - it) - 1);
    j.fingerprint = MatchedFingerprint(kind, side, *record, obs, keys);
    j.detail = "holds rev " + std::to_string(j.holds_revision);
    if (current && kind.lacks != nullptr) {
      if (std::string lacks = kind.lacks(state.value, obs); !lacks.empty()) {
        j.verdict = Verdict::kLagging;
        j.detail += " " + lacks;
        return j;
      }
    }
    if (current) {
      j.verdict = Verdict::kInSync;
      CheckExpiry(kind, obs, expiry, j);
    } else {
      j.verdict = Verdict::kLagging;
      j.detail += "; " + (state.active() ? intended
                                         : "the " + kind.noun + " was " + kind.cleared_word + " at rev " +
                                               std::to_string(state.revision));
    }
    return j;
  }
  return std::nullopt;
}

// A value no version of the log had: foreign, or only some fields absent (missing).
Judgement JudgeUnknownValue(const RecordState& state, const SideShape& side, const Observation& obs,
                            const KeyRing& keys, const std::string& intended) {
  const KindSpec& kind = *state.kind;
  Judgement j;
  j.fingerprint = ForeignFingerprint(kind, side, obs, keys);
  if (!state.active()) {
    j.verdict = Verdict::kForeign;
    j.detail = state.history.empty() ? "holds a value but no " + kind.noun + " was recorded in the log"
                                     : "holds a value although the " + kind.noun + " was " + kind.cleared_word +
                                           " at rev " + std::to_string(state.revision);
    return j;
  }
  const Comparison c = Compare(kind, side, state.value, obs);
  if (c.differ.empty()) {
    // Everything it holds is right; some fields are simply not there.
    j.verdict = Verdict::kMissing;
    j.detail = "lacks " + Plural(c.absent) + "; " + intended;
    return j;
  }
  j.verdict = Verdict::kForeign;
  if (side.fields.size() == 1) {
    j.detail = "holds a value the log never had";
  } else {
    const std::vector<std::string>& wrong = c.differ;
    j.detail = "holds a record the log never had: " + Plural(wrong) + (wrong.size() == 1 ? " differs" : " differ") +
               " from rev " + std::to_string(state.revision) +
               (c.absent.empty() ? "" : ", " + Plural(c.absent) + " absent");
  }
  return j;
}

}  // namespace

Judgement Judge(const RecordState& state, const SideShape& side, const Observation& obs,
                const KeyRing& keys, const ExpiryPolicy& expiry) {
  const std::string intended = "rev " + std::to_string(state.revision) + " is intended";
  switch (obs.state) {
    case Observation::State::kUnreadable:
      return Judgement{Verdict::kUnreadable, 0, 0, "", obs.reason};
    case Observation::State::kMissing:
      return JudgeNothingHeld(state, side, intended);
    case Observation::State::kValue:
      break;
  }
  if (obs.none_accepted) {
    // A probing side rejected every value it was asked about. With no value intended, that is
    // what a revocation looks like; otherwise it holds a value the log does not know. Its reason
    // names the revisions asked, the intended one first ("rejects rev 3 (intended) and 2
    // earlier ones"), so it is the whole detail.
    if (!state.active()) return JudgeNothingHeld(state, side, intended);
    return Judgement{Verdict::kForeign, 0, 0, "", obs.reason};
  }
  if (std::optional<Judgement> held = JudgeAgainstHistory(state, side, obs, keys, expiry, intended)) return *held;
  return JudgeUnknownValue(state, side, obs, keys, intended);
}

}  // namespace seam
