#pragma once
// The `certificate` kind (fields in certificate_events.h). Values expire: a side holding the
// intended certificate within the seam's renew_before of its not-after is `expiring`.
// A pair can be adopted from a pem-file side (which reports the chain and key beside the fields
// it is compared by): CertificateAdopted, after the checks `cert import` makes (the chain parses
// leaf first, the key is the leaf's, the leaf has not expired). A tls-endpoint side shows a
// fingerprint only and cannot be adopted from.

#include "reconcilers/kind.h"

namespace seam::certificate {

const KindSpec& CertificateKind();

// What people see of one of the kind's events (KindSpec::describe; certificate_describe.cc).
std::optional<EventFields> Describe(const Event& event, const KeyRing& keys);

}  // namespace seam::certificate
