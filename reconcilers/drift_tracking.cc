#include "reconcilers/drift_tracking.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "reconcilers/drift_events.h"
#include "reconcilers/logger.h"

namespace seam {
namespace {

std::int64_t LastInSync(SeamContext& ctx, const std::string& stream, const RecordState& state,
                        const std::string& side) {
  std::int64_t at = ctx.confirmations != nullptr ? ctx.confirmations->LastInSync(stream, side) : 0;
  auto it = state.last_confirmed_us.find(side);
  if (it != state.last_confirmed_us.end()) at = std::max(at, it->second);
  return at;
}

bool HoldsIntent(Verdict verdict) { return verdict == Verdict::kInSync || verdict == Verdict::kExpiring; }

bool Unreadable(const SideSeen& s) { return s.judgement->verdict == Verdict::kUnreadable; }

// The reason a spell records: the side's error line, kept short (a long one is still one line).
constexpr std::size_t kReasonBytes = 400;
std::string SpellReason(const Judgement& j) {
  std::string reason = j.detail.empty() ? std::string("unreadable") : j.detail;
  if (reason.size() > kReasonBytes) reason = reason.substr(0, kReasonBytes) + "...";
  return reason;
}

enum class SpellStep { kNone, kBegins, kEnds };

SpellStep SpellStepOf(const RecordState& state, const SideSeen& s, std::int64_t readable_hold_us) {
  const std::string& name = s.config->name;
  const bool open = state.unreadable_spells.count(name) != 0;
  if (Unreadable(s)) return open ? SpellStep::kNone : SpellStep::kBegins;
  if (!open) return SpellStep::kNone;
  auto since = state.readable_since_us.find(name);
  const std::int64_t first = since == state.readable_since_us.end() ? s.observed_at_us : since->second;
  return s.observed_at_us - first >= readable_hold_us ? SpellStep::kEnds : SpellStep::kNone;
}

// Appends `drafts`, then logs each line of `said` (what they record), only once they are in
// the log: a drift a full disk kept from being recorded is found again by every pass, and would
// otherwise be announced again by each. The lines are said before the catch-up read: once the
// append succeeded, the next pass replays the drift from the log and never says it again.
Status AppendThenSay(SeamContext& ctx, const std::string& stream, RecordState& state, std::vector<EventDraft> drafts,
                     const std::vector<std::string>& said) {
  return AppendAndCatchUp(ctx, stream, state, std::move(drafts), [&] {
    for (const std::string& line : said) ReconcileLog()->info("{}", line);
  });
}

}  // namespace

void NoteReadability(RecordState& state, const std::vector<SideSeen>& sides) {
  for (const SideSeen& s : sides) {
    const std::string& name = s.config->name;
    if (Unreadable(s) || state.unreadable_spells.count(name) == 0) {
      state.readable_since_us.erase(name);
    } else {
      state.readable_since_us.emplace(name, s.observed_at_us);  // keeps the first of the run
    }
  }
}

bool SpellToRecord(const RecordState& state, const std::vector<SideSeen>& sides, std::int64_t readable_hold_us) {
  if (state.phase == RecordState::Phase::kUnset) return false;
  return std::any_of(sides.begin(), sides.end(), [&](const SideSeen& s) {
    return SpellStepOf(state, s, readable_hold_us) != SpellStep::kNone;
  });
}

Status RecordDriftsFound(SeamContext& ctx, const SeamConfig& seam, RecordState& state,
                         const std::vector<SideSeen>& sides, std::int64_t readable_hold_us) {
  if (state.phase == RecordState::Phase::kUnset) return Status::Ok();
  const std::int64_t now = ctx.clock.NowMicros();
  std::vector<EventDraft> drafts;
  std::vector<std::string> said;
  auto add = [&](const char* type, std::string payload) {
    drafts.push_back(EventDraft{type, ctx.actor, now, std::move(payload)});
  };
  for (const SideSeen& s : sides) {
    const std::string& name = s.config->name;
    const Observation& obs = *s.observation;
    if (!obs.restart_marker.empty()) {
      auto known = state.restart_markers.find(name);
      const std::string previous = known == state.restart_markers.end() ? std::string() : known->second;
      if (previous != obs.restart_marker) {
        add(drift::kSideRestarted, drift::Encode(drift::SideRestarted{name, obs.restart_marker, previous,
                                                                      obs.changed_at_us}));
      }
    }
    const Judgement& j = *s.judgement;
    switch (SpellStepOf(state, s, readable_hold_us)) {
      case SpellStep::kBegins:
        add(drift::kSideUnreadable,
            drift::Encode(drift::SideUnreadable{seam.name, name, SpellReason(j), s.observed_at_us}));
        ReconcileLog()->info("seam {}: side {} unreadable: {}", seam.name, name, SpellReason(j));
        break;
      case SpellStep::kEnds: {
        auto since = state.readable_since_us.find(name);
        const std::int64_t at = since == state.readable_since_us.end() ? s.observed_at_us : since->second;
        add(drift::kSideReadable,
            drift::Encode(drift::SideReadable{name, state.unreadable_spells.at(name).opened_version, at}));
        ReconcileLog()->info("seam {}: side {} readable again", seam.name, name);
        break;
      }
      case SpellStep::kNone:
        break;
    }
    if (!IsDrift(j.verdict)) continue;
    std::int64_t last_in_sync = 0;
    auto open = state.open_drifts.find(name);
    if (open != state.open_drifts.end()) {
      const OpenDrift& d = open->second;
      const bool same = d.verdict == VerdictName(j.verdict) && d.holds_version == j.holds_version &&
                        d.fingerprint == j.fingerprint;
      if (same && d.how.empty()) continue;  // the same drift, still open
      if (!d.how.empty()) {
        // Written (or adopted) since, then out of sync again before a pass saw it in sync: the
        // old drift ended as that write made it, a new one began after it.
        add(drift::kDriftClosed,
            drift::Encode(drift::DriftClosed{name, d.how, d.opened_version, d.cause, s.observed_at_us}));
        last_in_sync = LastInSync(ctx, seam.stream(), state, name);
      } else {
        add(drift::kDriftClosed,
            drift::Encode(drift::DriftClosed{name, "superseded", d.opened_version, "", s.observed_at_us}));
        last_in_sync = d.last_in_sync_at_us;
      }
    } else {
      last_in_sync = LastInSync(ctx, seam.stream(), state, name);
    }
    drift::DriftOpened opened;
    opened.seam = seam.name;
    opened.side = name;
    opened.verdict = VerdictName(j.verdict);
    opened.holds_version = j.holds_version;
    opened.fingerprint = j.fingerprint;
    opened.detail = j.detail;
    opened.intended_version = state.current_version;
    opened.last_in_sync_at_us = last_in_sync;
    opened.first_seen_at_us = s.observed_at_us;
    opened.side_changed_at_us = obs.changed_at_us > last_in_sync ? obs.changed_at_us : 0;
    add(drift::kDriftOpened, drift::Encode(opened));
    said.push_back(fmt::format("seam {}: side {} drifted: {}", seam.name, name, VerdictName(j.verdict)));
  }
  return AppendThenSay(ctx, seam.stream(), state, std::move(drafts), said);
}

Status RecordDriftsEnded(SeamContext& ctx, const SeamConfig& seam, RecordState& state,
                         const std::vector<SideSeen>& sides) {
  const std::int64_t now = ctx.clock.NowMicros();
  std::vector<EventDraft> drafts;
  std::vector<std::string> said;
  for (const SideSeen& s : sides) {
    if (!HoldsIntent(s.judgement->verdict)) continue;
    const std::string& name = s.config->name;
    if (ctx.confirmations != nullptr) ctx.confirmations->Confirm(seam.stream(), name, s.observed_at_us);
    auto open = state.open_drifts.find(name);
    if (open == state.open_drifts.end()) continue;
    const OpenDrift& d = open->second;
    const std::string how = d.how.empty() ? "external" : d.how;
    drafts.push_back(EventDraft{drift::kDriftClosed, ctx.actor, now,
                                drift::Encode(drift::DriftClosed{name, how, d.opened_version, d.cause, s.observed_at_us})});
    said.push_back(fmt::format("seam {}: side {} back in sync ({})", seam.name, name, how));
  }
  return AppendThenSay(ctx, seam.stream(), state, std::move(drafts), said);
}

namespace {

struct SeamStateSteps {
  bool end_pending = false;
  std::string pending_how;
  bool open_pending = false;
  bool end_expiring = false;
  bool open_expiring = false;
  bool any() const { return end_pending || open_pending || end_expiring || open_expiring; }
};

SeamStateSteps StepsFor(const RecordState& state, const SeamStateSeen& seen) {
  SeamStateSteps steps;
  if (state.phase == RecordState::Phase::kUnset) return steps;
  const std::int64_t recorded = state.pending_recorded_version;
  if (recorded != 0 && (seen.pending.empty() || recorded != state.current_version)) {
    steps.end_pending = true;
    steps.pending_how = recorded == state.current_version ? "completed" : "superseded";
  }
  steps.open_pending = !seen.pending.empty() && recorded != state.current_version;
  steps.end_expiring = state.expiring_recorded && seen.expiring.empty() && seen.all_read;
  steps.open_expiring = !state.expiring_recorded && !seen.expiring.empty();
  return steps;
}

}  // namespace

bool SeamStateToRecord(const RecordState& state, const SeamStateSeen& seen) { return StepsFor(state, seen).any(); }

Status RecordSeamStates(SeamContext& ctx, const SeamConfig& seam, RecordState& state, const SeamStateSeen& seen) {
  const SeamStateSteps steps = StepsFor(state, seen);
  if (!steps.any()) return Status::Ok();
  const std::int64_t now = ctx.clock.NowMicros();
  std::vector<EventDraft> drafts;
  if (steps.end_pending) {
    drafts.push_back(EventDraft{drift::kPendingEnded, ctx.actor, now,
                                drift::Encode(drift::PendingEnded{state.pending_recorded_version, steps.pending_how})});
  }
  if (steps.open_pending) {
    drafts.push_back(EventDraft{drift::kOperationPending, ctx.actor, now,
                                drift::Encode(drift::OperationPending{seam.name, state.intent_type, state.current_version,
                                                                      seen.pending, state.current_time_us})});
    ReconcileLog()->info("seam {}: {} version {} still pending on {}", seam.name, state.intent_type,
                         state.current_version, seen.pending.front());
  }
  if (steps.end_expiring) {
    drafts.push_back(EventDraft{drift::kExpiringEnded, ctx.actor, now, drift::Encode(drift::ExpiringEnded{seen.not_after})});
  }
  if (steps.open_expiring) {
    drafts.push_back(EventDraft{drift::kSeamExpiring, ctx.actor, now,
                                drift::Encode(drift::SeamExpiring{seam.name, seen.expiring, seen.expiring_not_after})});
    ReconcileLog()->info("seam {}: side {} holds a certificate that is expiring", seam.name, seen.expiring.front());
  }
  return AppendAndCatchUp(ctx, seam.stream(), state, std::move(drafts));
}

Status RecordDriftEndedByWrite(SeamContext& ctx, const SeamConfig& seam, RecordState& state,
                               const std::string& side, std::int64_t at_us) {
  auto open = state.open_drifts.find(side);
  if (open == state.open_drifts.end() || open->second.how.empty()) return Status::Ok();
  const OpenDrift& d = open->second;
  if (ctx.confirmations != nullptr) ctx.confirmations->Confirm(seam.stream(), side, at_us);
  ReconcileLog()->info("seam {}: side {} back in sync ({})", seam.name, side, d.how);
  return AppendAndCatchUp(ctx, seam.stream(), state,
                          {EventDraft{drift::kDriftClosed, ctx.actor, ctx.clock.NowMicros(),
                                      drift::Encode(drift::DriftClosed{side, d.how, d.opened_version, d.cause, at_us})}});
}

}  // namespace seam
