#include "reconcilers/value/value_kind.h"

#include "reconcilers/value/value_events.h"

namespace seam::value {
namespace {

// A secret value is opened from `sealed` (the record's secret field, "value"); a plain one comes
// as a plain field of the same name, so either kind of payload replays under either spec.
Status Decode(const Event& event, IntentChange& change) {
  if (event.type == kValueSet) {
    SEAM_ASSIGN_OR_RETURN(ValueSet p, DecodeValueSet(event.payload));
    change.what = IntentChange::What::kSet;
    if (p.secret) {
      change.sealed = std::move(p.sealed_value);
    } else {
      change.plain["value"] = std::move(p.plain_value);
    }
  } else if (event.type == kValueAdopted) {
    SEAM_ASSIGN_OR_RETURN(ValueAdopted p, DecodeAdopted(event.payload));
    change.what = IntentChange::What::kSet;
    change.adopted_from = std::move(p.side);
    if (p.secret) {
      change.sealed = std::move(p.sealed_value);
    } else {
      change.plain["value"] = std::move(p.plain_value);
    }
  } else if (event.type == kValueUnset) {
    change.what = IntentChange::What::kClear;
  }
  return Status::Ok();
}

std::string EncodeUnset(const std::string& reason) { return Encode(ValueUnset{reason}); }

std::string EncodeAdoptedSecret(const std::map<std::string, std::string>& /*plain*/, const std::string& sealed,
                                const std::string& side, const std::string& reason) {
  return Encode(ValueAdopted{side, true, sealed, "", reason});
}

std::string EncodeAdoptedPlain(const std::map<std::string, std::string>& plain, const std::string& /*sealed*/,
                               const std::string& side, const std::string& reason) {
  auto it = plain.find("value");
  return Encode(ValueAdopted{side, false, "", it == plain.end() ? "" : it->second, reason});
}

KindSpec Base() {
  KindSpec k;
  k.fields = KindFields{"value", {"value"}, "value"};
  k.fields.may_be_plain = true;
  k.fields.generates = true;
  k.secret_field = "value";
  k.noun = "value";
  k.first_operation = "value set";
  k.cleared_word = "unset";
  k.fingerprint_field = "value";
  k.adopted_type = kValueAdopted;
  k.encode_adopted = EncodeAdoptedSecret;
  k.cleared_type = kValueUnset;
  k.encode_cleared = EncodeUnset;
  k.decode = Decode;
  k.describe = Describe;
  k.operation_nouns = {{kValueSet, "set"}, {kValueUnset, "unset"}, {kValueAdopted, "adoption"}};
  return k;
}

}  // namespace

const KindSpec& ValueKind() {
  static const KindSpec kind = Base();
  return kind;
}

const KindSpec& PlainValueKind() {
  static const KindSpec kind = [] {
    KindSpec k = Base();
    k.shown_plain = true;
    k.encode_adopted = EncodeAdoptedPlain;
    return k;
  }();
  return kind;
}

}  // namespace seam::value
