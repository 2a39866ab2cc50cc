#include "tools/common/event_details.h"

#include "core/clock.h"
#include "core/x509.h"
#include "reconcilers/certificate/certificate_events.h"
#include "reconcilers/drift_events.h"
#include "reconcilers/pairing/pairing_events.h"
#include "reconcilers/token/token_events.h"

namespace seam {
namespace {

// Adds the fingerprint of a sealed value to `d`, or an error if it does not open.
void AddFingerprint(nlohmann::ordered_json& d, const std::string& sealed, const Event& e, const KeyRing& keys) {
  Result<Secret> value = keys.Open(sealed, SealContext(e.stream, e.version));
  if (value.ok()) {
    d["fingerprint"] = keys.Fingerprint(*value);
  } else {
    d["error"] = value.status().message();
  }
}

}  // namespace

nlohmann::ordered_json TimeOrNull(std::int64_t us) {
  return us == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(FormatTimeMicros(us));
}

nlohmann::ordered_json EventDetails(const Event& e, const KeyRing& keys) {
  nlohmann::ordered_json d = nlohmann::ordered_json::object();
  if (e.type == token::kTokenIssued || e.type == token::kTokenRotated) {
    auto p = token::DecodeValueSet(e.payload);
    if (!p.ok()) return {{"error", p.status().message()}};
    AddFingerprint(d, p->sealed_value, e, keys);
  } else if (e.type == token::kTokenAdopted) {
    auto p = token::DecodeAdopted(e.payload);
    if (!p.ok()) return {{"error", p.status().message()}};
    d["side"] = p->side;
    AddFingerprint(d, p->sealed_value, e, keys);
    d["reason"] = p->reason;
  } else if (e.type == token::kTokenRevoked) {
    auto p = token::DecodeRevoked(e.payload);
    if (!p.ok()) return {{"error", p.status().message()}};
    d["reason"] = p->reason;
  } else if (e.type == pairing::kPairingCreated || e.type == pairing::kPairingAdopted) {
    auto p = pairing::DecodeSet(e.payload, e.type.c_str());
    if (!p.ok()) return {{"error", p.status().message()}};
    d["device_id"] = p->device_id;
    AddFingerprint(d, p->sealed_token, e, keys);
    if (!p->gateway_url.empty()) d["gateway_url"] = p->gateway_url;
    d["paired_at"] = p->paired_at;
    if (e.type == pairing::kPairingAdopted) {
      d["side"] = p->side;
      d["reason"] = p->reason;
    }
  } else if (e.type == pairing::kPairingTokenRotated) {
    auto p = pairing::DecodeTokenRotated(e.payload);
    if (!p.ok()) return {{"error", p.status().message()}};
    AddFingerprint(d, p->sealed_token, e, keys);
  } else if (e.type == pairing::kPairingRemoved) {
    auto p = pairing::DecodeRemoved(e.payload);
    if (!p.ok()) return {{"error", p.status().message()}};
    d["reason"] = p->reason;
  } else if (e.type == certificate::kCertificateIssued || e.type == certificate::kCertificateRenewed) {
    auto p = certificate::DecodeSet(e.payload, e.type.c_str());
    if (!p.ok()) return {{"error", p.status().message()}};
    // The certificate is public: its own SHA-256 is the fingerprint people can compare.
    d["fingerprint"] = "sha256:" + p->leaf_sha256.substr(0, 16);
    d["leaf_sha256"] = p->leaf_sha256;
    d["subject_cn"] = p->subject_cn;
    d["not_after"] = FormatUnixTime(p->not_after);
    d["source"] = p->source;
    // The key is only checked to open, never shown.
    Result<Secret> key = keys.Open(p->sealed_key, SealContext(e.stream, e.version));
    if (!key.ok()) d["error"] = key.status().message();
  } else if (e.type == certificate::kCertificateRevoked) {
    auto p = certificate::DecodeRevoked(e.payload);
    if (!p.ok()) return {{"error", p.status().message()}};
    d["reason"] = p->reason;
  } else if (e.type == token::kSideApplied) {
    auto p = token::DecodeSideApplied(e.payload);
    if (!p.ok()) return {{"error", p.status().message()}};
    d["side"] = p->side;
    d["version"] = p->version;
  } else if (e.type == token::kSideRepaired) {
    auto p = token::DecodeSideRepaired(e.payload);
    if (!p.ok()) return {{"error", p.status().message()}};
    d["side"] = p->side;
    d["version_written"] = p->version_written;
    d["action"] = p->action;
    d["verdict_before"] = p->verdict_before;
    d["held_version"] = p->held_version;
    d["fingerprint_before"] = p->fingerprint_before;
    // A foreign value that was overwritten is kept sealed in the event; people see that it is
    // there (and its fingerprint above), never the value.
    if (!p->sealed_before.empty()) {
      Result<Secret> kept = keys.Open(p->sealed_before, SealContext(e.stream, e.version));
      d["foreign_value_kept"] = kept.ok();
      if (!kept.ok()) d["error"] = kept.status().message();
    }
  } else if (e.type == token::kSeamFlapping) {
    auto p = token::DecodeSeamFlapping(e.payload);
    if (!p.ok()) return {{"error", p.status().message()}};
    d["side"] = p->side;
    d["repairs"] = p->repairs;
    d["window_s"] = p->window_s;
  } else if (e.type == token::kFlappingCleared) {
    auto p = token::DecodeFlappingCleared(e.payload);
    if (!p.ok()) return {{"error", p.status().message()}};
    d["reason"] = p->reason;
  } else if (e.type == drift::kDriftOpened) {
    auto p = drift::DecodeDriftOpened(e.payload);
    if (!p.ok()) return {{"error", p.status().message()}};
    d["seam"] = p->seam;
    d["side"] = p->side;
    d["verdict"] = p->verdict;
    d["holds_version"] = p->holds_version;
    d["fingerprint"] = p->fingerprint;
    d["detail"] = p->detail;
    d["intended_version"] = p->intended_version;
    d["last_in_sync_at"] = TimeOrNull(p->last_in_sync_at_us);
    d["first_seen_at"] = TimeOrNull(p->first_seen_at_us);
    d["side_changed_at"] = TimeOrNull(p->side_changed_at_us);
  } else if (e.type == drift::kDriftClosed) {
    auto p = drift::DecodeDriftClosed(e.payload);
    if (!p.ok()) return {{"error", p.status().message()}};
    d["side"] = p->side;
    d["how"] = p->how;
    d["opened_version"] = p->opened_version;
    d["cause"] = p->cause;
    d["at"] = TimeOrNull(p->at_us);
  } else if (e.type == drift::kSideRestarted) {
    auto p = drift::DecodeSideRestarted(e.payload);
    if (!p.ok()) return {{"error", p.status().message()}};
    d["side"] = p->side;
    d["marker"] = p->marker;
    d["previous_marker"] = p->previous_marker;
    d["started_at"] = TimeOrNull(p->started_at_us);
  } else {
    d["payload_bytes"] = e.payload.size();
  }
  return d;
}

}  // namespace seam
