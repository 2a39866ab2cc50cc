#include "reconcilers/bookkeeping_events.h"

#include <utility>

#include "reconcilers/payload_codec.h"

CEREAL_CLASS_VERSION(seam::bookkeeping::SideRepaired, 2)
CEREAL_CLASS_VERSION(seam::bookkeeping::SeamFlapping, 1)
CEREAL_CLASS_VERSION(seam::bookkeeping::FlappingCleared, 1)
CEREAL_CLASS_VERSION(seam::bookkeeping::SideApplied, 1)
CEREAL_CLASS_VERSION(seam::bookkeeping::HookIneffective, 1)
CEREAL_CLASS_VERSION(seam::bookkeeping::RepairStarted, 1)
CEREAL_CLASS_VERSION(seam::bookkeeping::LogStarted, 1)

namespace seam::bookkeeping {
namespace {

using Field = ShownField;

EventFields ShowSideApplied(const Event& e) {
  Result<SideApplied> p = DecodeSideApplied(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Text("side", p->side), Field::Int("version", p->version)};
}

EventFields ShowSideRepaired(const Event& e, const KeyRing& keys) {
  Result<SideRepaired> p = DecodeSideRepaired(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  EventFields f = {Field::Text("side", p->side),
                   Field::Int("version_written", p->version_written),
                   Field::Text("action", p->action),
                   Field::Text("verdict_before", p->verdict_before),
                   Field::Int("held_version", p->held_version),
                   Field::Text("fingerprint_before", p->fingerprint_before)};
  // A foreign value that was overwritten is kept sealed in the event; people see that it is
  // there (and its fingerprint above), never the value.
  if (!p->sealed_before.empty()) {
    std::optional<std::string> error = SealError(p->sealed_before, e, keys);
    f.push_back(Field::Bool("foreign_value_kept", !error));
    if (error) f.push_back(Field::Text("error", std::move(*error)));
  }
  return f;
}

EventFields ShowSeamFlapping(const Event& e) {
  Result<SeamFlapping> p = DecodeSeamFlapping(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Text("side", p->side), Field::Int("repairs", p->repairs), Field::Int("window_s", p->window_s)};
}

EventFields ShowFlappingCleared(const Event& e) {
  Result<FlappingCleared> p = DecodeFlappingCleared(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Text("reason", p->reason)};
}

EventFields ShowHookIneffective(const Event& e) {
  Result<HookIneffective> p = DecodeHookIneffective(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Text("side", p->side), Field::Int("version", p->version), Field::Text("hook", p->hook),
          Field::Text("detail", p->detail)};
}

EventFields ShowRepairStarted(const Event& e) {
  Result<RepairStarted> p = DecodeRepairStarted(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Text("side", p->side), Field::Int("version", p->version)};
}

EventFields ShowLogStarted(const Event& e) {
  Result<LogStarted> p = DecodeLogStarted(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Text("reason", p->reason),          Field::Text("previous_log", p->previous_log),
          Field::Int("previous_seq", p->previous_seq), Field::Text("previous_hash", p->previous_hash),
          Field::Bool("previous_intact", p->previous_intact), Field::Int("first_bad_seq", p->first_bad_seq)};
}

}  // namespace

std::string Encode(const SideRepaired& p) { return payload_codec::Encode(p); }
std::string Encode(const SideApplied& p) { return payload_codec::Encode(p); }
std::string Encode(const SeamFlapping& p) { return payload_codec::Encode(p); }
std::string Encode(const FlappingCleared& p) { return payload_codec::Encode(p); }
std::string Encode(const HookIneffective& p) { return payload_codec::Encode(p); }
std::string Encode(const RepairStarted& p) { return payload_codec::Encode(p); }
std::string Encode(const LogStarted& p) { return payload_codec::Encode(p); }

Result<SideRepaired> DecodeSideRepaired(const std::string& b) {
  return payload_codec::Decode<SideRepaired>(b, kSideRepaired);
}
Result<SideApplied> DecodeSideApplied(const std::string& b) { return payload_codec::Decode<SideApplied>(b, kSideApplied); }
Result<SeamFlapping> DecodeSeamFlapping(const std::string& b) {
  return payload_codec::Decode<SeamFlapping>(b, kSeamFlapping);
}
Result<FlappingCleared> DecodeFlappingCleared(const std::string& b) {
  return payload_codec::Decode<FlappingCleared>(b, kFlappingCleared);
}
Result<HookIneffective> DecodeHookIneffective(const std::string& b) {
  return payload_codec::Decode<HookIneffective>(b, kHookIneffective);
}
Result<RepairStarted> DecodeRepairStarted(const std::string& b) {
  return payload_codec::Decode<RepairStarted>(b, kRepairStarted);
}

Result<LogStarted> DecodeLogStarted(const std::string& b) { return payload_codec::Decode<LogStarted>(b, kLogStarted); }

std::optional<EventFields> Describe(const Event& event, const KeyRing& keys) {
  if (event.type == kSideApplied) return ShowSideApplied(event);
  if (event.type == kSideRepaired) return ShowSideRepaired(event, keys);
  if (event.type == kSeamFlapping) return ShowSeamFlapping(event);
  if (event.type == kFlappingCleared) return ShowFlappingCleared(event);
  if (event.type == kHookIneffective) return ShowHookIneffective(event);
  if (event.type == kRepairStarted) return ShowRepairStarted(event);
  if (event.type == kLogStarted) return ShowLogStarted(event);
  return std::nullopt;
}

}  // namespace seam::bookkeeping
