#include "reconcilers/operation_steps.h"

#include <algorithm>

#include "core/fault_point.h"
#include "reconcilers/apply_step.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/kinds.h"
#include "reconcilers/logger.h"

namespace seam::operation_steps {
namespace {

// The shared apply step (reconcilers/apply_step.h), reported per side.
SideWriteReport ApplyAndConfirm(SeamContext& ctx, const SeamConfig& seam, RecordState& state,
                                const SideConfig& cfg, bool completing) {
  const ApplyOutcome applied =
      ApplyToSide(ctx, seam, state, cfg, completing ? ApplyPurpose::kCompletion : ApplyPurpose::kOperation);
  SideWriteReport report{cfg.name, applied.status.ok(), applied.status.ok() ? "" : applied.status.message()};
  report.observe_only = !cfg.side->Writable();
  report.held_back = applied.held_back;
  return report;
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
          "seam " + seam.name + ": the previous operation (" + state.intent_type + ", rev " +
          std::to_string(state.revision) + ") is still pending on side " + side->name + " (" +
          r.message + "); fix the side, then run `seamctl repair " + (r.held_back ? "--force " : "") + seam.name +
          "`");
    }
    ReconcileLog()->info("seam {}: completed {} version {} on side {}", seam.name, state.intent_type,
                         state.current_version, side->name);
  }
  return Status::Ok();
}

Result<RecordState> ReplayOnly(SeamContext& ctx, const SeamConfig& seam) {
  const KindSpec* kind = FindKindSpec(seam);
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
  Status appended = AppendAndCatchUp(ctx, seam.stream(), state, {std::move(draft)});
  if (!appended.ok()) return appended.WithContext("seam " + seam.name);
  FaultPoint("after-intent");

  OperationReport report;
  report.seam = seam.name;
  report.operation = operation;
  report.version = state.stream_version;
  report.revision = state.revision;
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
  if (obs.none_accepted) {
    // A probe can take back a value the log once had (it accepted it), never one it only holds.
    return Status::FailedPrecondition("side " + from + " of seam " + seam.name + " " + obs.reason +
                                      ", and a probe cannot show the value it holds; record the value with "
                                      "`seamctl value set` or adopt it from a side that holds it");
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
    report.note = "side " + from + " already holds the intended " + state.kind->noun + " (rev " +
                  std::to_string(state.revision) + "); nothing adopted";
    return report;
  }
  SEAM_ASSIGN_OR_RETURN(EventDraft draft, AdoptionDraft(ctx, seam, state, *source, obs, "seamctl adopt"));
  return AppendThenApply(ctx, seam, std::move(state), std::move(draft), "adopt");
}

Status NoIntentRecordedSince(EventStore& log, const SeamConfig& seam, std::int64_t seen) {
  SEAM_ASSIGN_OR_RETURN(std::vector<Event> meanwhile, log.ReadStream(seam.stream(), seen + 1));
  for (const Event& e : meanwhile) {
    if (bookkeeping::IsBookkeepingEvent(e.type)) continue;
    return Status::Conflict("seam " + seam.name + ": " + e.actor + " recorded " + e.type + " as version " +
                            std::to_string(e.version) +
                            " while this command waited for the seam's lock; nothing was recorded; run it "
                            "again if it is still wanted");
  }
  return Status::Ok();
}

}  // namespace seam::operation_steps

namespace seam {

bool OperationReport::AllSidesWritten() const {
  for (const SideWriteReport& s : sides) {
    if (!s.ok) return false;
  }
  return true;
}

Result<OperationReport> AdoptValue(SeamContext& ctx, const SeamConfig& seam, const std::string& from) {
  return operation_steps::Adopt(ctx, seam, from);
}

}  // namespace seam
