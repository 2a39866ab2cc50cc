#pragma once
// The `pairing` kind: fields device_id, token (secret, the primary field), gateway_url,
// paired_at. Events: PairingCreated, PairingTokenRotated, PairingAdopted, PairingRemoved.

#include "reconcilers/kind.h"

namespace seam::pairing {

const KindSpec& PairingKind();

}  // namespace seam::pairing
