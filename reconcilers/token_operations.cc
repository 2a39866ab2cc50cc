#include "reconcilers/token_operations.h"

#include "reconcilers/logger.h"
#include "reconcilers/token/token_events.h"
#include "reconcilers/token/token_reconciler.h"

namespace seam {
namespace {

using token::TokenState;

Result<TokenState> Replay(SeamContext& ctx, const SeamConfig& seam) {
  TokenState state;
  Status replayed = token::CatchUp(ctx.store, seam.stream(), state, ctx.keys);
  if (!replayed.ok()) return replayed.WithContext("seam " + seam.name);
  return state;
}

// Bad input must not half-apply an operation: every side is observed and checked for
// writability before anything is recorded, and one that is unreadable or cannot be written
// (invalid JSON, missing directory, ...) refuses the operation. Failures after this point (a
// write that fails anyway: disk full) leave the log ahead, which `repair` completes.
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

// Writes the intended state to one side and confirms it by reading back.
SideWriteReport ApplyToSide(SeamContext& ctx, const SeamConfig& seam, const TokenState& state,
                            const SideConfig& cfg) {
  SideWriteReport r{cfg.name, false, ""};
  Observation before = cfg.side->Observe();
  if (before.state == Observation::State::kUnreadable) {
    r.message = before.reason;
    return r;
  }
  if (token::Judge(state, cfg.transform, before, ctx.keys).verdict == Verdict::kInSync) {
    r.ok = true;  // already there (e.g. the side an adoption came from): leave the file alone
    return r;
  }
  Status wrote = state.active()
                     ? cfg.side->Write(ApplyTransform(cfg.transform, state.value), before.marker)
                     : cfg.side->Remove(before.marker);
  if (!wrote.ok()) {
    r.message = wrote.message();
    return r;
  }
  const Status hook = RunOnRepairHook(ctx, seam, cfg);  // before the read-back: it may reload
  Judgement after = token::Judge(state, cfg.transform, cfg.side->Observe(), ctx.keys);
  if (after.verdict != Verdict::kInSync) {
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

// Appends one event at the replayed version, folds it, and applies the result to every side.
Result<OperationReport> AppendThenApply(SeamContext& ctx, const SeamConfig& seam, TokenState state,
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
  Status applied = token::Apply(state, event);
  if (applied.ok()) applied = token::OpenCurrent(state, ctx.keys);
  if (!applied.ok()) return applied.WithContext("seam " + seam.name);

  OperationReport report;
  report.seam = seam.name;
  report.operation = operation;
  report.version = event.version;
  if (state.active()) report.fingerprint = ctx.keys.Fingerprint(state.value);
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

Result<OperationReport> SetNewValue(SeamContext& ctx, const SeamConfig& seam, const char* type,
                                    const char* operation) {
  SEAM_ASSIGN_OR_RETURN(TokenState state, Replay(ctx, seam));
  SEAM_RETURN_IF_ERROR(PreflightSides(seam, std::string("seamctl token ") + operation));
  if (type == std::string(token::kTokenIssued) && state.active()) {
    return Status::AlreadyExists("seam " + seam.name + " already has a token (version " +
                                 std::to_string(state.current_version) +
                                 "); use `seamctl token rotate " + seam.name + "`");
  }
  if (type == std::string(token::kTokenRotated) && !state.active()) {
    return Status::FailedPrecondition("seam " + seam.name + " has no active token to rotate (" +
                                      token::PhaseName(state.phase) + "); use `seamctl token issue " +
                                      seam.name + "`");
  }
  SEAM_ASSIGN_OR_RETURN(Secret value, token::NewTokenValue());
  token::TokenValueSet payload;
  SEAM_ASSIGN_OR_RETURN(payload.sealed_value,
                        ctx.keys.Seal(value, SealContext(seam.stream(), state.stream_version + 1)));
  EventDraft draft{type, ctx.actor, ctx.clock.NowMicros(), token::Encode(payload)};
  return AppendThenApply(ctx, seam, std::move(state), std::move(draft), operation);
}

}  // namespace

bool OperationReport::AllSidesWritten() const {
  for (const SideWriteReport& s : sides) {
    if (!s.ok) return false;
  }
  return true;
}

Result<OperationReport> IssueToken(SeamContext& ctx, const SeamConfig& seam) {
  return SetNewValue(ctx, seam, token::kTokenIssued, "issue");
}

Result<OperationReport> RotateToken(SeamContext& ctx, const SeamConfig& seam) {
  return SetNewValue(ctx, seam, token::kTokenRotated, "rotate");
}

Result<OperationReport> RevokeToken(SeamContext& ctx, const SeamConfig& seam, const std::string& reason) {
  SEAM_ASSIGN_OR_RETURN(TokenState state, Replay(ctx, seam));
  if (!state.active()) {
    return Status::FailedPrecondition("seam " + seam.name + " has no active token to revoke (" +
                                      token::PhaseName(state.phase) + ")");
  }
  SEAM_RETURN_IF_ERROR(PreflightSides(seam, "seamctl token revoke"));
  token::TokenRevoked payload{reason};
  EventDraft draft{token::kTokenRevoked, ctx.actor, ctx.clock.NowMicros(), token::Encode(payload)};
  return AppendThenApply(ctx, seam, std::move(state), std::move(draft), "revoke");
}

Result<OperationReport> AdoptToken(SeamContext& ctx, const SeamConfig& seam, const std::string& from) {
  const SideConfig* source = seam.FindSide(from);
  if (source == nullptr) {
    return Status::InvalidArgument("seam " + seam.name + " has no side `" + from + "`");
  }
  if (!TransformIsReversible(source->transform)) {
    return Status::InvalidArgument("side " + from + " of seam " + seam.name + " stores " +
                                   TransformName(source->transform) +
                                   " digests, from which the token cannot be recovered");
  }
  SEAM_ASSIGN_OR_RETURN(TokenState state, Replay(ctx, seam));
  SEAM_RETURN_IF_ERROR(PreflightSides(seam, "seamctl adopt --from " + from));
  Observation obs = source->side->Observe();
  if (obs.state == Observation::State::kUnreadable) {
    return Status::FailedPrecondition("side " + from + " of seam " + seam.name + " is unreadable: " + obs.reason);
  }
  if (obs.state == Observation::State::kMissing) {
    return Status::FailedPrecondition("side " + from + " of seam " + seam.name + " holds no token to adopt");
  }
  Judgement j = token::Judge(state, source->transform, obs, ctx.keys);
  if (j.verdict == Verdict::kInSync) {
    OperationReport report;
    report.seam = seam.name;
    report.operation = "adopt";
    report.fingerprint = j.fingerprint;
    report.note = "side " + from + " already holds the intended token (version " +
                  std::to_string(state.current_version) + "); nothing adopted";
    return report;
  }
  token::TokenAdopted payload;
  payload.side = from;
  payload.reason = "seamctl adopt";
  SEAM_ASSIGN_OR_RETURN(payload.sealed_value,
                        ctx.keys.Seal(obs.value, SealContext(seam.stream(), state.stream_version + 1)));
  EventDraft draft{token::kTokenAdopted, ctx.actor, ctx.clock.NowMicros(), token::Encode(payload)};
  return AppendThenApply(ctx, seam, std::move(state), std::move(draft), "adopt");
}

}  // namespace seam
