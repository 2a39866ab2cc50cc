#pragma once
// The `pairing` kind: fields device_id, token (secret, the primary field), gateway_url,
// paired_at. Events: PairingCreated, PairingTokenRotated, PairingAdopted, PairingRemoved.

#include "reconcilers/kind.h"

namespace seam::pairing {

const KindSpec& PairingKind();

// What people see of one of the kind's events (KindSpec::describe; pairing_describe.cc).
std::optional<EventFields> Describe(const Event& event, const KeyRing& keys);

}  // namespace seam::pairing
