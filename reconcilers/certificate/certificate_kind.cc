#include "reconcilers/certificate/certificate_kind.h"

#include "reconcilers/certificate/certificate_events.h"

namespace seam::certificate {
namespace {

Status Decode(const Event& event, IntentChange& change) {
  if (event.type == kCertificateIssued || event.type == kCertificateRenewed) {
    SEAM_ASSIGN_OR_RETURN(CertificateSet p,
                          DecodeSet(event.payload, event.type == kCertificateIssued
                                                       ? kCertificateIssued
                                                       : kCertificateRenewed));
    change.what = IntentChange::What::kSet;
    change.plain["chain"] = std::move(p.chain_pem);
    change.plain["leaf_sha256"] = std::move(p.leaf_sha256);
    change.plain["not_after"] = std::to_string(p.not_after);
    change.plain["key_matches"] = "true";
    change.sealed = std::move(p.sealed_key);
  } else if (event.type == kCertificateRevoked) {
    change.what = IntentChange::What::kClear;
  }
  return Status::Ok();
}

}  // namespace

const KindSpec& CertificateKind() {
  static const KindSpec kind = [] {
    KindSpec k;
    k.fields = KindFields{"certificate", {"chain", "key", "leaf_sha256", "not_after", "key_matches"}, "chain"};
    k.fields.transforms = false;  // sides are compared by fingerprint and written whole
    k.fields.adoptable = false;   // a side shows a fingerprint, not the key
    k.fields.expires = true;
    k.secret_field = "key";
    k.noun = "certificate";
    k.first_operation = "cert import";
    k.cleared_word = "revoked";
    k.fingerprint_field = "leaf_sha256";
    k.fingerprint_is_public = true;
    k.expiry_field = "not_after";
    k.decode = Decode;
    k.describe = Describe;
    k.operation_nouns = {{kCertificateIssued, "issue"},
                         {kCertificateRenewed, "renewal"},
                         {kCertificateRevoked, "revocation"}};
    return k;
  }();
  return kind;
}

}  // namespace seam::certificate
