// Token operations (issue, rotate, revoke) and `adopt`, over the shared operation steps.
#include "reconcilers/generate_value.h"
#include "reconcilers/operation_steps.h"
#include "reconcilers/pairing/pairing_events.h"
#include "reconcilers/token/token_events.h"
#include "reconcilers/token/token_kind.h"
#include "reconcilers/token/token_operations.h"

namespace seam {
namespace {

using operation_steps::AppendThenApply;
using operation_steps::PreflightSides;
using operation_steps::Replay;

// Refuses an operation meant for another kind, naming the command that fits.
Status RequireKind(const SeamConfig& seam, const std::string& kind, const std::string& command,
                   const std::string& instead) {
  if (seam.kind == kind) return Status::Ok();
  return Status::InvalidArgument("seam " + seam.name + " is a " + seam.kind + " seam; `" + command +
                                 "` is for " + kind + " seams" + (instead.empty() ? "" : "; " + instead));
}

Result<OperationReport> SetNewValue(SeamContext& ctx, const SeamConfig& seam, const char* type,
                                    const char* operation) {
  const std::string command = std::string("seamctl token ") + operation;
  const bool rotate = type == std::string(token::kTokenRotated);
  // `token rotate` also rotates a pairing's token; `token issue` is the token kind's `pair`.
  if (!(rotate && seam.kind == "pairing")) {
    SEAM_RETURN_IF_ERROR(RequireKind(seam, "token", command,
                                     seam.kind == "pairing" ? "use `seamctl pair " + seam.name + "`" : ""));
  }
  SEAM_ASSIGN_OR_RETURN(RecordState state, Replay(ctx, seam));
  SEAM_RETURN_IF_ERROR(PreflightSides(seam, command + " " + seam.name));
  if (!rotate && state.active()) {
    return Status::AlreadyExists("seam " + seam.name + " already has a token (rev " +
                                 std::to_string(state.revision) +
                                 "); use `seamctl token rotate " + seam.name + "`");
  }
  if (rotate && !state.active()) {
    return Status::FailedPrecondition("seam " + seam.name + " has no active " + state.kind->noun +
                                      " to rotate (" + PhaseName(state.phase) + "); use `seamctl " +
                                      (seam.kind == "pairing" ? "pair" : "token issue") + " " +
                                      seam.name + "`");
  }
  SEAM_ASSIGN_OR_RETURN(Secret value, GenerateValue(seam.format));
  SEAM_ASSIGN_OR_RETURN(std::string sealed,
                        ctx.keys.Seal(value, SealContext(seam.stream(), state.stream_version + 1)));
  EventDraft draft{type, ctx.actor, ctx.clock.NowMicros(), ""};
  if (seam.kind == "pairing") {
    draft.type = pairing::kPairingTokenRotated;
    draft.payload = pairing::Encode(pairing::PairingTokenRotated{std::move(sealed)});
  } else {
    draft.payload = token::Encode(token::TokenValueSet{std::move(sealed)});
  }
  return AppendThenApply(ctx, seam, std::move(state), std::move(draft), operation);
}

}  // namespace

Result<OperationReport> IssueToken(SeamContext& ctx, const SeamConfig& seam) {
  return SetNewValue(ctx, seam, token::kTokenIssued, "issue");
}

Result<OperationReport> RotateToken(SeamContext& ctx, const SeamConfig& seam) {
  return SetNewValue(ctx, seam, token::kTokenRotated, "rotate");
}

Result<OperationReport> RevokeToken(SeamContext& ctx, const SeamConfig& seam, const std::string& reason) {
  SEAM_RETURN_IF_ERROR(RequireKind(seam, "token", "seamctl token revoke",
                                   seam.kind == "pairing" ? "use `seamctl unpair " + seam.name + "`" : ""));
  SEAM_ASSIGN_OR_RETURN(RecordState state, Replay(ctx, seam));
  if (!state.active()) {
    return Status::FailedPrecondition("seam " + seam.name + " has no active token to revoke (" +
                                      PhaseName(state.phase) + ")");
  }
  SEAM_RETURN_IF_ERROR(PreflightSides(seam, "seamctl token revoke " + seam.name));
  token::TokenRevoked payload{reason};
  EventDraft draft{token::kTokenRevoked, ctx.actor, ctx.clock.NowMicros(), token::Encode(payload)};
  return AppendThenApply(ctx, seam, std::move(state), std::move(draft), "revoke");
}

}  // namespace seam
