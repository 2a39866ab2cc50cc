#include "tools/common/notification.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/clock.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/drift_events.h"
#include "tools/common/event_details.h"

namespace seam {

std::string NotificationKind(const Event& event) {
  if (event.type == drift::kDriftOpened) return "drift_opened";
  if (event.type == drift::kDriftClosed) {
    Result<drift::DriftClosed> closed = drift::DecodeDriftClosed(event.payload);
    return closed.ok() && closed->how == "superseded" ? "" : "drift_closed";
  }
  if (event.type == bookkeeping::kSeamFlapping || event.type == bookkeeping::kFlappingCleared) return "flapping";
  if (event.type == drift::kSideUnreadable || event.type == drift::kSideReadable) return "unreadable";
  if (event.type == drift::kSeamExpiring || event.type == drift::kExpiringEnded) return "expiring";
  if (event.type == drift::kOperationPending || event.type == drift::kPendingEnded) return "pending";
  return "";
}

std::optional<nlohmann::ordered_json> NotificationFor(const Event& event, const std::string& seam, const KeyRing& keys) {
  const std::string kind = NotificationKind(event);
  if (kind.empty()) return std::nullopt;
  nlohmann::ordered_json details = EventDetails(event, keys);
  nlohmann::ordered_json side = details.contains("side") ? details["side"] : nlohmann::ordered_json(nullptr);
  nlohmann::ordered_json n = {{"seq", event.seq},     {"time", FormatTimeMicros(event.time_us)},
                              {"kind", kind},         {"event", event.type},
                              {"seam", seam},         {"stream", event.stream},
                              {"side", side},         {"actor", event.actor},
                              {"details", std::move(details)}};
  if (event.type == bookkeeping::kFlappingCleared) n["cleared"] = true;
  if (event.type == drift::kSideReadable) n["readable"] = true;
  if (event.type == drift::kExpiringEnded || event.type == drift::kPendingEnded) n["ended"] = true;
  return n;
}

std::string SignatureOf(std::string_view key, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), mac, &len);
  static const char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

}  // namespace seam
