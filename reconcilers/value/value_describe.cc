// What people see of the value kind's events (ValueKind().describe): a secret value as its keyed
// fingerprint, a plain one as it is.
#include "reconcilers/value/value_events.h"
#include "reconcilers/value/value_kind.h"

namespace seam::value {
namespace {

using Field = ShownField;

void AddValue(EventFields& f, bool secret, const std::string& sealed, const std::string& plain, const Event& e,
              const KeyRing& keys) {
  if (secret) {
    AddSealedFingerprint(f, sealed, e, keys);
  } else {
    f.push_back(Field::Text("value", plain));
  }
  f.push_back(Field::Bool("secret", secret));
}

}  // namespace

std::optional<EventFields> Describe(const Event& event, const KeyRing& keys) {
  if (event.type == kValueSet) {
    Result<ValueSet> p = DecodeValueSet(event.payload);
    if (!p.ok()) return DecodeErrorFields(p.status());
    EventFields f;
    AddValue(f, p->secret, p->sealed_value, p->plain_value, event, keys);
    f.push_back(Field::Bool("generated", p->generated));
    return f;
  }
  if (event.type == kValueAdopted) {
    Result<ValueAdopted> p = DecodeAdopted(event.payload);
    if (!p.ok()) return DecodeErrorFields(p.status());
    EventFields f = {Field::Text("side", p->side)};
    AddValue(f, p->secret, p->sealed_value, p->plain_value, event, keys);
    f.push_back(Field::Text("reason", p->reason));
    return f;
  }
  if (event.type == kValueUnset) {
    Result<ValueUnset> p = DecodeUnset(event.payload);
    if (!p.ok()) return DecodeErrorFields(p.status());
    return EventFields{Field::Text("reason", p->reason)};
  }
  return std::nullopt;
}

}  // namespace seam::value
