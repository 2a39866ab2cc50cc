#pragma once
// http-probe: a service that cannot be read but can be asked whether a value works over HTTP:
// the value sent as a credential to an endpoint that needs it (the demo gateway's
// `POST /api/digest` with `Authorization: Bearer <token>`).
//
// Config keys (a `[seam.sides.NAME]` table with plugin = "http-probe"):
//   url = "https://api.example/v1/whoami"   required; https://, or http:// to a loopback address
//                                  (127.0.0.0/8, ::1, localhost) only: a value is a credential,
//                                  and is never sent in clear over a network
//   method = "GET"                 optional; GET (default), HEAD, POST, PUT or PATCH
//   header = "Authorization: Bearer {value}"   optional (this is the default); one header whose
//                                  value holds `{value}` once, replaced by the candidate
//   body = "{\"device_id\": \"device-42\", \"data\": \"probe\"}"   optional; sent as is, as
//                                  application/json (it never holds the value)
//   probe_history = "3"            optional; earlier values asked about (0 to 20), newest first
//   field = "token"                optional; the kind's field sent (default: the primary one)
//   timeout_ms = "2000", connect_timeout_ms = "2000"   optional; per request (1 to 600000)
//   ca_file = "ca.pem"             optional, https only: trusted besides the system's store
// No I/O happens in the factory.
//
// Observe: plugins/common/probe_loop.h. A 2xx answer accepts the value; 401 or 403 rejects it;
// anything else (another status, no connection, a timeout, a TLS failure) is unreadable,
// "http-probe POST http://127.0.0.1:8080/api/digest: answered 500 Internal Server Error", and no
// more values are sent. The response body is never read into a message; one over 1 MiB (or
// endless) is unreadable too. A value with a control
// character cannot be a header's: unreadable, naming the version. Each observation sends at
// most 1 + probe_history requests: mind the service's lockout after failed attempts.
// Change marker: "accepted:version-N" or "none-accepted".
//
// Observe-only: Writable() is false; the service's value is changed by writing another side (its
// database, its config file) or by an on_repair command, and the probe confirms it.
// Describe: "http-probe <METHOD> <url>".

#include <memory>

#include "core/side.h"
#include "core/side_options.h"
#include "core/status.h"

namespace seam {

// SideFactory for "http-probe". Takes the keys above, then rejects unknown keys.
Result<std::unique_ptr<Side>> MakeHttpProbeSide(SideOptions& options);

}  // namespace seam
