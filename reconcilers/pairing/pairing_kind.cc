#include "reconcilers/pairing/pairing_kind.h"

#include "reconcilers/pairing/pairing_events.h"

namespace seam::pairing {
namespace {

// Absent fields stay absent in the record (a pairing made without --gateway-url).
void PutIfSet(std::map<std::string, std::string>& plain, const char* field, std::string value) {
  if (!value.empty()) plain.emplace(field, std::move(value));
}

Status Decode(const Event& event, IntentChange& change) {
  if (event.type == kPairingCreated || event.type == kPairingAdopted) {
    SEAM_ASSIGN_OR_RETURN(PairingSet p, DecodeSet(event.payload, event.type == kPairingCreated
                                                                     ? kPairingCreated
                                                                     : kPairingAdopted));
    change.what = IntentChange::What::kSet;
    PutIfSet(change.plain, "device_id", std::move(p.device_id));
    PutIfSet(change.plain, "gateway_url", std::move(p.gateway_url));
    PutIfSet(change.plain, "paired_at", std::move(p.paired_at));
    if (!p.sealed_token.empty()) change.sealed = std::move(p.sealed_token);
    if (event.type == kPairingAdopted) change.adopted_from = std::move(p.side);
  } else if (event.type == kPairingTokenRotated) {
    SEAM_ASSIGN_OR_RETURN(PairingTokenRotated p, DecodeTokenRotated(event.payload));
    change.what = IntentChange::What::kUpdate;
    change.sealed = std::move(p.sealed_token);
  } else if (event.type == kPairingRemoved) {
    change.what = IntentChange::What::kClear;
  }
  return Status::Ok();
}

std::string Get(const std::map<std::string, std::string>& plain, const char* field) {
  auto it = plain.find(field);
  return it == plain.end() ? std::string() : it->second;
}

std::string EncodeRemoved(const std::string& reason) { return Encode(PairingRemoved{reason}); }

std::string EncodeAdopted(const std::map<std::string, std::string>& plain, const std::string& sealed,
                          const std::string& side, const std::string& reason) {
  return Encode(PairingSet{Get(plain, "device_id"), sealed, Get(plain, "gateway_url"),
                           Get(plain, "paired_at"), side, reason});
}

}  // namespace

const KindSpec& PairingKind() {
  static const KindSpec kind = [] {
    KindSpec k;
    k.fields = KindFields{"pairing", {"device_id", "token", "gateway_url", "paired_at"}, "token"};
    k.secret_field = "token";
    k.noun = "pairing";
    k.first_operation = "pair";
    k.cleared_word = "removed";
    k.fingerprint_field = "token";
    k.adopted_type = kPairingAdopted;
    k.encode_adopted = EncodeAdopted;
    k.cleared_type = kPairingRemoved;
    k.encode_cleared = EncodeRemoved;
    k.decode = Decode;
    k.describe = Describe;
    k.operation_nouns = {{kPairingCreated, "pairing"},
                         {kPairingTokenRotated, "token rotation"},
                         {kPairingAdopted, "adoption"},
                         {kPairingRemoved, "unpairing"}};
    return k;
  }();
  return kind;
}

}  // namespace seam::pairing
