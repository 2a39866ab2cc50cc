// What people see of the certificate kind's events (CertificateKind().describe).
#include "reconcilers/certificate/certificate_kind.h"

#include <utility>

#include "core/x509.h"
#include "reconcilers/certificate/certificate_events.h"

namespace seam::certificate {
namespace {

using Field = ShownField;

// CertificateIssued / CertificateRenewed: {fingerprint, leaf_sha256, subject_cn, not_after,
// source}, and {error} when the sealed key does not open.
EventFields ShowSet(const Event& e, const KeyRing& keys) {
  Result<CertificateSet> p = DecodeSet(e.payload, e.type == kCertificateIssued ? kCertificateIssued : kCertificateRenewed);
  if (!p.ok()) return DecodeErrorFields(p.status());
  // The certificate is public: its own SHA-256 is the fingerprint people can compare.
  EventFields f = {Field::Text("fingerprint", "sha256:" + p->leaf_sha256.substr(0, 16)),
                   Field::Text("leaf_sha256", p->leaf_sha256), Field::Text("subject_cn", p->subject_cn),
                   Field::Text("not_after", FormatUnixTime(p->not_after)), Field::Text("source", p->source)};
  // The key is only checked to open, never shown.
  if (std::optional<std::string> error = SealError(p->sealed_key, e, keys)) {
    f.push_back(Field::Text("error", std::move(*error)));
  }
  return f;
}

// CertificateAdopted: {fingerprint, leaf_sha256, subject_cn, sans, issuer, not_after, side,
// reason}, and {error} when the sealed key does not open.
EventFields ShowAdopted(const Event& e, const KeyRing& keys) {
  Result<CertificateAdopted> p = DecodeAdopted(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  std::string sans;
  for (const std::string& name : p->sans) sans += (sans.empty() ? "" : ",") + name;
  EventFields f = {Field::Text("fingerprint", "sha256:" + p->leaf_sha256.substr(0, 16)),
                   Field::Text("leaf_sha256", p->leaf_sha256),
                   Field::Text("subject_cn", p->subject_cn),
                   Field::Text("sans", sans),
                   Field::Text("issuer", p->issuer),
                   Field::Text("not_after", FormatUnixTime(p->not_after)),
                   Field::Text("side", p->side),
                   Field::Text("reason", p->reason)};
  if (std::optional<std::string> error = SealError(p->sealed_key, e, keys)) {
    f.push_back(Field::Text("error", std::move(*error)));
  }
  return f;
}

EventFields ShowRevoked(const Event& e) {
  Result<CertificateRevoked> p = DecodeRevoked(e.payload);
  if (!p.ok()) return DecodeErrorFields(p.status());
  return {Field::Text("reason", p->reason)};
}

}  // namespace

std::optional<EventFields> Describe(const Event& event, const KeyRing& keys) {
  if (event.type == kCertificateIssued || event.type == kCertificateRenewed) return ShowSet(event, keys);
  if (event.type == kCertificateAdopted) return ShowAdopted(event, keys);
  if (event.type == kCertificateRevoked) return ShowRevoked(event);
  return std::nullopt;
}

}  // namespace seam::certificate
