#include "reconcilers/operation_steps.h"

#include <algorithm>
#include <optional>

#include "core/fault_point.h"
#include "reconcilers/drift_tracking.h"
#include "reconcilers/kinds.h"
#include "reconcilers/logger.h"
#include "reconcilers/token/token_events.h"

namespace seam::operation_steps {
namespace {

// Writes the intended state to one side and confirms it by reading back. An observe-only side
// (tls-endpoint) is not written: its on_repair command (a server reload) is run instead.
// `completing`: the side is finishing an earlier operation whose confirmation is missing. If it
// holds the value already, its on_repair hook still runs: the earlier attempt may have written
// the side and then failed (or died) before the hook reloaded the server.
// `*overwritten` receives what the side held when that was a value the log never had (foreign)
// and it was written over, so the caller can keep it sealed.
SideWriteReport ApplyToSide(SeamContext& ctx, const SeamConfig& seam, const RecordState& state,
                            const SideConfig& cfg, bool completing, std::optional<Observation>* overwritten) {
  SideWriteReport r{cfg.name, false, ""};
  const bool writable = cfg.side->Writable();
  Observation before = cfg.side->Observe();
  // An observe-only side that cannot be reached (its server is down, perhaps waiting for the
  // files just written) may come up with its on_repair command: that is tried below.
  if (before.state == Observation::State::kUnreadable && (writable || cfg.on_repair.empty())) {
    r.message = before.reason;
    return r;
  }
  const Verdict now = JudgeSide(ctx, seam, state, cfg, before).verdict;
  // Completing an old operation must not overwrite what the seam's authority side holds: a
  // value the log never had there is adopted (by `repair`), not lost.
  if (completing && now == Verdict::kForeign && seam.authority_side == cfg.name) {
    r.message = "it is the seam's authority and holds a value the log never had; `seamctl repair " +
                seam.name + "` adopts it";
    return r;
  }
  if (now == Verdict::kInSync || now == Verdict::kExpiring) {
    if (completing && !cfg.on_repair.empty()) {
      const Status hook = RunOnRepairHook(ctx, seam, cfg);
      if (!hook.ok()) {
        r.message = "holds the value, but on_repair failed: " + hook.message();
        return r;
      }
    }
    r.ok = true;  // already there (e.g. the side an adoption came from): leave it alone
    return r;
  }
  if (!writable && cfg.on_repair.empty()) {
    r.message = cfg.side->Describe() + " is observe-only and has no on_repair to reload it";
    return r;
  }
  if (writable) {
    Status wrote = state.active()
                       ? cfg.side->Write(ForSide(*state.kind, cfg.transform, state.value), before.marker)
                       : cfg.side->Remove(before.marker);
    if (!wrote.ok()) {
      r.message = wrote.message();
      return r;
    }
    if (now == Verdict::kForeign) *overwritten = std::move(before);
  }
  const Status hook = RunOnRepairHook(ctx, seam, cfg);  // before the read-back: it may reload
  Judgement after = JudgeSide(ctx, seam, state, cfg, cfg.side->Observe());
  if (after.verdict != Verdict::kInSync && after.verdict != Verdict::kExpiring) {
    r.message = "read back after writing: " + std::string(VerdictName(after.verdict)) + " (" + after.detail + ")";
    if (!hook.ok()) r.message += "; on_repair failed: " + hook.message();
    return r;
  }
  if (!hook.ok()) {
    r.message = "written, but on_repair failed: " + hook.message();
    return r;
  }
  r.ok = true;
  return r;
}

// ApplyToSide, then the SideApplied record that makes the side's part of the operation durable.
SideWriteReport ApplyAndConfirm(SeamContext& ctx, const SeamConfig& seam, RecordState& state,
                                const SideConfig& cfg, bool completing) {
  FaultPoint("before-side-write:" + cfg.name);
  std::optional<Observation> overwritten;
  SideWriteReport r = ApplyToSide(ctx, seam, state, cfg, completing, &overwritten);
  if (!r.ok) return r;
  FaultPoint("after-side-write:" + cfg.name);
  EventDraft draft{token::kSideApplied, ctx.actor, ctx.clock.NowMicros(),
                   token::Encode(token::SideApplied{cfg.name, state.current_version})};
  if (overwritten) {
    // A value the log never had was written over: the confirmation is a SideRepaired that keeps
    // it, sealed (it confirms the version just as SideApplied does).
    token::SideRepaired repaired;
    repaired.side = cfg.name;
    repaired.version_written = state.current_version;
    repaired.action = state.active() ? "write" : "remove";
    repaired.verdict_before = VerdictName(Verdict::kForeign);
    Judgement held = JudgeSide(ctx, seam, state, cfg, *overwritten);
    repaired.fingerprint_before = held.fingerprint;
    Result<std::string> sealed = SealObservedFields(ctx, seam.stream(), state.stream_version + 1, *overwritten);
    if (!sealed.ok()) {
      r.ok = false;
      r.message = "written and read back, but sealing what it held before failed: " + sealed.status().message();
      return r;
    }
    repaired.sealed_before = std::move(sealed).value();
    draft = EventDraft{token::kSideRepaired, ctx.actor, ctx.clock.NowMicros(), token::Encode(repaired)};
  }
  const std::int64_t confirmed_at = draft.time_us;
  Result<AppendResult> appended = ctx.store.Append(seam.stream(), state.stream_version, {std::move(draft)});
  Status folded = appended.ok() ? CatchUp(ctx.store, seam.stream(), state, ctx.keys) : appended.status();
  if (!folded.ok()) {
    r.ok = false;
    r.message = "written and read back, but recording SideApplied failed: " + folded.message();
    return r;
  }
  FaultPoint("after-side-applied:" + cfg.name);
  // The side's part is done; a drift left open here is closed by the next pass instead.
  if (Status closed = RecordDriftEndedByWrite(ctx, seam, state, cfg.name, confirmed_at); !closed.ok()) {
    ReconcileLog()->warn("seam {}: side {} is confirmed, but closing its drift failed: {}", seam.name, cfg.name,
                         closed.message());
  }
  return r;
}

}  // namespace

std::vector<const SideConfig*> WriteOrder(const SeamConfig& seam) {
  std::vector<const SideConfig*> out;
  for (const SideConfig& side : seam.sides) {
    if (side.side->Writable()) out.push_back(&side);
  }
  for (const SideConfig& side : seam.sides) {
    if (!side.side->Writable()) out.push_back(&side);
  }
  return out;
}

std::vector<const SideConfig*> PendingSides(const SeamConfig& seam, const RecordState& state) {
  std::vector<const SideConfig*> out;
  if (state.phase == RecordState::Phase::kUnset) return out;
  for (const SideConfig* side : WriteOrder(seam)) {
    // An observe-only side without on_repair is never acted on by seam: it is judged and
    // reported (lagging until its server reloads), never pending.
    if (!side->side->Writable() && side->on_repair.empty()) continue;
    if (state.applied.count(side->name) == 0) out.push_back(side);
  }
  return out;
}

Status FinishPending(SeamContext& ctx, const SeamConfig& seam, RecordState& state) {
  const std::vector<const SideConfig*> pending = PendingSides(seam, state);
  if (pending.empty()) return Status::Ok();
  const std::vector<const SideConfig*> order = WriteOrder(seam);
  const auto last_pending = std::find(order.begin(), order.end(), pending.back());
  for (auto it = order.begin(); it != order.end() && it <= last_pending; ++it) {
    const SideConfig* side = *it;
    const bool is_pending = std::find(pending.begin(), pending.end(), side) != pending.end();
    if (!is_pending) {
      // Confirmed earlier, but a pending side after it depends on it (a server reload loads
      // its files): if it drifted since, it is written again first.
      if (!side->side->Writable()) continue;
      if (!IsDrift(JudgeSide(ctx, seam, state, *side, side->side->Observe()).verdict)) continue;
    }
    SideWriteReport r = ApplyAndConfirm(ctx, seam, state, *side, /*completing=*/is_pending);
    if (!r.ok) {
      return Status::FailedPrecondition(
          "seam " + seam.name + ": the previous operation (" + state.intent_type + ", version " +
          std::to_string(state.current_version) + ") is still pending on side " + side->name + " (" +
          r.message + "); fix the side, then run `seamctl repair " + seam.name + "`");
    }
    ReconcileLog()->info("seam {}: completed {} version {} on side {}", seam.name, state.intent_type,
                         state.current_version, side->name);
  }
  return Status::Ok();
}

Result<RecordState> ReplayOnly(SeamContext& ctx, const SeamConfig& seam) {
  const KindSpec* kind = FindKindSpec(seam.kind);
  if (kind == nullptr) return Status::InvalidArgument("seam " + seam.name + ": unknown kind " + seam.kind);
  RecordState state(*kind);
  Status replayed = CatchUp(ctx.store, seam.stream(), state, ctx.keys);
  if (!replayed.ok()) return replayed.WithContext("seam " + seam.name);
  return state;
}

Result<RecordState> Replay(SeamContext& ctx, const SeamConfig& seam) {
  SEAM_ASSIGN_OR_RETURN(RecordState state, ReplayOnly(ctx, seam));
  Status finished = FinishPending(ctx, seam, state);
  if (!finished.ok()) {
    return Status::FailedPrecondition(finished.message() + "; nothing new was recorded");
  }
  return state;
}

Status PreflightSides(const SeamConfig& seam, const std::string& retry) {
  for (const SideConfig& side : seam.sides) {
    Observation obs = side.side->Observe();
    std::string problem;
    // An observe-only side is never written, and one that is down (a server not started yet)
    // may be brought up by its on_repair command after the others are written.
    if (obs.state == Observation::State::kUnreadable && (side.side->Writable() || side.on_repair.empty())) {
      problem = "is unreadable (" + obs.reason + ")";
    } else if (Status writable = side.side->CheckWritable(); !writable.ok()) {
      problem = "cannot be written (" + writable.message() + ")";
    }
    if (!problem.empty()) {
      return Status::FailedPrecondition("seam " + seam.name + ": side " + side.name + " " + problem +
                                        "; nothing was recorded or written. Fix the side, then run `" +
                                        retry + "` again");
    }
  }
  return Status::Ok();
}

Result<OperationReport> AppendThenApply(SeamContext& ctx, const SeamConfig& seam, RecordState state,
                                        EventDraft draft, const char* operation) {
  Result<AppendResult> appended = ctx.store.Append(seam.stream(), state.stream_version, {draft});
  if (!appended.ok()) return appended.status().WithContext("seam " + seam.name);
  Event event;
  event.seq = appended->last_seq;
  event.stream = seam.stream();
  event.version = appended->last_version;
  event.type = draft.type;
  event.time_us = draft.time_us;
  event.actor = draft.actor;
  event.payload = std::move(draft.payload);
  Status applied = Apply(state, event);
  if (applied.ok()) applied = OpenCurrent(state, ctx.keys);
  if (!applied.ok()) return applied.WithContext("seam " + seam.name);
  FaultPoint("after-intent");

  OperationReport report;
  report.seam = seam.name;
  report.operation = operation;
  report.version = event.version;
  if (state.active()) report.fingerprint = RecordFingerprint(*state.kind, state.value, ctx.keys);
  ReconcileLog()->info("seam {}: {} recorded as version {} {}", seam.name, operation,
                       report.version, report.fingerprint);
  // `order` is the order in which the new value may safely appear: a side after one that failed
  // is not written (the CLI must not get a token the gateway never accepted). Those sides stay
  // pending, and completing the operation writes them in order.
  std::string failed;
  for (const SideConfig* side : WriteOrder(seam)) {
    if (!failed.empty()) {
      SideWriteReport waiting{side->name, false, "waits for side " + failed + ", which comes first in `order`"};
      waiting.waiting = true;
      report.sides.push_back(std::move(waiting));
      continue;
    }
    report.sides.push_back(ApplyAndConfirm(ctx, seam, state, *side, /*completing=*/false));
    if (!report.sides.back().ok) {
      failed = side->name;
      ReconcileLog()->info("seam {}: side {} not written: {}", seam.name, side->name,
                           report.sides.back().message);
    }
  }
  return report;
}

Result<OperationReport> Adopt(SeamContext& ctx, const SeamConfig& seam, const std::string& from) {
  const SideConfig* source = seam.FindSide(from);
  if (source == nullptr) {
    return Status::InvalidArgument("seam " + seam.name + " has no side `" + from + "`");
  }
  SEAM_ASSIGN_OR_RETURN(RecordState state, ReplayOnly(ctx, seam));
  if (!TransformIsReversible(source->transform)) {
    return Status::InvalidArgument("side " + from + " of seam " + seam.name + " stores " +
                                   TransformName(source->transform) + " digests, from which the " +
                                   state.kind->fields.primary + " cannot be recovered");
  }
  SEAM_RETURN_IF_ERROR(PreflightSides(seam, "seamctl adopt " + seam.name + " --from " + from));
  Observation obs = source->side->Observe();
  if (obs.state == Observation::State::kUnreadable) {
    return Status::FailedPrecondition("side " + from + " of seam " + seam.name + " is unreadable: " + obs.reason);
  }
  if (obs.state == Observation::State::kMissing) {
    return Status::FailedPrecondition("side " + from + " of seam " + seam.name + " holds no " +
                                      state.kind->noun + " to adopt");
  }
  Judgement j = JudgeSide(ctx, seam, state, *source, obs);
  if (j.verdict == Verdict::kInSync) {
    // Nothing to adopt: the side holds the log's value. What is still pending is completed, so
    // that "nothing adopted" never leaves the seam pending.
    SEAM_RETURN_IF_ERROR(FinishPending(ctx, seam, state));
    OperationReport report;
    report.seam = seam.name;
    report.operation = "adopt";
    report.fingerprint = j.fingerprint;
    report.note = "side " + from + " already holds the intended " + state.kind->noun + " (version " +
                  std::to_string(state.current_version) + "); nothing adopted";
    return report;
  }
  SEAM_ASSIGN_OR_RETURN(EventDraft draft, AdoptionDraft(ctx, seam, state, *source, obs, "seamctl adopt"));
  return AppendThenApply(ctx, seam, std::move(state), std::move(draft), "adopt");
}

}  // namespace seam::operation_steps
