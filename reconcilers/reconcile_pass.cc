// RunPass in its phases (DESIGN.md "A reconcile pass"): replay, observe and judge, decide
// (clear flapping, adopt from the authority, complete a pending operation), record drifts found,
// repair, record drifts ended, report. Each phase reads and updates one Pass.
#include "reconcilers/reconcile_pass.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string_view>
#include <thread>

#include "reconcilers/apply_step.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/drift_tracking.h"
#include "reconcilers/kinds.h"
#include "reconcilers/logger.h"
#include "reconcilers/operation_steps.h"
#include "reconcilers/record_state.h"

namespace seam {
namespace {

struct Observed {
  const SideConfig* config;
  Observation observation;
  Judgement judgement;
  std::int64_t at_us = 0;  // when `observation` was made (drift brackets, confirmations)
  std::string action;      // SideReport::action
  std::string detail;      // SideReport::action_detail
};

// One pass over one seam, as its phases leave it.
struct Pass {
  SeamContext& ctx;
  const SeamConfig& seam;
  const PassMode mode;
  const PassOptions& options;
  const KindSpec& kind;
  RecordState& state;
  std::vector<Observed> observed;
  SeamReport report;

  bool repairing() const { return mode == PassMode::kRepair; }
  bool dry() const { return mode == PassMode::kDryRun; }
  bool may_repair() const { return mode != PassMode::kCheck; }
  void Observe(Observed& o) const {
    o.at_us = ctx.clock.NowMicros();
    o.observation = o.config->side->Observe();
    Judge(o);
  }
  void Judge(Observed& o) const { o.judgement = JudgeSide(ctx, seam, state, *o.config, o.observation); }
  // Trouble that is not a side verdict; a Conflict (another writer appended first) is retryable.
  void NoteError(const std::string& doing, const Status& status) {
    report.errors.push_back(doing + ": " + status.message());
    report.retryable = report.retryable || status.code() == StatusCode::kConflict;
    report.fenced = report.fenced || (ctx.epoch > 0 && status.code() == StatusCode::kFailedPrecondition);
  }
  Status Append(EventDraft draft) { return AppendAndCatchUp(ctx, seam.stream(), state, {std::move(draft)}); }
};

// --- replay ---------------------------------------------------------------------------------

// The state at the stream's head: a kept state (seamd, PassOptions::state) continues from where
// it is (CatchUpKept); a pass without one starts from a fresh state.
Status ReplayPhase(Pass& p) {
  const std::string stream = p.seam.stream();
  RecordState& state = p.state;
  if (state.kind != &p.kind || (!state.stream.empty() && state.stream != stream)) state = RecordState(p.kind);
  return CatchUpKept(p.ctx.store, stream, state, p.ctx.keys);
}

// --- observe and judge ------------------------------------------------------------------------

void ObservePhase(Pass& p, std::vector<Observation> given) {
  p.observed.reserve(p.seam.sides.size());
  for (std::size_t i = 0; i < p.seam.sides.size(); ++i) {
    Observed o{&p.seam.sides[i], {}, {}, p.ctx.clock.NowMicros(), "", ""};
    o.observation = given.empty() ? o.config->side->Observe() : std::move(given[i]);
    p.Judge(o);
    p.observed.push_back(std::move(o));
  }
}

// The sides as the pass last saw them, leaving out `skip` (sides a pending operation has not
// reached yet: finishing it is not a drift repair).
std::vector<SideSeen> Seen(const Pass& p, const std::vector<const SideConfig*>& skip = {}) {
  std::vector<SideSeen> seen;
  seen.reserve(p.observed.size());
  for (const Observed& o : p.observed) {
    if (std::find(skip.begin(), skip.end(), o.config) != skip.end()) continue;
    seen.push_back(SideSeen{o.config, &o.observation, &o.judgement, o.at_us});
  }
  return seen;
}

// Field `name` of `fields` as Unix seconds; 0 when absent or not a number.
std::int64_t SecondsIn(const Record& fields, const std::string& name) {
  if (name.empty()) return 0;
  auto it = fields.find(name);
  if (it == fields.end()) return 0;
  std::int64_t seconds = 0;
  const std::string_view text = it->second.Reveal();
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  return ec == std::errc() && end == text.data() + text.size() ? seconds : 0;
}

// The pending operation and expiring certificates as the pass sees them now.
SeamStateSeen StateSeen(const Pass& p) {
  SeamStateSeen seen;
  for (const SideConfig* side : operation_steps::PendingSides(p.seam, p.state)) seen.pending.push_back(side->name);
  for (const Observed& o : p.observed) {
    if (o.judgement.verdict == Verdict::kUnreadable) seen.all_read = false;
    const std::int64_t not_after = o.observation.state == Observation::State::kValue
                                       ? SecondsIn(o.observation.fields, p.kind.expiry_field)
                                       : 0;
    if (not_after != 0 && (seen.not_after == 0 || not_after < seen.not_after)) seen.not_after = not_after;
    if (o.judgement.verdict != Verdict::kExpiring) continue;
    seen.expiring.push_back(o.config->name);
    if (seen.expiring_not_after == 0 || (not_after != 0 && not_after < seen.expiring_not_after)) {
      seen.expiring_not_after = not_after;
    }
  }
  return seen;
}

// PassOptions::defer_acting: whether the rest of this pass would append or write anything. Each
// condition is one of the phases below that can: adopt, complete, record a drift found (or a
// restart, or an unreadable spell's start or end), repair, record a drift ended, clear flapping.
bool WouldAct(const Pass& p) {
  if (!p.state.open_drifts.empty() || !operation_steps::PendingSides(p.seam, p.state).empty()) return true;
  if (p.options.force && p.state.flapping) return true;
  if (SpellToRecord(p.state, Seen(p), p.options.readable_hold_us)) return true;
  if (SeamStateToRecord(p.state, StateSeen(p))) return true;
  return std::any_of(p.observed.begin(), p.observed.end(), [&p](const Observed& o) {
    if (IsDrift(o.judgement.verdict)) return true;
    const std::string& marker = o.observation.restart_marker;
    if (marker.empty() || p.state.phase == RecordState::Phase::kUnset) return false;  // not recorded then
    auto known = p.state.restart_markers.find(o.config->name);
    return known == p.state.restart_markers.end() || known->second != marker;
  });
}

// --- decide: flapping, authority, pending operation -------------------------------------------

// `repair --force` clears the flapping state whatever the policy (a seam switched to "off"
// while flapping must not stay flapping for ever), and runs again the hooks seen not to help
// (HookIneffective): the person has fixed the server, or wants to see it fail again.
void ClearFlappingPhase(Pass& p) {
  if (!p.repairing() || !p.options.force) return;
  p.state.ineffective_hooks.clear();
  if (!p.state.flapping) return;
  bookkeeping::FlappingCleared cleared{"seamctl repair --force"};
  Status ok = p.Append(EventDraft{bookkeeping::kFlappingCleared, p.ctx.actor, p.ctx.clock.NowMicros(),
                                  bookkeeping::Encode(cleared)});
  if (!ok.ok()) p.NoteError("clearing the flapping state", ok);
}

// The authority side's foreign value becomes the log's (a new intent), confirmed on that side at
// once; the others then follow it. Before completing a pending operation, so that nothing the
// authority holds is written over.
Status AdoptFrom(Pass& p, Observed& authority) {
  SEAM_ASSIGN_OR_RETURN(EventDraft draft, AdoptionDraft(p.ctx, p.seam, p.state, *authority.config,
                                                        authority.observation, "authority"));
  SEAM_RETURN_IF_ERROR(p.Append(std::move(draft)));
  bookkeeping::SideApplied applied{authority.config->name, p.state.current_version};
  SEAM_RETURN_IF_ERROR(p.Append(
      EventDraft{bookkeeping::kSideApplied, p.ctx.actor, p.ctx.clock.NowMicros(), bookkeeping::Encode(applied)}));
  ReconcileLog()->info("seam {}: adopted {} from side {} as version {}", p.seam.name, authority.judgement.fingerprint,
                       authority.config->name, p.state.current_version);
  return Status::Ok();
}

// A renewal in progress: certbot repoints its four links one by one, acme.sh writes the key and
// then the chain, so a pass woken by the first change can see a new certificate beside the old
// key. A value on the authority side that the kind would not adopt, and that changed moments
// ago, is looked at again (every 100 ms, for up to kHalfWrittenGrace after its change) before
// it is called trouble.
constexpr std::int64_t kHalfWrittenGraceUs = 2'000'000;

void WaitOutAHalfWrittenValue(Pass& p, Observed& o) {
  if (p.kind.check_adopted == nullptr) return;
  for (;;) {
    if (o.judgement.verdict != Verdict::kForeign || o.observation.state != Observation::State::kValue) return;
    const std::int64_t now_us = p.ctx.clock.NowMicros();
    if (p.kind.check_adopted(o.observation, now_us / 1'000'000).ok()) return;
    const std::int64_t changed = o.observation.changed_at_us;
    if (changed <= 0 || now_us - changed > kHalfWrittenGraceUs || now_us < changed) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    p.Observe(o);
  }
}

// Whether the seam's policy lets this pass write sides (or adopt, or revoke) to end a drift:
// not "off"; "notify" only under `repair --force` (a person decided).
bool PolicyAllowsRepair(const Pass& p) {
  if (p.seam.repair == RepairPolicy::kOff) return false;
  return p.seam.repair != RepairPolicy::kNotify || p.options.force;
}

void AdoptPhase(Pass& p) {
  if (!p.may_repair() || !PolicyAllowsRepair(p) || !p.seam.authority_side) return;
  for (Observed& o : p.observed) {
    if (o.config->name != *p.seam.authority_side || o.judgement.verdict != Verdict::kForeign) continue;
    if (p.dry()) {
      o.action = "would adopt";
      continue;
    }
    WaitOutAHalfWrittenValue(p, o);
    if (o.judgement.verdict != Verdict::kForeign) continue;
    if (Status adopted = AdoptFrom(p, o); !adopted.ok()) {
      p.NoteError("adopting from side " + o.config->name, adopted);
      return;
    }
    o.action = "adopted";
    for (Observed& other : p.observed) p.Judge(other);
  }
}

// A removal made on purpose at a side trusted for removals (`may_revoke`): the side answered that
// the value is gone (not a missing file, not an error), after confirming the current version,
// with no operation pending, in the same run of its component as the log last saw (a server
// restored from a stale backup answers "absent" too, and is lagging, never a revocation).
bool IsRevocation(const Pass& p, const Observed& o) {
  const SideConfig& side = *o.config;
  if (!side.may_revoke || !p.state.active() || p.kind.encode_cleared == nullptr) return false;
  if (o.observation.state != Observation::State::kMissing || !o.observation.answered_absent) return false;
  if (o.judgement.verdict != Verdict::kMissing) return false;
  if (p.state.applied.count(side.name) == 0 || !operation_steps::PendingSides(p.seam, p.state).empty()) return false;
  // No marker recorded yet (no pass has seen one): nothing says it restarted.
  auto known = p.state.restart_markers.find(side.name);
  return known == p.state.restart_markers.end() || known->second == o.observation.restart_marker;
}

// The kind's clearing event (TokenRevoked, PairingRemoved, CertificateRevoked) with the reason,
// confirmed on the side that removed it; the other sides then follow (CompletePhase).
Status RevokeFrom(Pass& p, Observed& o) {
  const std::string reason = "removed on side " + o.config->name;
  SEAM_RETURN_IF_ERROR(
      p.Append(EventDraft{p.kind.cleared_type, p.ctx.actor, p.ctx.clock.NowMicros(), p.kind.encode_cleared(reason)}));
  bookkeeping::SideApplied applied{o.config->name, p.state.current_version};
  SEAM_RETURN_IF_ERROR(p.Append(
      EventDraft{bookkeeping::kSideApplied, p.ctx.actor, p.ctx.clock.NowMicros(), bookkeeping::Encode(applied)}));
  ReconcileLog()->info("seam {}: the {} was {} on side {} (may_revoke): recorded as version {}", p.seam.name,
                       p.kind.noun, p.kind.cleared_word, o.config->name, p.state.current_version);
  return Status::Ok();
}

void RevokePhase(Pass& p) {
  if (!p.may_repair() || !PolicyAllowsRepair(p)) return;
  for (Observed& o : p.observed) {
    if (!IsRevocation(p, o)) continue;
    if (p.dry()) {
      o.action = "would revoke";
      continue;
    }
    if (Status revoked = RevokeFrom(p, o); !revoked.ok()) {
      p.NoteError("recording the removal on side " + o.config->name, revoked);
      return;
    }
    o.action = p.kind.cleared_word;
    for (Observed& other : p.observed) p.Judge(other);
    return;  // the value is cleared: no other side can revoke it again
  }
}

// Completing an operation the user asked for (or the adoption just recorded) is not a drift
// repair: done whatever the seam's `repair` policy says. Sides it already reached that drifted
// since are drifts, recorded before the completion rewrites them (it would leave no trace of
// them otherwise). Then every side is observed afresh.
void CompletePhase(Pass& p) {
  const std::vector<const SideConfig*> pending = operation_steps::PendingSides(p.seam, p.state);
  if (p.dry()) {
    for (Observed& o : p.observed) {
      if (std::find(pending.begin(), pending.end(), o.config) != pending.end() && o.action.empty()) {
        o.action = "would complete";
      }
    }
    return;
  }
  if (!p.repairing() || !p.report.errors.empty() || pending.empty()) return;
  if (Status found = RecordDriftsFound(p.ctx, p.seam, p.state, Seen(p, pending), p.options.readable_hold_us);
      !found.ok()) {
    p.NoteError("recording drift", found);
    return;
  }
  if (Status finished = operation_steps::FinishPending(p.ctx, p.seam, p.state); !finished.ok()) {
    p.report.errors.push_back(finished.message());
    p.report.retryable = p.report.retryable || finished.code() == StatusCode::kConflict;
  }
  for (Observed& o : p.observed) {
    p.Observe(o);
    const bool completed = std::find(pending.begin(), pending.end(), o.config) != pending.end() &&
                           p.state.applied.count(o.config->name) != 0;
    if (completed && o.action.empty()) o.action = "completed";
  }
}

// --- repair -----------------------------------------------------------------------------------

std::string FlappingDetail(const Pass& p) {
  return "the seam is flapping (repairs of side " + p.state.flapping_side +
         " kept being undone); repairs stopped: `seamctl repair --force " + p.seam.name +
         "` once the other writer is dealt with";
}

// Repairs of `side` within the budget's window, as the log records them: seamd's when this pass
// is seamd's, everyone else's otherwise.
std::int64_t RecentRepairs(const Pass& p, const std::string& side) {
  const auto& times = IsDaemonActor(p.ctx.actor) ? p.state.daemon_repair_times_us : p.state.other_repair_times_us;
  auto it = times.find(side);
  if (it == times.end()) return 0;
  const std::int64_t since = p.ctx.clock.NowMicros() - p.seam.repair_budget.window_us;
  return std::count_if(it->second.begin(), it->second.end(), [&](std::int64_t t) { return t > since; });
}

// Past the budget the side is not repaired and the seam is marked flapping (SeamFlapping).
// True when the budget allows the repair.
bool WithinBudget(Pass& p, Observed& o) {
  const SeamConfig::RepairBudget& budget = p.seam.repair_budget;
  if (budget.off || p.options.force) return true;
  const std::int64_t recent = RecentRepairs(p, o.config->name);
  if (recent < budget.count) return true;
  o.action = "skipped";
  if (p.dry()) {
    o.detail = "repair budget spent: a repair would mark the seam flapping";
    return false;
  }
  bookkeeping::SeamFlapping flapping{o.config->name, recent, budget.window_us / 1'000'000};
  Status marked = p.Append(EventDraft{bookkeeping::kSeamFlapping, p.ctx.actor, p.ctx.clock.NowMicros(),
                                      bookkeeping::Encode(flapping)});
  if (!marked.ok()) {
    p.NoteError("recording that the seam is flapping", marked);
    return false;
  }
  ReconcileLog()->warn("seam {}: side {} was repaired {} times within {} s; flapping, repairs stop", p.seam.name,
                       o.config->name, recent, budget.window_us / 1'000'000);
  o.detail = FlappingDetail(p);
  return false;
}

// Whether side `o` is to be repaired now; when not, why (in its action and detail).
bool DecideRepair(Pass& p, Observed& o, bool has_intent) {
  if (!IsDrift(o.judgement.verdict) || !o.action.empty()) return false;
  auto skip = [&o](std::string why) {
    o.action = "skipped";
    o.detail = std::move(why);
    return false;
  };
  if (p.seam.repair == RepairPolicy::kOff) return skip("repair = \"off\" for this seam");
  if (!PolicyAllowsRepair(p)) {
    return skip("repair = \"notify\" for this seam: a person decides (`seamctl repair --force " + p.seam.name +
                "` writes it)");
  }
  if (!p.report.errors.empty()) return skip("not repaired: an earlier step of this pass failed (see errors)");
  if (!has_intent) {
    return skip("the log holds no " + p.kind.noun + " for this seam yet (" + p.kind.first_operation + ", or adopt)");
  }
  if (p.state.flapping && !(p.options.force && p.dry())) return skip(FlappingDetail(p));
  if (!WithinBudget(p, o)) return false;
  if (p.dry()) {
    o.action = "would repair";
    return false;
  }
  return true;
}

// The shared apply step, compare-and-swap: a side that changed since it was observed is observed
// and judged again, and repaired only if it still drifts (a few times, then left for the next
// pass).
void RepairOne(Pass& p, Observed& o) {
  Status repaired = Status::Ok();
  for (int attempt = 0; attempt < 3; ++attempt) {
    ApplyOutcome out = ApplyToSide(p.ctx, p.seam, p.state, *o.config, ApplyPurpose::kRepair,
                                   ApplyDecision{o.observation, o.judgement});
    repaired = out.status;
    if (out.after) {
      o.observation = std::move(*out.after);
      o.judgement = std::move(*out.confirmed);
      o.at_us = out.confirmed_at_us;
    }
    if (!out.changed) break;
    p.Observe(o);
    if (!IsDrift(o.judgement.verdict)) break;
  }
  if (repaired.ok()) {
    o.action = "repaired";
    return;
  }
  o.action = "skipped";
  o.detail = repaired.message();
  // A side that changed under us is still drift, not trouble: the next pass decides again.
  if (repaired.code() != StatusCode::kFailedPrecondition) p.NoteError("side " + o.config->name, repaired);
  // info, not warn: seamctl prints the one error line itself; seamd's logs will show it.
  ReconcileLog()->info("seam {}: side {} not repaired: {}", p.seam.name, o.config->name, repaired.message());
}

// Every drifting side, writable ones first (an observe-only side's repair, a server reload,
// needs their files: operation_steps::WriteOrder). A conflict ends the pass's repairs: the log
// moved on.
void RepairPhase(Pass& p) {
  if (!p.may_repair()) return;
  // In a dry run an adoption only "would" happen, but the sides after it would then follow.
  const bool would_adopt = std::any_of(p.observed.begin(), p.observed.end(),
                                       [](const Observed& o) { return o.action == "would adopt"; });
  const bool has_intent = p.state.phase != RecordState::Phase::kUnset || would_adopt;
  for (const SideConfig* side : operation_steps::WriteOrder(p.seam)) {
    Observed& o = *std::find_if(p.observed.begin(), p.observed.end(),
                                [side](const Observed& seen) { return seen.config == side; });
    if (!DecideRepair(p, o, has_intent)) continue;
    RepairOne(p, o);
    if (p.report.retryable) break;
  }
}

// --- report -----------------------------------------------------------------------------------

void ComputeStatus(const RecordState& state, SeamReport& report) {
  bool drift = false;
  bool unreadable = false;
  bool expiring = false;
  for (const SideReport& s : report.sides) {
    drift = drift || IsDrift(s.judgement.verdict);
    unreadable = unreadable || s.judgement.verdict == Verdict::kUnreadable;
    expiring = expiring || s.judgement.verdict == Verdict::kExpiring;
  }
  if (drift && report.flapping) report.status = "flapping";
  else if (drift) report.status = "drift";
  else if (unreadable) report.status = "unknown";
  else if (state.phase == RecordState::Phase::kUnset) report.status = "unset";
  else if (!report.pending_sides.empty()) report.status = "pending";
  else if (report.flapping) report.status = "flapping";
  else if (expiring) report.status = "expiring";
  else report.status = "in_sync";
}


SeamReport ReportPhase(Pass& p, std::int64_t version_before) {
  SeamReport& report = p.report;
  const RecordState& state = p.state;
  report.name = p.seam.name;
  report.kind = p.seam.kind;
  report.entity = p.seam.entity;
  report.events_appended = static_cast<int>(state.stream_version - version_before);
  report.intended_version = state.current_version;
  report.intended_revision = state.revision;
  report.intended_state = PhaseName(state.phase);
  if (state.active()) {
    report.intended_fingerprint = RecordFingerprint(p.kind, state.value, p.ctx.keys);
    report.intended_not_after = SecondsIn(state.value, p.kind.expiry_field);
  }
  for (Observed& o : p.observed) {
    SideReport side{o.config->name, std::move(o.judgement), std::move(o.action), std::move(o.detail), std::nullopt};
    if (o.observation.state == Observation::State::kValue) {
      side.not_after = SecondsIn(o.observation.fields, p.kind.expiry_field);
      side.chain_not_after = SecondsIn(o.observation.fields, p.kind.chain_expiry_field);
    }
    if (side.judgement.verdict == Verdict::kUnreadable) {
      auto spell = state.unreadable_spells.find(side.name);
      side.unreadable_since_us = spell != state.unreadable_spells.end() ? spell->second.since_us : o.at_us;
    }
    if (auto open = state.open_drifts.find(side.name); open != state.open_drifts.end()) {
      const OpenDrift& d = open->second;
      side.drift = DriftInfo{d.opened_version, d.verdict, d.last_in_sync_at_us, d.first_seen_at_us,
                             d.side_changed_at_us};
    }
    report.sides.push_back(std::move(side));
  }
  report.flapping = state.flapping;
  report.flapping_side = state.flapping_side;
  report.flapping_since_us = state.flapping_since_us;
  for (const SideConfig* side : operation_steps::PendingSides(p.seam, state)) report.pending_sides.push_back(side->name);
  if (!report.pending_sides.empty()) {
    report.pending_operation = state.intent_type;
    report.pending_version = state.current_version;
    report.pending_revision = state.revision;
    report.pending_since_us = state.current_time_us;
  }
  ComputeStatus(state, report);
  return std::move(report);
}

}  // namespace

int SeamReport::ExitCode() const {
  int code = 0;
  for (const SideReport& s : sides) {
    if (s.judgement.verdict == Verdict::kUnreadable) return 2;
    if (IsDrift(s.judgement.verdict) || s.judgement.verdict == Verdict::kExpiring) code = 1;
  }
  if (flapping || !pending_sides.empty()) code = std::max(code, 1);
  if (errors.empty()) return code;
  return retryable ? 3 : 2;
}

Result<SeamReport> RunPass(SeamContext& ctx, const SeamConfig& seam, PassMode mode,
                           std::vector<Observation> observations, const PassOptions& options) {
  if (!observations.empty() && observations.size() != seam.sides.size()) {
    return Status::Internal("seam " + seam.name + ": " + std::to_string(observations.size()) +
                            " observations for " + std::to_string(seam.sides.size()) + " sides");
  }
  const KindSpec* kind = FindKindSpec(seam);
  if (kind == nullptr) return Status::InvalidArgument("seam " + seam.name + ": unknown kind " + seam.kind);
  RecordState fresh(*kind);
  Pass p{ctx, seam, mode, options, *kind, options.state != nullptr ? *options.state : fresh, {}, {}};

  if (Status replayed = ReplayPhase(p); !replayed.ok()) return replayed.WithContext("seam " + seam.name);
  // Everything this pass appends (completions included) counts in events_appended.
  const std::int64_t version_before = p.state.stream_version;
  ObservePhase(p, std::move(observations));
  NoteReadability(p.state, Seen(p));
  if (options.defer_acting && WouldAct(p)) {
    SeamReport deferred;
    deferred.name = seam.name;
    deferred.deferred = true;
    return deferred;
  }
  ClearFlappingPhase(p);
  AdoptPhase(p);
  RevokePhase(p);
  CompletePhase(p);
  // Drifts are recorded as found, before any repair: the DriftOpened holds the moment the pass
  // saw the side out of sync, even when the repair follows a millisecond later. Also when
  // completing a pending operation failed (a side down). Not after a conflict: the state is
  // stale until the next pass.
  if (p.repairing() && !p.report.retryable) {
    if (Status found = RecordDriftsFound(ctx, seam, p.state, Seen(p), options.readable_hold_us); !found.ok()) {
      p.NoteError("recording drift", found);
    }
  }
  RepairPhase(p);
  if (p.repairing() && !p.report.retryable) {
    if (Status ended = RecordDriftsEnded(ctx, seam, p.state, Seen(p)); !ended.ok()) {
      p.NoteError("recording the end of a drift", ended);
    }
  }
  // What is left pending, and what is expiring, as the pass ends.
  if (p.repairing() && !p.report.retryable) {
    if (Status states = RecordSeamStates(ctx, seam, p.state, StateSeen(p)); !states.ok()) {
      p.NoteError("recording the seam's pending operation or expiry", states);
    }
  }
  return ReportPhase(p, version_before);
}

}  // namespace seam
