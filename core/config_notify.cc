// [[notify]] tables (core/config.h NotifyConfig): checked whole at load, so seamd never finds
// out at 3 a.m. that a target was misspelt.
#include <algorithm>
#include <set>

#include "core/config_parse.h"

namespace seam {

bool NotifyConfig::Wants(const std::string& kind, const std::string& seam) const {
  if (std::find(on.begin(), on.end(), kind) == on.end()) return false;
  return seams.empty() || std::find(seams.begin(), seams.end(), seam) != seams.end();
}

namespace config_internal {
namespace {

constexpr const char* kKeys[] = {"name", "on", "seams", "command", "webhook", "ca_file", "secret_file", "timeout"};
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
                       "`; a [[notify]] table holds name, on, seams, command or webhook, ca_file, secret_file, timeout");
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
      if (kind == "expiring" || kind == "pending") {
        return Error(ctx, LineOf(*on), scope,
                     "`" + kind + "` notifications are not built yet; `on` takes drift_opened, drift_closed, flapping, unreadable");
      }
      if (std::find(std::begin(kNotifyKinds), std::end(kNotifyKinds), kind) == std::end(kNotifyKinds)) {
        return Error(ctx, LineOf(*on), scope,
                     "unknown notification `" + kind + "`; `on` takes drift_opened, drift_closed, flapping, unreadable");
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
  if ((command != nullptr) == webhook.has_value()) {
    return Error(ctx, n.line, scope, "give exactly one of `command` (a list: program and arguments) or `webhook` (a URL)");
  }
  if (command != nullptr) {
    SEAM_ASSIGN_OR_RETURN(n.command, StringList(ctx, *command, scope, "command"));
    if (n.command.empty()) return Error(ctx, LineOf(*command), scope, "key `command` is empty");
  } else {
    const bool http = webhook->rfind("http://", 0) == 0;
    const bool https = webhook->rfind("https://", 0) == 0;
    if (!http && !https) {
      return Error(ctx, LineOf(*table->get("webhook")), scope, "key `webhook` must be an http:// or https:// URL");
    }
    n.webhook = *webhook;
  }
  for (const char* key : {"ca_file", "secret_file"}) {
    SEAM_ASSIGN_OR_RETURN(std::optional<std::string> path, GetString(ctx, *table, key, false, n.line, scope));
    if (!path) continue;
    if (n.webhook.empty()) return Error(ctx, LineOf(*table->get(key)), scope, "key `" + std::string(key) + "` is for a webhook");
    (std::string(key) == "ca_file" ? n.ca_file : n.secret_file) = Resolve(ctx, *path);
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
