#include "reconcilers/reconcile_pass.h"

#include <algorithm>

#include "reconcilers/drift_tracking.h"
#include "reconcilers/kinds.h"
#include "reconcilers/logger.h"
#include "reconcilers/operation_steps.h"
#include "reconcilers/record_state.h"
#include "reconcilers/token/token_events.h"

namespace seam {
namespace {

struct Observed {
  const SideConfig* config;
  Observation observation;
  Judgement judgement;
  std::int64_t at_us = 0;  // when `observation` was made (drift brackets, confirmations)
};

// Appends `draft` at the state's version and folds it in. A Conflict means someone else
// appended first; the caller reports it and the next pass starts from the new state.
Status AppendAndApply(SeamContext& ctx, const std::string& stream, RecordState& state,
                      EventDraft draft) {
  SEAM_ASSIGN_OR_RETURN(AppendResult appended,
                        ctx.store.Append(stream, state.stream_version, {std::move(draft)}));
  (void)appended;
  return CatchUp(ctx.store, stream, state, ctx.keys);
}

Status AdoptFromAuthority(SeamContext& ctx, const SeamConfig& seam, RecordState& state,
                          const Observed& authority) {
  SEAM_ASSIGN_OR_RETURN(EventDraft draft,
                        AdoptionDraft(ctx, seam, state, *authority.config, authority.observation,
                                      "authority"));
  SEAM_RETURN_IF_ERROR(AppendAndApply(ctx, seam.stream(), state, std::move(draft)));
  // The side adopted from holds the new intent by definition: it is confirmed at once.
  token::SideApplied applied{authority.config->name, state.current_version};
  SEAM_RETURN_IF_ERROR(AppendAndApply(
      ctx, seam.stream(), state,
      EventDraft{token::kSideApplied, ctx.actor, ctx.clock.NowMicros(), token::Encode(applied)}));
  ReconcileLog()->info("seam {}: adopted {} from side {} as version {}", seam.name,
                       authority.judgement.fingerprint, authority.config->name,
                       state.current_version);
  return Status::Ok();
}

// Brings one side to the intended state: compare-and-swap write, read back, record.
// `*changed` is set when the side no longer matches what was observed (nothing is written then):
// the caller observes again and decides again.
Status RepairSide(SeamContext& ctx, const SeamConfig& seam, RecordState& state, Observed& o,
                  bool* changed) {
  *changed = false;
  Side& side = *o.config->side;
  const bool writable = side.Writable();
  if (!writable && o.config->on_repair.empty()) {
    return Status::FailedPrecondition(side.Describe() +
                                      " is observe-only; set on_repair (e.g. reload its server) "
                                      "to let seam repair it");
  }
  const bool write = state.active();
  if (writable) {
    Observation now = side.Observe();
    if (!(now.marker == o.observation.marker) || now.state != o.observation.state) {
      *changed = true;
      return Status::FailedPrecondition(side.Describe() +
                                        " changed since it was observed; not writing (run again)");
    }
    Status wrote = write ? side.Write(ForSide(*state.kind, o.config->transform, state.value), now.marker)
                         : side.Remove(now.marker);
    SEAM_RETURN_IF_ERROR(wrote);
  }
  // The hook (e.g. reload the server) runs before the read-back, so the confirmation sees its
  // effect. Its failure is reported after the repair is recorded: the side was written. For an
  // observe-only side the hook is the whole repair, so its failure is the repair's.
  const Status hook = RunOnRepairHook(ctx, seam, *o.config);
  if (!writable && !hook.ok()) return Status::IoError("on_repair failed: " + hook.message());

  Observation after = side.Observe();
  Judgement confirmed = JudgeSide(ctx, seam, state, *o.config, after);
  if (confirmed.verdict != Verdict::kInSync && confirmed.verdict != Verdict::kExpiring) {
    return Status::IoError(side.Describe() + (writable ? " does not hold the written value when read back ("
                                                       : " does not serve the intended value after on_repair (") +
                           VerdictName(confirmed.verdict) + ": " + confirmed.detail + ")" +
                           (hook.ok() ? "" : "; on_repair failed: " + hook.message()));
  }

  token::SideRepaired payload;
  payload.side = o.config->name;
  payload.version_written = state.current_version;
  payload.action = !writable ? "on_repair" : write ? "write" : "remove";
  payload.verdict_before = VerdictName(o.judgement.verdict);
  payload.held_version = o.judgement.holds_version;
  payload.fingerprint_before = o.judgement.fingerprint;
  if (o.judgement.verdict == Verdict::kForeign) {
    SEAM_ASSIGN_OR_RETURN(payload.sealed_before,
                          SealObservedFields(ctx, seam.stream(), state.stream_version + 1, o.observation));
  }
  EventDraft draft{token::kSideRepaired, ctx.actor, ctx.clock.NowMicros(), token::Encode(payload)};
  SEAM_RETURN_IF_ERROR(AppendAndApply(ctx, seam.stream(), state, std::move(draft)));
  ReconcileLog()->info("seam {}: repaired side {} ({} -> version {})", seam.name, o.config->name,
                       VerdictName(o.judgement.verdict), state.current_version);
  o.observation = std::move(after);
  o.judgement = std::move(confirmed);
  o.at_us = ctx.clock.NowMicros();
  if (!hook.ok()) return Status::IoError("written and recorded, but on_repair failed: " + hook.message());
  return Status::Ok();
}

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

// The sides as the pass last saw them, leaving out `skip` (sides a pending operation has not
// reached yet: finishing it is not a drift repair).
std::vector<SideSeen> Seen(const std::vector<Observed>& observed, const std::vector<const SideConfig*>& skip = {}) {
  std::vector<SideSeen> seen;
  seen.reserve(observed.size());
  for (const Observed& o : observed) {
    if (std::find(skip.begin(), skip.end(), o.config) != skip.end()) continue;
    seen.push_back(SideSeen{o.config, &o.observation, &o.judgement, o.at_us});
  }
  return seen;
}

void NoteError(SeamReport& report, const std::string& doing, const Status& status) {
  report.errors.push_back(doing + ": " + status.message());
  report.retryable = report.retryable || status.code() == StatusCode::kConflict;
}

// Repairs of `side` within the budget's window, as the log records them.
std::int64_t RecentRepairs(const RecordState& state, const std::string& side,
                           const SeamConfig::RepairBudget& budget, std::int64_t now_us) {
  auto it = state.repair_times_us.find(side);
  if (it == state.repair_times_us.end()) return 0;
  return std::count_if(it->second.begin(), it->second.end(),
                       [&](std::int64_t t) { return t > now_us - budget.window_us; });
}

std::string FlappingDetail(const SeamConfig& seam, const RecordState& state) {
  return "the seam is flapping (repairs of side " + state.flapping_side +
         " kept being undone); repairs stopped: `seamctl repair --force " + seam.name +
         "` once the other writer is dealt with";
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
  const std::string stream = seam.stream();
  const KindSpec* kind = FindKindSpec(seam.kind);
  if (kind == nullptr) return Status::InvalidArgument("seam " + seam.name + ": unknown kind " + seam.kind);
  RecordState fresh(*kind);
  RecordState& state = options.state != nullptr ? *options.state : fresh;
  if (state.kind != kind || (!state.stream.empty() && state.stream != stream)) state = RecordState(*kind);
  {
    Status caught_up = Status::Ok();
    bool kept = false;
    if (options.state != nullptr && state.stream_version > 0) {
      // A kept state is a prefix of this stream only if its last event is still there, unchanged
      // (not so after a log restored from a backup): otherwise replay from the start. One read
      // gives both that event and the ones after it.
      Result<std::vector<Event>> tail = ctx.store.ReadStream(stream, state.stream_version);
      if (!tail.ok()) return tail.status().WithContext("seam " + seam.name);
      kept = !tail->empty() && tail->front().version == state.stream_version && tail->front().hash == state.stream_hash;
      if (kept) {
        for (std::size_t i = 1; i < tail->size() && caught_up.ok(); ++i) caught_up = Apply(state, (*tail)[i]);
        if (caught_up.ok()) caught_up = OpenCurrent(state, ctx.keys);
      } else {
        state = RecordState(*kind);
      }
    }
    if (!kept) caught_up = CatchUp(ctx.store, stream, state, ctx.keys);
    if (!caught_up.ok()) {
      state = RecordState(*kind);  // never keep a half-applied state
      return caught_up.WithContext("seam " + seam.name);
    }
  }

  // Everything this pass appends (completions included) counts in events_appended.
  const std::int64_t version_before = state.stream_version;
  SeamReport report;

  std::vector<Observed> observed;
  observed.reserve(seam.sides.size());
  for (std::size_t i = 0; i < seam.sides.size(); ++i) {
    const SideConfig& side = seam.sides[i];
    const std::int64_t at = ctx.clock.NowMicros();
    Observation obs = observations.empty() ? side.side->Observe() : std::move(observations[i]);
    Judgement j = JudgeSide(ctx, seam, state, side, obs);
    observed.push_back(Observed{&side, std::move(obs), std::move(j), at});
  }

  report.name = seam.name;
  report.kind = seam.kind;
  report.entity = seam.entity;
  std::vector<std::string> actions(observed.size());
  std::vector<std::string> action_details(observed.size());

  const bool may_repair = mode != PassMode::kCheck;
  const bool dry = mode == PassMode::kDryRun;

  // --force clears the flapping state whatever the policy (a seam switched to "off" while
  // flapping must not stay flapping for ever).
  if (mode == PassMode::kRepair && options.force && state.flapping) {
    token::FlappingCleared cleared{"seamctl repair --force"};
    Status ok = AppendAndApply(ctx, stream, state,
                               EventDraft{token::kFlappingCleared, ctx.actor, ctx.clock.NowMicros(),
                                          token::Encode(cleared)});
    if (!ok.ok()) {
      report.errors.push_back("clearing the flapping state: " + ok.message());
      report.retryable = ok.code() == StatusCode::kConflict;
    }
  }

  // Authority side first: its foreign value becomes the log's (a new intent), then the others
  // follow it. Before completing a pending operation, so that nothing the authority holds is
  // written over.
  if (may_repair && seam.repair != RepairPolicy::kOff && seam.authority_side) {
    for (std::size_t i = 0; i < observed.size(); ++i) {
      Observed& o = observed[i];
      if (o.config->name != *seam.authority_side || o.judgement.verdict != Verdict::kForeign) continue;
      if (dry) {
        actions[i] = "would adopt";
        continue;
      }
      Status adopted = AdoptFromAuthority(ctx, seam, state, o);
      if (!adopted.ok()) {
        report.errors.push_back("adopting from side " + o.config->name + ": " + adopted.message());
        report.retryable = adopted.code() == StatusCode::kConflict;
        break;
      }
      actions[i] = "adopted";
      for (Observed& other : observed) {
        other.judgement = JudgeSide(ctx, seam, state, *other.config, other.observation);
      }
    }
  }

  // Completing an operation the user asked for (or the adoption just recorded) is not a drift
  // repair: done whatever the seam's `repair` policy says. Then every side is observed afresh.
  const std::vector<const SideConfig*> was_pending = operation_steps::PendingSides(seam, state);
  // Sides the operation already reached that drifted since are drifts, recorded before the
  // completion rewrites them (it would leave no trace of them otherwise).
  if (mode == PassMode::kRepair && report.errors.empty() && !was_pending.empty()) {
    Status found = RecordDriftsFound(ctx, seam, state, Seen(observed, was_pending));
    if (!found.ok()) NoteError(report, "recording drift", found);
  }
  if (mode == PassMode::kRepair && report.errors.empty() && !was_pending.empty()) {
    Status finished = operation_steps::FinishPending(ctx, seam, state);
    if (!finished.ok()) {
      report.errors.push_back(finished.message());
      report.retryable = finished.code() == StatusCode::kConflict;
    }
    for (std::size_t i = 0; i < observed.size(); ++i) {
      Observed& o = observed[i];
      o.at_us = ctx.clock.NowMicros();
      o.observation = o.config->side->Observe();
      o.judgement = JudgeSide(ctx, seam, state, *o.config, o.observation);
      const bool completed = std::find(was_pending.begin(), was_pending.end(), o.config) != was_pending.end() &&
                             state.applied.count(o.config->name) != 0;
      if (completed && actions[i].empty()) actions[i] = "completed";
    }
  } else if (dry) {
    for (const SideConfig* side : operation_steps::PendingSides(seam, state)) {
      for (std::size_t i = 0; i < observed.size(); ++i) {
        if (observed[i].config == side && actions[i].empty()) actions[i] = "would complete";
      }
    }
  }

  // Drifts are recorded as found, before any repair: the DriftOpened holds the moment the pass
  // saw the side out of sync, even when the repair follows a millisecond later.
  // Also when completing a pending operation failed (a side down): other sides' drifts are
  // still recorded. Not after a conflict: the state is stale until the next pass.
  if (mode == PassMode::kRepair && !report.retryable) {
    Status found = RecordDriftsFound(ctx, seam, state, Seen(observed));
    if (!found.ok()) NoteError(report, "recording drift", found);
  }

  if (may_repair && seam.repair == RepairPolicy::kOff) {
    for (std::size_t i = 0; i < observed.size(); ++i) {
      if (IsDrift(observed[i].judgement.verdict) && actions[i].empty()) {
        actions[i] = "skipped";
        action_details[i] = "repair = \"off\" for this seam";
      }
    }
  } else if (may_repair) {
    // In a dry run an adoption only "would" happen, but the sides after it would then follow.
    const bool would_adopt = std::find(actions.begin(), actions.end(), "would adopt") != actions.end();
    const bool has_intent = state.phase != RecordState::Phase::kUnset || would_adopt;
    // Writable sides first: an observe-only side's repair (a server reload) needs their files.
    std::vector<std::size_t> repair_order;
    for (std::size_t i = 0; i < observed.size(); ++i) {
      if (observed[i].config->side->Writable()) repair_order.push_back(i);
    }
    for (std::size_t i = 0; i < observed.size(); ++i) {
      if (!observed[i].config->side->Writable()) repair_order.push_back(i);
    }
    for (const std::size_t i : repair_order) {
      Observed& o = observed[i];
      if (!IsDrift(o.judgement.verdict) || !actions[i].empty()) continue;
      if (!report.errors.empty()) {
        actions[i] = "skipped";
        action_details[i] = "not repaired: an earlier step of this pass failed (see errors)";
        continue;
      }
      if (!has_intent) {
        actions[i] = "skipped";
        action_details[i] = "the log holds no " + kind->noun + " for this seam yet (" +
                            (kind->noun == "pairing" ? "pair" : kind->noun == "token" ? "token issue" : "cert import") +
                            ", or adopt)";
        continue;
      }
      if (state.flapping && !(options.force && dry)) {
        actions[i] = "skipped";
        action_details[i] = FlappingDetail(seam, state);
        continue;
      }
      const SeamConfig::RepairBudget& budget = seam.repair_budget;
      if (!budget.off && !options.force) {
        const std::int64_t recent = RecentRepairs(state, o.config->name, budget, ctx.clock.NowMicros());
        if (recent >= budget.count) {
          actions[i] = "skipped";
          if (dry) {
            action_details[i] = "repair budget spent: a repair would mark the seam flapping";
            continue;
          }
          token::SeamFlapping flapping{o.config->name, recent, budget.window_us / 1'000'000};
          Status marked = AppendAndApply(ctx, stream, state,
                                         EventDraft{token::kSeamFlapping, ctx.actor, ctx.clock.NowMicros(),
                                                    token::Encode(flapping)});
          if (!marked.ok()) {
            report.errors.push_back("recording that the seam is flapping: " + marked.message());
            report.retryable = marked.code() == StatusCode::kConflict;
            continue;
          }
          ReconcileLog()->warn("seam {}: side {} was repaired {} times within {} s; flapping, repairs stop",
                               seam.name, o.config->name, recent, budget.window_us / 1'000'000);
          action_details[i] = FlappingDetail(seam, state);
          continue;
        }
      }
      if (dry) {
        actions[i] = "would repair";
        continue;
      }
      // Compare-and-swap: a side that changed since it was observed is observed and judged
      // again, and repaired only if it still drifts (a few times, then left for the next pass).
      Status repaired = Status::Ok();
      for (int attempt = 0; attempt < 3; ++attempt) {
        bool changed = false;
        repaired = RepairSide(ctx, seam, state, o, &changed);
        if (!changed) break;
        o.at_us = ctx.clock.NowMicros();
        o.observation = o.config->side->Observe();
        o.judgement = JudgeSide(ctx, seam, state, *o.config, o.observation);
        if (!IsDrift(o.judgement.verdict)) break;
      }
      if (repaired.ok()) {
        actions[i] = "repaired";
      } else {
        actions[i] = "skipped";
        action_details[i] = repaired.message();
        // A side that changed under us is still drift, not trouble: the next pass decides again.
        if (repaired.code() != StatusCode::kFailedPrecondition) {
          report.errors.push_back("side " + o.config->name + ": " + repaired.message());
          report.retryable = report.retryable || repaired.code() == StatusCode::kConflict;
        }
        // info, not warn: seamctl prints the one error line itself; seamd's logs will show it.
        ReconcileLog()->info("seam {}: side {} not repaired: {}", seam.name, o.config->name,
                             repaired.message());
        if (repaired.code() == StatusCode::kConflict) break;  // the log moved on; stop this pass
      }
    }
  }

  if (mode == PassMode::kRepair && !report.retryable) {
    Status ended = RecordDriftsEnded(ctx, seam, state, Seen(observed));
    if (!ended.ok()) NoteError(report, "recording the end of a drift", ended);
  }

  report.events_appended = static_cast<int>(state.stream_version - version_before);
  report.intended_version = state.current_version;
  report.intended_state = PhaseName(state.phase);
  if (state.active()) report.intended_fingerprint = RecordFingerprint(*kind, state.value, ctx.keys);
  for (std::size_t i = 0; i < observed.size(); ++i) {
    SideReport side{observed[i].config->name, observed[i].judgement, actions[i], action_details[i], std::nullopt};
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
  for (const SideConfig* side : operation_steps::PendingSides(seam, state)) {
    report.pending_sides.push_back(side->name);
  }
  if (!report.pending_sides.empty()) {
    report.pending_operation = state.intent_type;
    report.pending_version = state.current_version;
  }
  ComputeStatus(state, report);
  return report;
}

}  // namespace seam
