// Pairing operations: pair and unpair (rotation is `token rotate`, in token_operations.cc).
#include "core/crypto.h"
#include "reconcilers/operation_steps.h"
#include "reconcilers/pairing/pairing_events.h"
#include "reconcilers/pairing/pairing_operations.h"
#include "reconcilers/token/token_kind.h"

#include <ctime>

namespace seam {
namespace {

using operation_steps::AppendThenApply;
using operation_steps::PreflightSides;
using operation_steps::Replay;

Status RequirePairing(const SeamConfig& seam, const std::string& command) {
  if (seam.kind == "pairing") return Status::Ok();
  return Status::InvalidArgument("seam " + seam.name + " is a " + seam.kind + " seam; `" + command +
                                 "` is for pairing seams");
}

// RFC 3339 UTC, seconds precision: "2026-11-29T18:00:00Z".
std::string Rfc3339(std::int64_t time_us) {
  const std::time_t secs = static_cast<std::time_t>(time_us / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Device ids and gateway URLs end up in other programs' files and URLs: printable ASCII only,
// no spaces, bounded.
Status ValidateRequest(const PairRequest& request) {
  auto printable = [](const std::string& s) {
    for (char c : s) {
      if (c <= 0x20 || c >= 0x7f) return false;
    }
    return true;
  };
  if (request.device_id.empty() || request.device_id.size() > 256 || !printable(request.device_id)) {
    return Status::InvalidArgument("--device must be 1 to 256 printable ASCII characters without spaces");
  }
  if (!request.gateway_url.empty()) {
    const std::string& u = request.gateway_url;
    if (u.size() > 2048 || !printable(u) ||
        (u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0)) {
      return Status::InvalidArgument("--gateway-url must be an http:// or https:// URL without spaces");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<OperationReport> Pair(SeamContext& ctx, const SeamConfig& seam, const PairRequest& request) {
  const std::string command = "seamctl pair";
  SEAM_RETURN_IF_ERROR(RequirePairing(seam, command));
  SEAM_RETURN_IF_ERROR(ValidateRequest(request));
  SEAM_ASSIGN_OR_RETURN(RecordState state, Replay(ctx, seam));
  if (state.active()) {
    return Status::AlreadyExists("seam " + seam.name + " is already paired (rev " +
                                 std::to_string(state.revision) + "); use `seamctl token rotate " +
                                 seam.name + "` for a new token, or `seamctl unpair " + seam.name +
                                 "` first");
  }
  SEAM_RETURN_IF_ERROR(PreflightSides(seam, command + " " + seam.name + " --device " + request.device_id));
  SEAM_ASSIGN_OR_RETURN(Secret token, token::NewTokenValue());
  const std::int64_t now = ctx.clock.NowMicros();
  pairing::PairingSet payload;
  payload.device_id = request.device_id;
  payload.gateway_url = request.gateway_url;
  payload.paired_at = Rfc3339(now);
  SEAM_ASSIGN_OR_RETURN(payload.sealed_token,
                        ctx.keys.Seal(token, SealContext(seam.stream(), state.stream_version + 1)));
  EventDraft draft{pairing::kPairingCreated, ctx.actor, now, pairing::Encode(payload)};
  return AppendThenApply(ctx, seam, std::move(state), std::move(draft), "pair");
}

Result<OperationReport> Unpair(SeamContext& ctx, const SeamConfig& seam, const std::string& reason) {
  const std::string command = "seamctl unpair";
  SEAM_RETURN_IF_ERROR(RequirePairing(seam, command));
  SEAM_ASSIGN_OR_RETURN(RecordState state, Replay(ctx, seam));
  if (!state.active()) {
    return Status::FailedPrecondition("seam " + seam.name + " is not paired (" + PhaseName(state.phase) + ")");
  }
  SEAM_RETURN_IF_ERROR(PreflightSides(seam, command + " " + seam.name));
  EventDraft draft{pairing::kPairingRemoved, ctx.actor, ctx.clock.NowMicros(),
                   pairing::Encode(pairing::PairingRemoved{reason})};
  return AppendThenApply(ctx, seam, std::move(state), std::move(draft), "unpair");
}

}  // namespace seam
