#include "tools/common/notify_target.h"

#include <fstream>
#include <iterator>

#include "core/secret.h"
#include "plugins/common/subprocess.h"
#include "plugins/common/http_client.h"
#include "plugins/http_json/http_json_config.h"
#include "plugins/common/url.h"
#include "tools/common/notification.h"

namespace seam {
namespace {

std::string Field(const nlohmann::ordered_json& n, const char* key) {
  if (!n.contains(key)) return "";
  return n[key].is_string() ? n[key].get<std::string>() : n[key].dump();
}

// The key file's bytes, a trailing newline dropped (a key written with echo works).
Result<Secret> ReadKey(const std::filesystem::path& file, const std::string& who) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::FailedPrecondition(who + ": cannot read secret_file " + file.string());
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (key.size() > 4096) return Status::FailedPrecondition(who + ": secret_file " + file.string() + " is over 4 KiB");
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  if (key.empty()) return Status::FailedPrecondition(who + ": secret_file " + file.string() + " is empty");
  return Secret(std::move(key));
}

}  // namespace

NotifyTarget::NotifyTarget(const NotifyConfig& config, std::string hook_path)
    : config_(config), hook_path_(std::move(hook_path)) {}

NotifyTarget::~NotifyTarget() = default;

Result<std::unique_ptr<NotifyTarget>> NotifyTarget::Make(const NotifyConfig& config, std::string hook_path) {
  std::unique_ptr<NotifyTarget> target(new NotifyTarget(config, std::move(hook_path)));
  if (!config.webhook.empty() || !config.alertmanager.empty()) {
    std::string text = config.webhook;
    if (text.empty()) {
      text = config.alertmanager;
      while (!text.empty() && text.back() == '/') text.pop_back();
      text += "/api/v2/alerts";
    }
    Result<Url> url = ParseUrl(text);
    if (!url.ok()) {
      return Status::InvalidArgument("[[notify]] " + config.name + ": " + (config.webhook.empty() ? "alertmanager" : "webhook") +
                                     ": " + url.status().message());
    }
    HttpClientOptions options;
    options.connect_timeout = std::chrono::milliseconds(config.timeout_ms);
    options.timeout = std::chrono::milliseconds(config.timeout_ms);
    options.body_limit = 64 * 1024;  // the answer is not read, only its status
    if (!config.ca_file.empty()) options.ca_file = config.ca_file;
    target->client_ = std::make_unique<HttpClient>(std::move(*url), options);
  }
  return target;
}

Status NotifyTarget::Deliver(const nlohmann::ordered_json& notification) {
  if (!config_.alertmanager.empty()) return Status::Internal("notify " + config_.name + ": an alertmanager takes alerts");
  const std::string body = notification.dump();
  return client_ != nullptr ? Post(body, notification) : RunCommand(body, notification);
}

Status NotifyTarget::RunCommand(const std::string& body, const nlohmann::ordered_json& notification) {
  const std::string who = "notify " + config_.name;
  Result<std::filesystem::path> program = ResolveProgram(config_.command[0], {}, hook_path_);
  if (!program.ok()) return Status::Unavailable(who + ": " + program.status().message());
  SubprocessRequest request;
  request.argv = config_.command;
  request.argv[0] = program->string();
  request.env = {"PATH=" + hook_path_, "LANG=C.UTF-8", "SEAM_NOTIFY_KIND=" + Field(notification, "kind"),
                 "SEAM_NOTIFY_SEQ=" + Field(notification, "seq")};
  request.stdin_data = body;
  request.timeout = std::chrono::milliseconds(config_.timeout_ms);
  request.stdout_limit = 64 * 1024;
  Result<SubprocessResult> run = RunSubprocess(request);
  if (!run.ok()) return Status::Unavailable(who + ": " + run.status().message());
  if (!run->ok()) return Status::Unavailable(who + ": `" + config_.command[0] + "` " + DescribeEnd(*run, request));
  return Status::Ok();
}

Status NotifyTarget::Post(const std::string& body, const nlohmann::ordered_json& notification) {
  const std::string who = "notify " + config_.name + ": POST " + client_->url().shown;
  HttpRequest request;
  request.method = "POST";
  request.body = body;
  request.headers.emplace_back("X-Seam-Seq", Field(notification, "seq"));
  request.headers.emplace_back("X-Seam-Kind", Field(notification, "kind"));
  if (!config_.secret_file.empty()) {
    Result<Secret> key = ReadKey(config_.secret_file, "notify " + config_.name);
    if (!key.ok()) return Status::Unavailable(key.status().message());
    request.headers.emplace_back("X-Seam-Signature", SignatureOf(key->Reveal(), body));
  }
  return Send(request, who);
}

Status NotifyTarget::PostAlerts(const nlohmann::ordered_json& alerts) {
  HttpRequest request;
  request.method = "POST";
  request.body = alerts.dump();
  return Send(request, "notify " + config_.name + ": POST " + client_->url().shown);
}

Status NotifyTarget::Send(HttpRequest& request, const std::string& who) {
  for (const auto& [name, variable] : config_.header_from_env) {
    Result<std::string> value = ReadHeaderValue(HeaderSource{name, true, variable, {}});
    if (!value.ok()) return Status::Unavailable(who + ": " + value.status().message());
    request.headers.emplace_back(name, std::move(*value));
  }
  for (const auto& [name, file] : config_.header_from_file) {
    Result<std::string> value = ReadHeaderValue(HeaderSource{name, false, {}, file});
    if (!value.ok()) return Status::Unavailable(who + ": " + value.status().message());
    request.headers.emplace_back(name, std::move(*value));
  }
  Result<HttpResponse> response = client_->Fetch(request);
  if (!response.ok()) return Status::Unavailable(who + ": " + response.status().message());
  if (response->status < 200 || response->status > 299) {
    return Status::Unavailable(who + ": answered " + std::to_string(response->status));
  }
  return Status::Ok();
}

}  // namespace seam
