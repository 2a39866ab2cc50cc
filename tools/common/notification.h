#pragma once
// What seamd tells a [[notify]] target (core/config.h NotifyConfig): one notification per
// event of the log that a person may need to hear about, derived from the event alone, so the
// log is the only record of what was (to be) said and a notification can be sent again after a
// crash. Never holds a value: drift records carry keyed fingerprints only.
//
//   kind          events
//   drift_opened  DriftOpened
//   drift_closed  DriftClosed (not "superseded": a DriftOpened follows at once)
//   flapping      SeamFlapping, FlappingCleared ("cleared": true)
//   unreadable    SideUnreadable, SideReadable ("readable": true)
//   expiring      SeamExpiring, ExpiringEnded ("ended": true)
//   pending       OperationPending, PendingEnded ("ended": true)
//
// The JSON: {"seq", "time", "kind", "event", "seam", "stream", "side", "actor", "details"}, seq
// being the event's (the receiver's idempotency key: a notification may come twice, never
// never), details the event's fields as `seamctl log --json` shows them.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/event.h"

namespace seam {

// The notification kind of `event`, or "" when it is none.
std::string NotificationKind(const Event& event);

// The notification for `event` of seam `seam` (its name in the config); nullopt when the event
// is none.
std::optional<nlohmann::ordered_json> NotificationFor(const Event& event, const std::string& seam,
                                                      const KeyRing& keys);

// "sha256=" + hex HMAC-SHA256(key, body): the X-Seam-Signature header of a webhook.
std::string SignatureOf(std::string_view key, std::string_view body);

}  // namespace seam
