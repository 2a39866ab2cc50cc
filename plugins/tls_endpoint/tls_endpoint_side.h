#pragma once
// tls-endpoint: an observe-only side for the `certificate` kind: the certificate a TLS server
// presents right now. It answers "did the server load the renewed certificate?", the drift a
// pem-file side cannot see (new files on disk, old certificate served until a reload).
//
// Config keys (a `[seam.sides.NAME]` table with plugin = "tls-endpoint", in a seam of kind
// "certificate"; any other kind is refused; numbers are strings of digits, like every plugin's):
//   host                required; a DNS name or a literal IPv4 / IPv6 address ("::1" or "[::1]").
//   port                required; "1" to "65535".
//   server_name         the SNI name to send; default: `host`, or none when `host` is an address
//                       (SNI carries names only). Servers with several certificates pick by it.
//   connect_timeout_ms  default "2000": name resolution and the TCP connection must be up by then.
//   timeout_ms          default "2000": the whole probe (connect and handshake) must be done by then.
//
// Fields: leaf_sha256 (lower-case hex SHA-256 of the served leaf's DER) and not_after (its
// notAfter, decimal Unix seconds). The endpoint never reveals chain, key or key_matches. An
// observation also carries, not compared: chain_rest_sha256 (the SHA-256s of the certificates
// served after the leaf, comma-separated, "" when the server sends the leaf alone) and
// chain_not_after (the earliest notAfter among them; absent when there are none).
//
// Observe: one TLS handshake (SNI as configured), then the connection is closed; nothing else
// is sent. Certificate verification is OFF on purpose: the side reports what is served, even a
// self-signed, expired, wrongly named or untrusted certificate; judging it is the reconciler's
// business. Unreadable, with a one-line reason starting "tls-endpoint HOST:PORT: ", when the
// connection is refused or times out, the handshake times out (a server that accepts and never
// answers) or fails (a server that does not speak TLS), or no certificate is presented. Never
// missing: an endpoint that serves TLS always presents a certificate.
// Change marker: "tls:" + leaf_sha256, then "+" and chain_rest_sha256 when the server sends more
// than the leaf. changed_at is unknown (0).
//
// Write / Remove: FailedPrecondition "tls-endpoint HOST:PORT is observe-only; its repair is
// on_repair (e.g. reload the server)"; Writable() is false. The reconciler repairs such a side
// by running its on_repair command (after writing the pem-file side the server loads from), and
// observes it again. CheckWritable: Ok (nothing to check; the reconciler knows it is read-only).
//
// No I/O happens in the factory; the side holds no state between calls.

#include <memory>

#include "core/side.h"
#include "core/side_options.h"
#include "core/status.h"

namespace seam {

// SideFactory for "tls-endpoint". Takes host, port, server_name, connect_timeout_ms and
// timeout_ms, then rejects unknown keys.
Result<std::unique_ptr<Side>> MakeTlsEndpointSide(SideOptions& options);

}  // namespace seam
