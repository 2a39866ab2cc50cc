#pragma once
// What `seamctl restore` brings back: a certificate pair the log keeps, named by the seq of the
// event that keeps it. Either a SideRepaired that wrote over a pair the log never had (the pair
// it held is sealed in the event: nothing seam overwrites is lost), or one of the seam's own
// CertificateIssued / CertificateRenewed / CertificateAdopted (an earlier version, to roll back).

#include <cstdint>
#include <string>

#include "core/config.h"
#include "core/crypto.h"
#include "core/event_store.h"
#include "core/secret.h"
#include "core/status.h"

namespace seam {

struct KeptPair {
  std::string chain_pem;
  Secret key_pem;
  std::string leaf_sha256;  // of the chain's leaf
  // For people: "the pair side disk held before SideRepaired (seq 12) wrote over it".
  std::string what;
};

// InvalidArgument (one line) when `seq` is past the log's head, is not an event of `seam`'s
// stream, or keeps no pair (another type, a SideRepaired over a side that held no pair the log
// never had); Corruption when what it keeps does not open with this key.
Result<KeptPair> KeptCertificate(EventStore& log, const KeyRing& keys, const SeamConfig& seam, std::int64_t seq);

}  // namespace seam
