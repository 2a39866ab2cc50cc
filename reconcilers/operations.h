#pragma once
// Operations: token issue, rotate, revoke; pair, unpair; adopt (any kind). Each appends its
// event first (with the stream version it read, so a concurrent writer gets a Conflict instead
// of a lost update), then writes every side in the seam's `order`, reading each back to confirm.
//
// A side that cannot be written leaves the log ahead of that side: the operation reports it and
// `seamctl repair` brings the side up (the log is the source of truth).

#include <cstdint>
#include <string>
#include <vector>

#include "core/config.h"
#include "reconcilers/seam_context.h"

namespace seam {

struct SideWriteReport {
  std::string side;
  bool ok = false;
  std::string message;  // why not, when !ok
  bool waiting = false;  // not attempted: an earlier side in `order` failed
};

struct OperationReport {
  std::string seam;
  std::string operation;  // "issue" | "rotate" | "revoke" | "adopt" | "pair" | "unpair"
  std::int64_t version = 0;   // stream version of the appended event (0 if nothing appended)
  std::string fingerprint;    // of the new value ("" for revoke / no-op)
  std::vector<SideWriteReport> sides;
  std::string note;           // e.g. "side cli already holds the intended value; nothing to adopt"

  bool AllSidesWritten() const;
};

// Errors before anything is appended (bad state, store trouble) are a non-ok Result; nothing
// was written anywhere then.
Result<OperationReport> IssueToken(SeamContext& ctx, const SeamConfig& seam);
Result<OperationReport> RotateToken(SeamContext& ctx, const SeamConfig& seam);
Result<OperationReport> RevokeToken(SeamContext& ctx, const SeamConfig& seam, const std::string& reason);

// Takes the value side `from` holds into the log (TokenAdopted / PairingAdopted), then writes
// the other sides. Refused when the side is missing, unreadable or stores a non-reversible
// transform, or the kind cannot be adopted.
Result<OperationReport> AdoptValue(SeamContext& ctx, const SeamConfig& seam, const std::string& from);

// Pairing seams. `pair` records PairingCreated (a new token, `device_id`, `gateway_url` when
// given, paired_at now) and writes every side; refused when the seam is already paired.
// RotateToken on a pairing seam records PairingTokenRotated. `unpair` records PairingRemoved
// and removes the pairing from every side.
struct PairRequest {
  std::string device_id;
  std::string gateway_url;  // "" when not given
};
Result<OperationReport> Pair(SeamContext& ctx, const SeamConfig& seam, const PairRequest& request);
Result<OperationReport> Unpair(SeamContext& ctx, const SeamConfig& seam, const std::string& reason);

// Certificate seams. `import` records the given chain and key (CertificateIssued, or
// CertificateRenewed when the seam already has one) after checking that the chain parses, the
// key matches its leaf and the leaf has not expired; then writes every side. `issue` makes a
// self-signed certificate (OpenSSL) and imports it. Nothing is recorded when a check fails.
struct CertificateRequest {
  std::string chain_pem;
  Secret key_pem;
  std::string source = "import";  // "import" | "self-signed"
};
Result<OperationReport> ImportCertificate(SeamContext& ctx, const SeamConfig& seam,
                                          const CertificateRequest& request);
Result<OperationReport> IssueSelfSignedCertificate(SeamContext& ctx, const SeamConfig& seam,
                                                   const std::string& common_name, int days);

}  // namespace seam
