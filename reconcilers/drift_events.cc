#include "reconcilers/drift_events.h"

#include "reconcilers/payload_codec.h"

CEREAL_CLASS_VERSION(seam::drift::DriftOpened, 1)
CEREAL_CLASS_VERSION(seam::drift::DriftClosed, 1)
CEREAL_CLASS_VERSION(seam::drift::SideRestarted, 1)
CEREAL_CLASS_VERSION(seam::drift::SideUnreadable, 1)
CEREAL_CLASS_VERSION(seam::drift::SideReadable, 1)
CEREAL_CLASS_VERSION(seam::drift::OperationPending, 1)
CEREAL_CLASS_VERSION(seam::drift::PendingEnded, 1)
CEREAL_CLASS_VERSION(seam::drift::SeamExpiring, 1)
CEREAL_CLASS_VERSION(seam::drift::ExpiringEnded, 1)

namespace seam::drift {
namespace {

using Field = ShownField;

EventFields ShowDriftOpened(const Event& e) {
  Result<DriftOpened> p = DecodeDriftOpened(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Text("seam", p->seam),
          Field::Text("side", p->side),
          Field::Text("verdict", p->verdict),
          Field::Int("holds_version", p->holds_version),
          Field::Text("fingerprint", p->fingerprint),
          Field::Text("detail", p->detail),
          Field::Int("intended_version", p->intended_version),
          Field::Time("last_in_sync_at", p->last_in_sync_at_us),
          Field::Time("first_seen_at", p->first_seen_at_us),
          Field::Time("side_changed_at", p->side_changed_at_us)};
}

EventFields ShowDriftClosed(const Event& e) {
  Result<DriftClosed> p = DecodeDriftClosed(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Text("side", p->side), Field::Text("how", p->how), Field::Int("opened_version", p->opened_version),
          Field::Text("cause", p->cause), Field::Time("at", p->at_us)};
}

EventFields ShowSideRestarted(const Event& e) {
  Result<SideRestarted> p = DecodeSideRestarted(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Text("side", p->side), Field::Text("marker", p->marker),
          Field::Text("previous_marker", p->previous_marker), Field::Time("started_at", p->started_at_us)};
}

EventFields ShowSideUnreadable(const Event& e) {
  Result<SideUnreadable> p = DecodeSideUnreadable(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Text("seam", p->seam), Field::Text("side", p->side), Field::Text("reason", p->reason),
          Field::Time("since", p->since_us)};
}

EventFields ShowSideReadable(const Event& e) {
  Result<SideReadable> p = DecodeSideReadable(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Text("side", p->side), Field::Int("opened_version", p->opened_version), Field::Time("at", p->at_us)};
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

EventFields ShowOperationPending(const Event& e) {
  Result<OperationPending> p = DecodeOperationPending(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Text("seam", p->seam), Field::Text("operation", p->operation), Field::Int("version", p->version),
          Field::Text("sides", Joined(p->sides)), Field::Time("since", p->since_us)};
}

EventFields ShowPendingEnded(const Event& e) {
  Result<PendingEnded> p = DecodePendingEnded(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Int("version", p->version), Field::Text("how", p->how)};
}

EventFields ShowSeamExpiring(const Event& e) {
  Result<SeamExpiring> p = DecodeSeamExpiring(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Text("seam", p->seam), Field::Text("sides", Joined(p->sides)), Field::Int("not_after", p->not_after)};
}

EventFields ShowExpiringEnded(const Event& e) {
  Result<ExpiringEnded> p = DecodeExpiringEnded(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Int("not_after", p->not_after)};
}

}  // namespace

std::string Encode(const DriftOpened& p) { return payload_codec::Encode(p); }
std::string Encode(const DriftClosed& p) { return payload_codec::Encode(p); }
std::string Encode(const SideRestarted& p) { return payload_codec::Encode(p); }
std::string Encode(const SideUnreadable& p) { return payload_codec::Encode(p); }
std::string Encode(const SideReadable& p) { return payload_codec::Encode(p); }
std::string Encode(const OperationPending& p) { return payload_codec::Encode(p); }
std::string Encode(const PendingEnded& p) { return payload_codec::Encode(p); }
std::string Encode(const SeamExpiring& p) { return payload_codec::Encode(p); }
std::string Encode(const ExpiringEnded& p) { return payload_codec::Encode(p); }

Result<DriftOpened> DecodeDriftOpened(const std::string& b) {
  return payload_codec::Decode<DriftOpened>(b, kDriftOpened);
}
Result<DriftClosed> DecodeDriftClosed(const std::string& b) {
  return payload_codec::Decode<DriftClosed>(b, kDriftClosed);
}
Result<SideRestarted> DecodeSideRestarted(const std::string& b) {
  return payload_codec::Decode<SideRestarted>(b, kSideRestarted);
}
Result<SideUnreadable> DecodeSideUnreadable(const std::string& b) {
  return payload_codec::Decode<SideUnreadable>(b, kSideUnreadable);
}
Result<SideReadable> DecodeSideReadable(const std::string& b) {
  return payload_codec::Decode<SideReadable>(b, kSideReadable);
}
Result<OperationPending> DecodeOperationPending(const std::string& b) {
  return payload_codec::Decode<OperationPending>(b, kOperationPending);
}
Result<PendingEnded> DecodePendingEnded(const std::string& b) { return payload_codec::Decode<PendingEnded>(b, kPendingEnded); }
Result<SeamExpiring> DecodeSeamExpiring(const std::string& b) { return payload_codec::Decode<SeamExpiring>(b, kSeamExpiring); }
Result<ExpiringEnded> DecodeExpiringEnded(const std::string& b) {
  return payload_codec::Decode<ExpiringEnded>(b, kExpiringEnded);
}

std::optional<EventFields> Describe(const Event& event) {
  if (event.type == kDriftOpened) return ShowDriftOpened(event);
  if (event.type == kDriftClosed) return ShowDriftClosed(event);
  if (event.type == kSideRestarted) return ShowSideRestarted(event);
  if (event.type == kSideUnreadable) return ShowSideUnreadable(event);
  if (event.type == kSideReadable) return ShowSideReadable(event);
  if (event.type == kOperationPending) return ShowOperationPending(event);
  if (event.type == kPendingEnded) return ShowPendingEnded(event);
  if (event.type == kSeamExpiring) return ShowSeamExpiring(event);
  if (event.type == kExpiringEnded) return ShowExpiringEnded(event);
  return std::nullopt;
}

}  // namespace seam::drift
