#include "reconcilers/certificate/certificate_restore.h"

#include <openssl/crypto.h>

#include <map>
#include <vector>

#include "core/x509.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/certificate/certificate_events.h"
#include "reconcilers/payload_codec.h"

namespace seam {
namespace {

// The fields a SideRepaired sealed (SealObservedFields: a map of field -> bytes).
Result<KeptPair> OpenRepaired(const KeyRing& keys, const Event& e, const std::string& where) {
  SEAM_ASSIGN_OR_RETURN(bookkeeping::SideRepaired p, bookkeeping::DecodeSideRepaired(e.payload));
  if (p.sealed_before.empty()) {
    return Status::InvalidArgument(where + " is a SideRepaired of side " + p.side + " that kept nothing: the side was " +
                                   p.verdict_before + ", not holding a pair the log never had");
  }
  Result<Secret> opened = keys.Open(p.sealed_before, SealContext(e.stream, e.version));
  if (!opened.ok()) return Status::Corruption(where + ": what it keeps does not open with this key file");
  Result<std::map<std::string, std::string>> fields =
      payload_codec::Decode<std::map<std::string, std::string>>(std::string(opened->Reveal()), "SideRepaired");
  if (!fields.ok()) return Status::Corruption(where + ": what it keeps does not decode");
  KeptPair kept;
  auto chain = fields->find("chain");
  auto key = fields->find("key");
  if (chain != fields->end()) kept.chain_pem = chain->second;
  if (key != fields->end()) kept.key_pem = Secret(key->second);
  for (auto& [name, value] : *fields) OPENSSL_cleanse(value.data(), value.size());
  if (kept.chain_pem.empty() || kept.key_pem.Reveal().empty()) {
    return Status::InvalidArgument(where + " kept what side " + p.side +
                                   " held, but not a chain and key (it was overwritten before pem-file sides "
                                   "reported them)");
  }
  kept.what = "the pair side " + p.side + " held before SideRepaired (seq " + std::to_string(e.seq) + ") wrote over it";
  return kept;
}

// One of the seam's own versions.
Result<KeptPair> OpenVersion(const KeyRing& keys, const Event& e, const std::string& where) {
  KeptPair kept;
  std::string sealed;
  if (e.type == certificate::kCertificateAdopted) {
    SEAM_ASSIGN_OR_RETURN(certificate::CertificateAdopted p, certificate::DecodeAdopted(e.payload));
    kept.chain_pem = std::move(p.chain_pem);
    sealed = std::move(p.sealed_key);
  } else {
    SEAM_ASSIGN_OR_RETURN(certificate::CertificateSet p, certificate::DecodeSet(e.payload, e.type.c_str()));
    kept.chain_pem = std::move(p.chain_pem);
    sealed = std::move(p.sealed_key);
  }
  Result<Secret> key = keys.Open(sealed, SealContext(e.stream, e.version));
  if (!key.ok()) return Status::Corruption(where + ": its key does not open with this key file");
  kept.key_pem = std::move(*key);
  kept.what = "version " + std::to_string(e.version) + " of the seam (" + e.type + ", seq " + std::to_string(e.seq) + ")";
  return kept;
}

}  // namespace

Result<KeptPair> KeptCertificate(EventStore& log, const KeyRing& keys, const SeamConfig& seam, std::int64_t seq) {
  if (seam.kind != "certificate") {
    return Status::InvalidArgument("seam " + seam.name + " is a " + seam.kind +
                                   " seam; `seamctl restore` brings back certificate pairs");
  }
  const std::string where = "event " + std::to_string(seq);
  if (seq < 1) return Status::InvalidArgument("--event must be a seq of the log (1 or more)");
  SEAM_ASSIGN_OR_RETURN(std::vector<Event> events, log.ReadAll(seq, 1));
  if (events.empty() || events.front().seq != seq) {
    return Status::InvalidArgument(where + " is past the log's head");
  }
  const Event& e = events.front();
  if (e.stream != seam.stream()) {
    return Status::InvalidArgument(where + " is of stream " + e.stream + ", not of seam " + seam.name + " (" +
                                   seam.stream() + ")");
  }
  Result<KeptPair> kept = Status::Internal("unset");
  if (e.type == bookkeeping::kSideRepaired) {
    kept = OpenRepaired(keys, e, where);
  } else if (e.type == certificate::kCertificateIssued || e.type == certificate::kCertificateRenewed ||
             e.type == certificate::kCertificateAdopted) {
    kept = OpenVersion(keys, e, where);
  } else {
    return Status::InvalidArgument(where + " is a " + e.type +
                                   ", which keeps no pair (a SideRepaired or a certificate version does)");
  }
  if (!kept.ok()) return kept;
  Result<CertificateInfo> info = ParseCertificateChain(kept->chain_pem);
  if (!info.ok()) return info.status().WithContext(where + ": the chain it keeps");
  kept->leaf_sha256 = info->leaf_sha256;
  return kept;
}

}  // namespace seam
