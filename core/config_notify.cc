// [[notify]] tables (core/config.h NotifyConfig): checked whole at load, so seamd never finds
// out at 3 a.m. that a target was misspelt.
#include <algorithm>
#include <set>

#include "core/config_parse.h"

namespace seam {

bool NotifyConfig::Wants(const std::string& kind, const std::string& seam) const {
  return std::find(on.begin(), on.end(), kind) != on.end() && WantsSeam(seam);
}

bool NotifyConfig::WantsSeam(const std::string& seam) const {
  return seams.empty() || std::find(seams.begin(), seams.end(), seam) != seams.end();
}

namespace config_internal {
namespace {

constexpr const char* kKeys[] = {"name",    "on",          "seams",           "command",          "webhook",
                                 "alertmanager", "ca_file", "secret_file", "header_from_env", "header_from_file",
                                 "timeout"};
constexpr std::int64_t kMaxTimeoutUs = 300'000'000;

// A list of non-empty strings; `what` names the key for messages.
Result<std::vector<std::string>> StringList(const ParseContext& ctx, const toml::node& node, const std::string& scope,
                                            const std::string& key) {
  const toml::array* a = node.as_array();
  std::vector<std::string> out;
  if (a != nullptr) {
    for (const toml::node& item : *a) {
      const auto* s = item.as_string();
      if (s == nullptr || s->get().empty() || s->get().find('\0') != std::string::npos) {
        out.clear();
        a = nullptr;
        break;
      }
      out.push_back(s->get());
    }
  }
  if (a == nullptr) return Error(ctx, LineOf(node), scope, "key `" + key + "` must be a list of non-empty strings");
  return out;
}

std::filesystem::path Resolve(const ParseContext& ctx, const std::string& path) {
  const std::filesystem::path p(path);
  return p.is_absolute() ? p : ctx.base_dir / p;
}

Result<NotifyConfig> ParseOne(const ParseContext& ctx, const toml::node& node, std::size_t index,
                              const std::vector<SeamConfig>& seams) {
  NotifyConfig n;
  n.line = LineOf(node);
  n.name = "notify-" + std::to_string(index + 1);
  const toml::table* table = node.as_table();
  if (table == nullptr) return Error(ctx, n.line, "", "key `notify` must be an array of tables ([[notify]])");
  std::string scope = "[[notify]] " + n.name;
  for (const Entry& e : InSourceOrder(*table)) {
    if (std::find(std::begin(kKeys), std::end(kKeys), e.key) == std::end(kKeys)) {
      return Error(ctx, e.line, scope,
                   "unknown key `" + std::string(e.key) +
                       "`; a [[notify]] table holds name, on, seams, one of command, webhook or alertmanager, ca_file, "
                       "secret_file, header_from_env, header_from_file, timeout");
    }
  }
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> name, GetString(ctx, *table, "name", false, n.line, scope));
  if (name) {
    if (name->empty() || name->size() > 64 ||
        !std::all_of(name->begin(), name->end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        })) {
      return Error(ctx, LineOf(*table->get("name")), scope,
                   "key `name` must be 1-64 characters of letters, digits, `-`, `_` and `.`, got `" + *name + "`");
    }
    n.name = *name;
    scope = "[[notify]] " + n.name;
  }
  if (const toml::node* on = table->get("on")) {
    SEAM_ASSIGN_OR_RETURN(n.on, StringList(ctx, *on, scope, "on"));
    for (const std::string& kind : n.on) {
      if (std::find(std::begin(kNotifyKinds), std::end(kNotifyKinds), kind) == std::end(kNotifyKinds)) {
        return Error(ctx, LineOf(*on), scope,
                     "unknown notification `" + kind +
                         "`; `on` takes drift_opened, drift_closed, flapping, unreadable, expiring, pending");
      }
    }
    if (n.on.empty()) return Error(ctx, LineOf(*on), scope, "key `on` is empty: leave it out for every notification");
  } else {
    n.on.assign(std::begin(kNotifyKinds), std::end(kNotifyKinds));
  }
  if (const toml::node* named = table->get("seams")) {
    SEAM_ASSIGN_OR_RETURN(n.seams, StringList(ctx, *named, scope, "seams"));
    for (const std::string& seam : n.seams) {
      if (std::none_of(seams.begin(), seams.end(), [&](const SeamConfig& s) { return s.name == seam; })) {
        return Error(ctx, LineOf(*named), scope, "key `seams` names `" + seam + "`, which is no [[seam]] of this config");
      }
    }
  }
  const toml::node* command = table->get("command");
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> webhook, GetString(ctx, *table, "webhook", false, n.line, scope));
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> alertmanager,
                        GetString(ctx, *table, "alertmanager", false, n.line, scope));
  if ((command != nullptr) + webhook.has_value() + alertmanager.has_value() != 1) {
    return Error(ctx, n.line, scope,
                 "give exactly one of `command` (a list: program and arguments), `webhook` (a URL) or `alertmanager` "
                 "(Alertmanager's URL)");
  }
  auto http_url = [&](const std::string& key, const std::string& url) -> Status {
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
      return Error(ctx, LineOf(*table->get(key)), scope, "key `" + key + "` must be an http:// or https:// URL");
    }
    return Status::Ok();
  };
  if (command != nullptr) {
    SEAM_ASSIGN_OR_RETURN(n.command, StringList(ctx, *command, scope, "command"));
    if (n.command.empty()) return Error(ctx, LineOf(*command), scope, "key `command` is empty");
  } else if (webhook) {
    SEAM_RETURN_IF_ERROR(http_url("webhook", *webhook));
    n.webhook = *webhook;
  } else {
    SEAM_RETURN_IF_ERROR(http_url("alertmanager", *alertmanager));
    n.alertmanager = *alertmanager;
    if (const toml::node* on = table->get("on")) {
      return Error(ctx, LineOf(*on), scope,
                   "key `on` is not for an alertmanager target: it gets one alert per open drift, resolved when the "
                   "drift closes");
    }
    n.on = {"drift_opened", "drift_closed"};
  }
  const bool http_target = command == nullptr;
  for (const char* key : {"ca_file", "secret_file"}) {
    SEAM_ASSIGN_OR_RETURN(std::optional<std::string> path, GetString(ctx, *table, key, false, n.line, scope));
    if (!path) continue;
    const bool webhook_only = std::string(key) == "secret_file";
    if (webhook_only ? n.webhook.empty() : !http_target) {
      return Error(ctx, LineOf(*table->get(key)), scope,
                   "key `" + std::string(key) + "` is for a webhook" + (webhook_only ? "" : " or an alertmanager"));
    }
    (webhook_only ? n.secret_file : n.ca_file) = Resolve(ctx, *path);
  }
  for (const char* key : {"header_from_env", "header_from_file"}) {
    const toml::node* headers = table->get(key);
    if (headers == nullptr) continue;
    if (!http_target) return Error(ctx, LineOf(*headers), scope, "key `" + std::string(key) + "` is for a webhook or an alertmanager");
    SEAM_ASSIGN_OR_RETURN(std::vector<std::string> entries, StringList(ctx, *headers, scope, key));
    for (const std::string& entry : entries) {
      const std::size_t colon = entry.find(':');
      const std::string header = colon == std::string::npos ? "" : entry.substr(0, colon);
      std::string source = colon == std::string::npos ? "" : entry.substr(colon + 1);
      source.erase(0, source.find_first_not_of(' '));
      const bool header_ok = !header.empty() && std::all_of(header.begin(), header.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      });
      if (!header_ok || source.empty()) {
        return Error(ctx, LineOf(*headers), scope,
                     "key `" + std::string(key) + "`: each entry is \"Header-Name: " +
                         (std::string(key) == "header_from_env" ? "VARIABLE" : "FILE") + "\", got `" + entry + "`");
      }
      if (std::string(key) == "header_from_env") {
        n.header_from_env.emplace_back(header, source);
      } else {
        n.header_from_file.emplace_back(header, Resolve(ctx, source));
      }
    }
  }
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> timeout, GetString(ctx, *table, "timeout", false, n.line, scope));
  if (timeout) {
    const std::optional<std::int64_t> us = ParseDurationUs(*timeout);
    if (!us || *us > kMaxTimeoutUs) {
      return Error(ctx, LineOf(*table->get("timeout")), scope,
                   "key `timeout` must be a duration from 1s to 5m (\"10s\"), got `" + *timeout + "`");
    }
    n.timeout_ms = *us / 1000;
  }
  return n;
}

}  // namespace

Result<std::vector<NotifyConfig>> ParseNotify(const ParseContext& ctx, const toml::table& root,
                                              const std::vector<SeamConfig>& seams) {
  std::vector<NotifyConfig> out;
  const toml::node* node = root.get("notify");
  if (node == nullptr) return out;
  const toml::array* tables = node->as_array();
  if (tables == nullptr) return Error(ctx, LineOf(*node), "", "key `notify` must be an array of tables ([[notify]])");
  std::set<std::string> names;
  for (std::size_t i = 0; i < tables->size(); ++i) {
    SEAM_ASSIGN_OR_RETURN(NotifyConfig n, ParseOne(ctx, *tables->get(i), i, seams));
    if (!names.insert(n.name).second) {
      return Error(ctx, n.line, "[[notify]] " + n.name, "another [[notify]] table has this name");
    }
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace config_internal
}  // namespace seam
