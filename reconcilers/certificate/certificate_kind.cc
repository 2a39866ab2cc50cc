#include "reconcilers/certificate/certificate_kind.h"

#include "reconcilers/certificate/certificate_events.h"

namespace seam::certificate {
namespace {

Result<IntentChange> Decode(const Event& event) {
  IntentChange change;
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
  return change;
}

}  // namespace

const KindSpec& CertificateKind() {
  static const KindSpec kind = [] {
    KindSpec k;
    k.fields = KindFields{"certificate", {"chain", "key", "leaf_sha256", "not_after", "key_matches"}, "chain"};
    k.secret_field = "key";
    k.noun = "certificate";
    k.fingerprint_field = "leaf_sha256";
    k.fingerprint_is_public = true;
    k.expiry_field = "not_after";
    k.decode = Decode;
    return k;
  }();
  return kind;
}

}  // namespace seam::certificate
