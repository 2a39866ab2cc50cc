#pragma once
// `seamctl discover --probe-tls HOST:PORT`: the certificate a TLS server presents, as a place
// beside the certificates found in files (one handshake each, plugins/tls_endpoint/tls_probe.h).

#include <string>
#include <vector>

#include "core/crypto.h"
#include "core/status.h"
#include "plugins/tls_endpoint/tls_probe.h"
#include "tools/discover/discover.h"

namespace seam::discover {

// "HOST:PORT" or "[v6]:PORT"; SNI is HOST when it is a name. InvalidArgument naming the flag.
Result<TlsProbeOptions> ParseEndpoint(const std::string& given);

// The leaf each server presents, as a place of its own (file "HOST:PORT" as given in
// options.probe_tls, locator "served certificate"); a server that cannot be probed is a warning.
void ProbeServers(const DiscoverOptions& options, const std::vector<TlsProbeOptions>& servers, const KeyRing& keys,
                  Findings& out);

}  // namespace seam::discover
