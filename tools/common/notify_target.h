#pragma once
// One [[notify]] target (core/config.h NotifyConfig), delivering one notification
// (tools/common/notification.h) per call:
//   command: run without a shell, the notification as JSON on stdin, an environment of PATH
//            (hook_path), LANG, SEAM_NOTIFY_KIND and SEAM_NOTIFY_SEQ only; delivered when it
//            exits 0 within the timeout.
//   webhook: POST of the JSON (Content-Type: application/json) with X-Seam-Seq, X-Seam-Kind and,
//            with a secret_file, X-Seam-Signature: sha256=<hex HMAC-SHA256(key, body)> (the key
//            file is read at each delivery, so it can be replaced); delivered on a 2xx answer.
//            https is verified against the system's CAs plus ca_file; redirects are not followed.
//   alertmanager: PostAlerts POSTs a list of alerts to <url>/api/v2/alerts (Alertmanager's v2
//            API); delivered on a 2xx answer. Deliver is not for it.
// Webhooks and Alertmanagers also send the header_from_env / header_from_file headers, read at
// each delivery (a value that cannot be read fails the delivery, naming the header and source).
// Blocks up to the target's timeout: call it off any event loop.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/status.h"

namespace seam {

class HttpClient;
struct HttpRequest;

class NotifyTarget {
 public:
  // InvalidArgument for a webhook URL that does not parse (naming the table).
  static Result<std::unique_ptr<NotifyTarget>> Make(const NotifyConfig& config, std::string hook_path);
  ~NotifyTarget();

  // One attempt. Ok once the target took it; Unavailable (one line, never the body) otherwise:
  // "notify gw-pager: `pager.sh` exited 3", "notify hook: POST http://…: answered 503", …
  Status Deliver(const nlohmann::ordered_json& notification);
  // Alertmanager targets: one POST of `alerts` (a JSON array).
  Status PostAlerts(const nlohmann::ordered_json& alerts);

  const NotifyConfig& config() const { return config_; }

 private:
  NotifyTarget(const NotifyConfig& config, std::string hook_path);
  Status RunCommand(const std::string& body, const nlohmann::ordered_json& notification);
  Status Post(const std::string& body, const nlohmann::ordered_json& notification);
  Status Send(HttpRequest& request, const std::string& who);

  NotifyConfig config_;
  std::string hook_path_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace seam
