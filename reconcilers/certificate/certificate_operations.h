#pragma once
// Certificate operations: import, issue (self-signed). See reconcilers/operations.h.

#include <string>

#include "core/secret.h"
#include "reconcilers/operations.h"

namespace seam {

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
