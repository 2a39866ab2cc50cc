// What people see of the token kind's events (TokenKind().describe).
#include "reconcilers/token/token_kind.h"

#include "reconcilers/token/token_events.h"

namespace seam::token {
namespace {

using Field = ShownField;

// TokenIssued / TokenRotated: {fingerprint}.
EventFields ShowValueSet(const Event& e, const KeyRing& keys) {
  Result<TokenValueSet> p = DecodeValueSet(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  EventFields f;
  AddSealedFingerprint(f, p->sealed_value, e, keys);
  return f;
}

EventFields ShowAdopted(const Event& e, const KeyRing& keys) {
  Result<TokenAdopted> p = DecodeAdopted(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  EventFields f = {Field::Text("side", p->side)};
  AddSealedFingerprint(f, p->sealed_value, e, keys);
  f.push_back(Field::Text("reason", p->reason));
  return f;
}

EventFields ShowRevoked(const Event& e) {
  Result<TokenRevoked> p = DecodeRevoked(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Text("reason", p->reason)};
}

}  // namespace

std::optional<EventFields> Describe(const Event& event, const KeyRing& keys) {
  if (event.type == kTokenIssued || event.type == kTokenRotated) return ShowValueSet(event, keys);
  if (event.type == kTokenAdopted) return ShowAdopted(event, keys);
  if (event.type == kTokenRevoked) return ShowRevoked(event);
  return std::nullopt;
}

}  // namespace seam::token
