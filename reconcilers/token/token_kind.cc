#include "reconcilers/token/token_kind.h"

#include "core/crypto.h"
#include "reconcilers/token/token_events.h"

namespace seam::token {
namespace {

Status Decode(const Event& event, IntentChange& change) {
  if (event.type == kTokenIssued || event.type == kTokenRotated) {
    // Decoded straight into change.sealed's buffer: most events of a long stream are rotations.
    TokenValueSet p;
    p.sealed_value.swap(change.sealed);
    const Status decoded = DecodeValueSet(event.payload, p);
    change.sealed.swap(p.sealed_value);
    SEAM_RETURN_IF_ERROR(decoded);
    change.what = IntentChange::What::kSet;
  } else if (event.type == kTokenAdopted) {
    SEAM_ASSIGN_OR_RETURN(TokenAdopted p, DecodeAdopted(event.payload));
    change.what = IntentChange::What::kSet;
    change.sealed = std::move(p.sealed_value);
    change.adopted_from = std::move(p.side);
  } else if (event.type == kTokenRevoked) {
    change.what = IntentChange::What::kClear;
  }
  return Status::Ok();
}

std::string EncodeRevoked(const std::string& reason) { return Encode(TokenRevoked{reason}); }

std::string EncodeAdopted(const std::map<std::string, std::string>& /*plain*/, const std::string& sealed,
                          const std::string& side, const std::string& reason) {
  return Encode(TokenAdopted{side, sealed, reason});
}

}  // namespace

const KindSpec& TokenKind() {
  static const KindSpec kind = [] {
    KindSpec k;
    k.fields = KindFields{"token", {"token"}, "token"};
    k.fields.generates = true;
    k.secret_field = "token";
    k.noun = "token";
    k.first_operation = "token issue";
    k.cleared_word = "revoked";
    k.fingerprint_field = "token";
    k.adopted_type = kTokenAdopted;
    k.encode_adopted = EncodeAdopted;
    k.cleared_type = kTokenRevoked;
    k.encode_cleared = EncodeRevoked;
    k.decode = Decode;
    k.describe = Describe;
    k.operation_nouns = {{kTokenIssued, "issue"},
                         {kTokenRotated, "rotation"},
                         {kTokenRevoked, "revocation"},
                         {kTokenAdopted, "adoption"}};
    return k;
  }();
  return kind;
}

Result<Secret> NewTokenValue() {
  SEAM_ASSIGN_OR_RETURN(Secret raw, RandomBytes(32));
  return Secret(Base64UrlEncode(raw.Reveal()));
}

}  // namespace seam::token
