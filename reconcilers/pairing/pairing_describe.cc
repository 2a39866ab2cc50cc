// What people see of the pairing kind's events (PairingKind().describe).
#include "reconcilers/pairing/pairing_kind.h"

#include "reconcilers/pairing/pairing_events.h"

namespace seam::pairing {
namespace {

using Field = ShownField;

// PairingCreated {device_id, fingerprint, gateway_url when given, paired_at}; PairingAdopted
// adds {side, reason}.
EventFields ShowSet(const Event& e, const KeyRing& keys) {
  const bool adopted = e.type == kPairingAdopted;
  Result<PairingSet> p = DecodeSet(e.payload, adopted ? kPairingAdopted : kPairingCreated);
  if (!p.ok()) return DecodeErrorFields(p.status());
  EventFields f = {Field::Text("device_id", p->device_id)};
  AddSealedFingerprint(f, p->sealed_token, e, keys);
  if (!p->gateway_url.empty()) f.push_back(Field::Text("gateway_url", p->gateway_url));
  f.push_back(Field::Text("paired_at", p->paired_at));
  if (adopted) {
    f.push_back(Field::Text("side", p->side));
    f.push_back(Field::Text("reason", p->reason));
  }
  return f;
}

EventFields ShowTokenRotated(const Event& e, const KeyRing& keys) {
  Result<PairingTokenRotated> p = DecodeTokenRotated(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  EventFields f;
  AddSealedFingerprint(f, p->sealed_token, e, keys);
  return f;
}

EventFields ShowRemoved(const Event& e) {
  Result<PairingRemoved> p = DecodeRemoved(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Text("reason", p->reason)};
}

}  // namespace

std::optional<EventFields> Describe(const Event& event, const KeyRing& keys) {
  if (event.type == kPairingCreated || event.type == kPairingAdopted) return ShowSet(event, keys);
  if (event.type == kPairingTokenRotated) return ShowTokenRotated(event, keys);
  if (event.type == kPairingRemoved) return ShowRemoved(event);
  return std::nullopt;
}

}  // namespace seam::pairing
