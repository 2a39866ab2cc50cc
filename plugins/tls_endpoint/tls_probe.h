#pragma once
// One TLS handshake to see which certificate a server presents. Used by plugins/tls_endpoint
// and by `seamctl discover --probe-tls` (tools/discover); the only translation unit of the
// plugin that includes Boost.Asio. The
// probe runs as a coroutine on the process's network thread (plugins/common/network_context.h):
// FetchPeerChainAsync returns at once, FetchPeerChain waits for it.
//
// Verification is OFF on purpose: the side reports what the endpoint serves, including a
// self-signed, expired, wrongly named or untrusted certificate; judging it is the reconciler's
// business (the served fingerprint is compared with the intended one). Nothing is sent but the
// handshake and a close_notify, so an unverified peer learns nothing.
//
// Deadlines: name resolution and the TCP connection must be up within `connect_timeout`, the
// whole probe (resolution, connect, handshake) within `timeout`. The closing close_notify
// exchange gets what is left of `timeout`, at most 250 ms, and its outcome is ignored. A resolution that overruns is
// abandoned (plugins/common/resolve.h); literal addresses need none.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"

namespace seam {

struct TlsProbeOptions {
  std::string host;         // a DNS name or a literal IPv4 / IPv6 address (no brackets)
  std::uint16_t port = 443;
  std::string server_name;  // SNI; empty sends none
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds timeout{2000};
};

// What a server presented, each certificate DER-encoded: the leaf first, then the rest of the
// chain in the order the server sent it (intermediates; some servers send the root too). At
// most kMaxPeerChain certificates are kept.
using PeerChain = std::vector<std::string>;
inline constexpr std::size_t kMaxPeerChain = 16;

// The certificates the server presents (PeerChain). Unavailable, one line, without
// host or port (the caller adds them): "connection refused", "connect timed out after 2000 ms",
// "cannot resolve <host>: <reason>", "TLS handshake timed out after 2000 ms", "TLS handshake
// failed: <OpenSSL's reason>", "connection closed during the TLS handshake", "the server
// presented no certificate".
// Blocks the caller; called on the network thread it fails (Internal) rather than wait on itself.
Result<PeerChain> FetchPeerChain(const TlsProbeOptions& options);

// The same probe without waiting: `done` is called exactly once, on the network thread, and
// must not block.
void FetchPeerChainAsync(TlsProbeOptions options, std::function<void(Result<PeerChain>)> done);

}  // namespace seam
