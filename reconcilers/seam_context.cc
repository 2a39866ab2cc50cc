#include "reconcilers/seam_context.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <map>
#include <string_view>

#include "reconcilers/payload_codec.h"

namespace seam {

Status AppendAndCatchUp(SeamContext& ctx, const std::string& stream, RecordState& state,
                        std::vector<EventDraft> drafts, const std::function<void()>& once_appended) {
  if (drafts.empty()) return Status::Ok();
  SEAM_ASSIGN_OR_RETURN(AppendResult appended, ctx.store.Append(stream, state.stream_version, drafts,
                                                                         AppendFence{ctx.epoch}));
  (void)appended;
  if (once_appended) once_appended();
  return CatchUp(ctx.store, stream, state, ctx.keys);
}

Status RunOnRepairHook(SeamContext& ctx, const SeamConfig& seam, const SideConfig& side) {
  if (side.on_repair.empty()) return Status::Ok();
  if (ctx.hooks == nullptr) {
    return Status::Internal("side " + side.name + " sets on_repair but no hook runner is configured");
  }
  return ctx.hooks->RunOnRepair(seam, side);
}

Judgement JudgeSide(const SeamContext& ctx, const SeamConfig& seam, const RecordState& state,
                    const SideConfig& side, const Observation& observation) {
  ExpiryPolicy expiry;
  expiry.now_us = ctx.clock.NowMicros();
  expiry.renew_before_us = seam.renew_before_us;
  return Judge(state, SideShape{side.transform, side.fields}, observation, ctx.keys, expiry);
}

Result<EventDraft> AdoptionDraft(SeamContext& ctx, const SeamConfig& seam, const RecordState& state,
                                 const SideConfig& side, const Observation& observation,
                                 const std::string& reason) {
  const KindSpec& kind = *state.kind;
  const std::string where = "side " + side.name + " of seam " + seam.name;
  if (kind.encode_adopted == nullptr) {
    return Status::InvalidArgument(where + ": a " + kind.noun +
                                   " cannot be adopted from a side (it shows a fingerprint, not "
                                   "the value); import it into the log instead");
  }
  if (!TransformIsReversible(side.transform)) {
    return Status::InvalidArgument(where + " stores " + TransformName(side.transform) +
                                   " digests, from which the " + kind.fields.primary +
                                   " cannot be recovered");
  }
  if (!side.side->Writable()) {
    return Status::InvalidArgument(where + " is observe-only (" + side.side->Describe() + "): it shows a " + kind.noun +
                                   ", not the value to keep; adopt from the side that holds it");
  }
  if (observation.state != Observation::State::kValue) {
    return Status::FailedPrecondition(where + " holds no " + kind.noun + " to adopt");
  }
  if (kind.check_adopted != nullptr) {
    if (Status fit = kind.check_adopted(observation, ctx.clock.NowMicros() / 1'000'000); !fit.ok()) {
      return Status::FailedPrecondition(where + " holds a " + kind.noun + " that cannot be adopted: " + fit.message());
    }
  }
  // The log's current record, with every field the side holds in its place.
  std::map<std::string, std::string> plain;
  const Secret* secret = nullptr;
  // A kind whose values are shown plainly keeps its secret field unsealed, as a plain field.
  const std::string sealed_field = kind.shown_plain ? std::string() : kind.secret_field;
  if (state.active()) {
    for (const auto& [field, value] : state.value) {
      if (field == sealed_field) secret = &value;
      else plain[field] = std::string(value.Reveal());
    }
  }
  for (const auto& [field, value] : observation.fields) {
    if (field == sealed_field) {
      secret = &value;
      continue;
    }
    // Plain fields (device ids, URLs) are shown in one-line messages and log lines; a kind's
    // text fields (a PEM chain) never are.
    const bool text = std::find(kind.text_fields.begin(), kind.text_fields.end(), field) != kind.text_fields.end();
    for (const char c : text ? std::string_view() : value.Reveal()) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        return Status::FailedPrecondition(where + ": field " + field +
                                          " holds a control character; refusing to adopt it");
      }
    }
    plain[field] = std::string(value.Reveal());
  }
  std::string sealed;
  if (!sealed_field.empty()) {
    if (secret == nullptr) {
      return Status::FailedPrecondition(where + " holds no " + sealed_field +
                                        " and the log has none to keep; nothing to adopt");
    }
    SEAM_ASSIGN_OR_RETURN(sealed, ctx.keys.Seal(*secret, SealContext(seam.stream(), state.stream_version + 1)));
  }
  return EventDraft{kind.adopted_type, ctx.actor, ctx.clock.NowMicros(),
                    kind.encode_adopted(plain, sealed, side.name, reason)};
}

Result<std::string> SealObservedFields(SeamContext& ctx, const std::string& stream,
                                       std::int64_t version, const Observation& observation) {
  std::map<std::string, std::string> fields;
  for (const auto& [name, value] : observation.fields) fields[name] = std::string(value.Reveal());
  const Secret plain(payload_codec::Encode(fields));
  for (auto& [name, value] : fields) OPENSSL_cleanse(value.data(), value.size());
  return ctx.keys.Seal(plain, SealContext(stream, version));
}

}  // namespace seam
