#include "reconcilers/operation_steps.h"

#include "reconcilers/kinds.h"
#include "reconcilers/logger.h"

namespace seam::operation_steps {
namespace {

// Writes the intended state to one side and confirms it by reading back. An observe-only side
// (tls-endpoint) is not written: its on_repair command (a server reload) is run instead.
SideWriteReport ApplyToSide(SeamContext& ctx, const SeamConfig& seam, const RecordState& state,
                            const SideConfig& cfg) {
  SideWriteReport r{cfg.name, false, ""};
  Observation before = cfg.side->Observe();
  if (before.state == Observation::State::kUnreadable) {
    r.message = before.reason;
    return r;
  }
  const Verdict now = JudgeSide(ctx, seam, state, cfg, before).verdict;
  if (now == Verdict::kInSync || now == Verdict::kExpiring) {
    r.ok = true;  // already there (e.g. the side an adoption came from): leave it alone
    return r;
  }
  const bool writable = cfg.side->Writable();
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

}  // namespace

Result<RecordState> Replay(SeamContext& ctx, const SeamConfig& seam) {
  const KindSpec* kind = FindKindSpec(seam.kind);
  if (kind == nullptr) return Status::InvalidArgument("seam " + seam.name + ": unknown kind " + seam.kind);
  RecordState state(*kind);
  Status replayed = CatchUp(ctx.store, seam.stream(), state, ctx.keys);
  if (!replayed.ok()) return replayed.WithContext("seam " + seam.name);
  return state;
}

Status PreflightSides(const SeamConfig& seam, const std::string& command) {
  for (const SideConfig& side : seam.sides) {
    Observation obs = side.side->Observe();
    std::string problem;
    if (obs.state == Observation::State::kUnreadable) {
      problem = "is unreadable (" + obs.reason + ")";
    } else if (Status writable = side.side->CheckWritable(); !writable.ok()) {
      problem = "cannot be written (" + writable.message() + ")";
    }
    if (!problem.empty()) {
      return Status::FailedPrecondition("seam " + seam.name + ": side " + side.name + " " + problem +
                                        "; nothing was recorded or written. Fix the side, then run `" +
                                        command + " " + seam.name + "` again");
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

  OperationReport report;
  report.seam = seam.name;
  report.operation = operation;
  report.version = event.version;
  if (state.active()) report.fingerprint = RecordFingerprint(*state.kind, state.value, ctx.keys);
  ReconcileLog()->info("seam {}: {} recorded as version {} {}", seam.name, operation,
                       report.version, report.fingerprint);
  for (const SideConfig& side : seam.sides) {
    report.sides.push_back(ApplyToSide(ctx, seam, state, side));
    if (!report.sides.back().ok) {
      ReconcileLog()->info("seam {}: side {} not written: {}", seam.name, side.name,
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
  const std::string command = "seamctl adopt --from " + from;
  SEAM_ASSIGN_OR_RETURN(RecordState state, Replay(ctx, seam));
  if (!TransformIsReversible(source->transform)) {
    return Status::InvalidArgument("side " + from + " of seam " + seam.name + " stores " +
                                   TransformName(source->transform) + " digests, from which the " +
                                   state.kind->fields.primary + " cannot be recovered");
  }
  SEAM_RETURN_IF_ERROR(PreflightSides(seam, command));
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
