#include "reconcilers/certificate/certificate_kind.h"

#include <string>
#include <vector>

#include "core/x509.h"
#include "reconcilers/certificate/certificate_events.h"

namespace seam::certificate {
namespace {

void SetRecord(IntentChange& change, std::string chain, std::string leaf_sha256, std::int64_t not_after,
               std::string sealed_key) {
  change.what = IntentChange::What::kSet;
  change.plain["chain"] = std::move(chain);
  change.plain["leaf_sha256"] = std::move(leaf_sha256);
  change.plain["not_after"] = std::to_string(not_after);
  change.plain["key_matches"] = "true";
  change.sealed = std::move(sealed_key);
}

Status Decode(const Event& event, IntentChange& change) {
  if (event.type == kCertificateIssued || event.type == kCertificateRenewed) {
    SEAM_ASSIGN_OR_RETURN(CertificateSet p,
                          DecodeSet(event.payload, event.type == kCertificateIssued
                                                       ? kCertificateIssued
                                                       : kCertificateRenewed));
    SetRecord(change, std::move(p.chain_pem), std::move(p.leaf_sha256), p.not_after, std::move(p.sealed_key));
  } else if (event.type == kCertificateAdopted) {
    SEAM_ASSIGN_OR_RETURN(CertificateAdopted p, DecodeAdopted(event.payload));
    SetRecord(change, std::move(p.chain_pem), std::move(p.leaf_sha256), p.not_after, std::move(p.sealed_key));
    change.adopted_from = std::move(p.side);
  } else if (event.type == kCertificateRevoked) {
    change.what = IntentChange::What::kClear;
  }
  return Status::Ok();
}

// A pair a side holds (pem-file reports `chain` and `key` beside the fields it is compared by),
// checked as `cert import` checks what it records.
Status CheckAdoptable(const Observation& observation, std::int64_t now_unix) {
  const Secret* chain = observation.Field("chain");
  const Secret* key = observation.Field("key");
  if (chain == nullptr || key == nullptr) return Status::FailedPrecondition("the side reports no chain and key");
  Result<CertificateInfo> info = ParseCertificateChain(chain->Reveal());
  if (!info.ok()) return info.status().WithContext("the chain");
  Result<bool> matches = PrivateKeyMatches(*key, chain->Reveal());
  if (!matches.ok()) return matches.status().WithContext("the private key");
  if (!*matches) return Status::FailedPrecondition("the private key is not the key of the chain's leaf certificate");
  if (info->not_after <= now_unix) {
    return Status::FailedPrecondition("the leaf certificate expired at " + FormatUnixTime(info->not_after));
  }
  if (info->out_of_order != 0) {
    return Status::FailedPrecondition("certificate " + std::to_string(info->out_of_order) +
                                      " of the chain did not issue the one before it (the leaf must come first, "
                                      "then its issuer)");
  }
  return Status::Ok();
}

std::string EncodeAdopted(const std::map<std::string, std::string>& plain, const std::string& sealed,
                          const std::string& side, const std::string& reason) {
  CertificateAdopted p;
  if (auto it = plain.find("chain"); it != plain.end()) p.chain_pem = it->second;
  // CheckAdoptable parsed it already; what it says of the leaf is kept for people.
  if (Result<CertificateInfo> info = ParseCertificateChain(p.chain_pem); info.ok()) {
    p.leaf_sha256 = info->leaf_sha256;
    p.not_after = info->not_after;
    p.subject_cn = info->subject_cn;
    p.sans = info->sans;
    p.issuer = info->issuer;
  }
  p.sealed_key = sealed;
  p.side = side;
  p.reason = reason;
  return Encode(p);
}

// The intermediates of the chain on record that a side does not carry (chain_rest_sha256: pem-file
// and tls-endpoint report the certificates after the leaf). Extra or reordered ones are not judged.
std::string LacksIntermediates(const Record& intended, const Observation& held) {
  const Secret* served = held.Field("chain_rest_sha256");
  auto chain = intended.find("chain");
  if (served == nullptr || chain == intended.end()) return "";
  Result<CertificateInfo> info = ParseCertificateChain(chain->second.Reveal());
  if (!info.ok() || info->rest_sha256.empty()) return "";
  const std::string have = "," + std::string(served->Reveal()) + ",";
  std::vector<std::string> missing;
  for (const std::string& sha : info->rest_sha256) {
    if (have.find("," + sha + ",") == std::string::npos) missing.push_back("sha256:" + sha.substr(0, 16));
  }
  if (missing.empty()) return "";
  std::string list;
  for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
  return "without " + std::to_string(missing.size()) + " of the " + std::to_string(info->rest_sha256.size()) +
         " intermediate certificate(s) of the chain on record (" + list +
         "): clients that do not already have them cannot verify it; the server must load the full chain "
         "(nginx: ssl_certificate names the fullchain file)";
}

std::string EncodeRevoked(const std::string& reason) { return Encode(CertificateRevoked{reason}); }

}  // namespace

const KindSpec& CertificateKind() {
  static const KindSpec kind = [] {
    KindSpec k;
    k.fields = KindFields{"certificate", {"chain", "key", "leaf_sha256", "not_after", "key_matches"}, "chain"};
    k.fields.transforms = false;  // sides are compared by fingerprint and written whole
    k.fields.expires = true;
    k.secret_field = "key";
    k.noun = "certificate";
    k.first_operation = "cert import";
    k.cleared_word = "revoked";
    k.fingerprint_field = "leaf_sha256";
    k.fingerprint_is_public = true;
    k.expiry_field = "not_after";
    k.chain_expiry_field = "chain_not_after";
    k.adopted_type = kCertificateAdopted;
    k.encode_adopted = EncodeAdopted;
    k.check_adopted = CheckAdoptable;
    k.cleared_type = kCertificateRevoked;
    k.encode_cleared = EncodeRevoked;
    k.text_fields = {"chain"};
    k.lacks = LacksIntermediates;
    k.decode = Decode;
    k.describe = Describe;
    k.operation_nouns = {{kCertificateIssued, "issue"},
                         {kCertificateRenewed, "renewal"},
                         {kCertificateAdopted, "adoption"},
                         {kCertificateRevoked, "revocation"}};
    return k;
  }();
  return kind;
}

}  // namespace seam::certificate
