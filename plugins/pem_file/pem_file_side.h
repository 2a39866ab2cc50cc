#pragma once
// pem-file: a side for the `certificate` kind that holds a certificate chain and its private
// key as two PEM files, the way servers load them (nginx ssl_certificate / ssl_certificate_key).
//
// Config keys (a `[seam.sides.NAME]` table with plugin = "pem-file", in a seam of kind
// "certificate"; any other kind is refused):
//   cert_path  required; the chain, leaf first. Relative paths are relative to the config
//              file's directory.
//   key_path   required; the private key (PKCS#8 or traditional, unencrypted). Must not be
//              cert_path: a combined file is not supported.
//   key_mode   octal string, default "0600": the mode of a key file this side creates. It may
//              not grant anything to others ("0640" for a group such as ssl-cert is fine). An
//              existing key file keeps its own mode and owner; a created chain file gets 0644.
//
// Fields: leaf_sha256 (lower-case hex SHA-256 of the leaf's DER), not_after (the leaf's
// notAfter, decimal Unix seconds) and key_matches ("true" / "false": whether the key file holds
// the leaf's private key): what the side is compared by. An observation also carries `chain`
// (the chain file's bytes) and `key` (the key file's, a Secret), which are not compared: an
// adoption records them (authority = this side, `wrap`), and a write over a pair the log never
// had keeps them sealed in its SideRepaired, so `seamctl restore` can bring it back. Also
// carried: chain_rest_sha256 and chain_not_after, as tls-endpoint reports them (the certificates
// after the leaf in the chain file).
//
// Observe: both files absent: missing. Unreadable, with a one-line reason naming the path
// (never key bytes), when either cannot be read (permissions, not a regular file, over 1 MiB),
// when one exists without the other, when the chain is not PEM certificates and whitespace
// only (core/x509.h), or when the key does not parse (encrypted keys included). An expired
// chain is still a value: judging expiry is the reconciler's business.
// Change marker: device, inode, size, mtime and SHA-256 of each file's bytes ("absent" for a
// missing one). changed_at: the newer of the two mtimes.
//
// Write(record): needs `chain` and `key` in the record (FailedPrecondition otherwise); refuses
// (InvalidArgument, nothing written) a chain that does not parse or a key that is not the
// leaf's; re-reads both files and refuses (FailedPrecondition, nothing written) when their
// marker differs from `expected`. Then writes the key file, then the chain file, each replaced
// atomically (plugins/common/atomic_file.h). Key first: the chain file is the commit point. At
// every instant the leaf fingerprint a reader sees on disk is one whose key is already in
// place, so an interrupted write looks like the *old* certificate with key_matches "false"
// (lagging, repaired by writing both again), never like the new certificate in sync while the
// key that goes with it is missing. A failure after the key was written says so. (Into an
// empty side, an interrupted first write leaves a key without a chain: unreadable, and left for
// the operator, since seam never overwrites what it cannot read.)
// Remove: same compare-and-swap, then unlinks the chain file and then the key file (the
// fingerprint goes first, for the same reason), and fsyncs their directories. Removing absent
// files is ok.
// Symlinks (certbot's live/ layout) are read through, never written through or removed:
// Write, Remove and CheckWritable refuse them (plugins/common/link_policy.h).
//
// CheckWritable: writes nothing; FailedPrecondition when either path could not be replaced
// (missing or unwritable directory, not a regular file, owned by another user).
//
// Key material (best effort): file bytes are read into buffers wiped before they are freed;
// the key travels as a Secret; no message contains it.
//
// No I/O happens in the factory; the side holds no state between calls.

#include <cstddef>
#include <memory>

#include "core/side.h"
#include "core/side_options.h"
#include "core/status.h"

namespace seam {

// Each file larger than this is refused as unreadable rather than read into memory.
inline constexpr std::size_t kPemFileMaxBytes = 1024 * 1024;

// SideFactory for "pem-file". Takes cert_path, key_path and key_mode, then rejects unknown keys.
Result<std::unique_ptr<Side>> MakePemFileSide(SideOptions& options);

}  // namespace seam
