// Value operations (set, unset) over the shared operation steps.
#include "reconcilers/value/value_operations.h"

#include "reconcilers/generate_value.h"
#include "reconcilers/operation_steps.h"
#include "reconcilers/value/value_events.h"

namespace seam {
namespace {

using operation_steps::AppendThenApply;
using operation_steps::PreflightSides;
using operation_steps::Replay;

Status RequireValueSeam(const SeamConfig& seam, const std::string& command) {
  if (seam.kind == "value") return Status::Ok();
  return Status::InvalidArgument("seam " + seam.name + " is a " + seam.kind + " seam; `" + command +
                                 "` is for value seams");
}

// What a given value must be before anything is recorded. Never names the value.
Status CheckGiven(const SeamConfig& seam, const Secret& value) {
  if (value.size() == 0) return Status::InvalidArgument("seam " + seam.name + ": the value is empty");
  if (value.size() > kMaxValueBytes) {
    return Status::InvalidArgument("seam " + seam.name + ": the value is " + std::to_string(value.size()) +
                                   " bytes, over the " + std::to_string(kMaxValueBytes / 1024) + " KiB limit");
  }
  for (const char c : value.Reveal()) {
    if (c == '\0') return Status::InvalidArgument("seam " + seam.name + ": the value holds a NUL byte");
    // A plain value is shown in one-line messages and log lines.
    if (!seam.secret && (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)) {
      return Status::InvalidArgument("seam " + seam.name +
                                     ": the value holds a control character (a line break?), which a value "
                                     "shown as it is (secret = \"false\") cannot");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<OperationReport> SetValue(SeamContext& ctx, const SeamConfig& seam, const std::optional<Secret>& given) {
  const std::string command = "seamctl value set " + seam.name;
  SEAM_RETURN_IF_ERROR(RequireValueSeam(seam, "seamctl value set"));
  if (given) SEAM_RETURN_IF_ERROR(CheckGiven(seam, *given));
  SEAM_ASSIGN_OR_RETURN(RecordState state, Replay(ctx, seam));
  SEAM_RETURN_IF_ERROR(PreflightSides(seam, command));
  if (given && state.active()) {
    auto current = state.value.find("value");
    if (current != state.value.end() && current->second.Equals(*given)) {
      OperationReport r;
      r.seam = seam.name;
      r.operation = "set";
      r.note = "the log already intends this value (rev " + std::to_string(state.revision) +
               "); nothing recorded";
      return r;
    }
  }
  Secret value;
  if (given) {
    value = *given;
  } else {
    SEAM_ASSIGN_OR_RETURN(value, GenerateValue(seam.format));
  }
  value::ValueSet payload;
  payload.secret = seam.secret;
  payload.generated = !given.has_value();
  if (seam.secret) {
    SEAM_ASSIGN_OR_RETURN(payload.sealed_value, ctx.keys.Seal(value, SealContext(seam.stream(), state.stream_version + 1)));
  } else {
    payload.plain_value = std::string(value.Reveal());
  }
  EventDraft draft{value::kValueSet, ctx.actor, ctx.clock.NowMicros(), value::Encode(payload)};
  return AppendThenApply(ctx, seam, std::move(state), std::move(draft), "set");
}

Result<OperationReport> UnsetValue(SeamContext& ctx, const SeamConfig& seam, const std::string& reason) {
  SEAM_RETURN_IF_ERROR(RequireValueSeam(seam, "seamctl value unset"));
  SEAM_ASSIGN_OR_RETURN(RecordState state, Replay(ctx, seam));
  if (!state.active()) {
    return Status::FailedPrecondition("seam " + seam.name + " has no value to unset (" + PhaseName(state.phase) + ")");
  }
  SEAM_RETURN_IF_ERROR(PreflightSides(seam, "seamctl value unset " + seam.name));
  EventDraft draft{value::kValueUnset, ctx.actor, ctx.clock.NowMicros(), value::Encode(value::ValueUnset{reason})};
  return AppendThenApply(ctx, seam, std::move(state), std::move(draft), "unset");
}

}  // namespace seam
