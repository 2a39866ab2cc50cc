#pragma once
// The `certificate` kind (fields in certificate_events.h). Values expire: a side holding the
// intended certificate within the seam's renew_before of its not-after is `expiring`.
// Certificates cannot be adopted from a side: a side shows a fingerprint, not the key.

#include "reconcilers/kind.h"

namespace seam::certificate {

const KindSpec& CertificateKind();

// What people see of one of the kind's events (KindSpec::describe; certificate_describe.cc).
std::optional<EventFields> Describe(const Event& event, const KeyRing& keys);

}  // namespace seam::certificate
