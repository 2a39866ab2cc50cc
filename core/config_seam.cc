// One [[seam]] table of seam.toml: its own keys, its sides (built through the SideRegistry),
// `authority` and `order`. The accepted shape is described in core/config.h.
#include <algorithm>
#include <array>

#include "core/agent.h"
#include "core/config_parse.h"

namespace seam::config_internal {
namespace {

constexpr const char* kNameRule = "use [a-z0-9][a-z0-9._-]*, at most 128 characters";

constexpr std::array<std::string_view, 12> kSeamKeys = {
    "name",  "kind",  "entity",       "repair",        "authority", "order",
    "sides", "renew_before", "repair_budget", "interval", "secret", "format"};

constexpr std::array<std::string_view, 4> kAlphabets = {"base64url", "hex", "alnum", "ascii-printable"};

constexpr std::int64_t kDefaultRenewBeforeUs = 30LL * 86'400 * 1'000'000;  // 30 days

std::vector<std::string> SideNames(const std::vector<SideConfig>& sides) {
  std::vector<std::string> names;
  for (const SideConfig& side : sides) names.push_back(side.name);
  return names;
}

// The option types a plugin may receive; anything else (floats, dates, nested or non-string
// tables, mixed arrays) has no plugin that wants it today, so it is refused here with the key's
// line. A table of strings is a field map (`[seam.sides.NAME.fields]`).
std::optional<OptionValue> ToOptionValue(const toml::node& node) {
  OptionValue v;
  v.line = LineOf(node);
  if (const auto* s = node.as_string()) {
    v.value = s->get();
  } else if (const auto* i = node.as_integer()) {
    v.value = i->get();
  } else if (const auto* b = node.as_boolean()) {
    v.value = b->get();
  } else if (const auto* a = node.as_array()) {
    std::vector<std::string> items;
    for (const toml::node& item : *a) {
      const auto* text = item.as_string();
      if (text == nullptr) return std::nullopt;
      items.push_back(text->get());
    }
    v.value = std::move(items);
  } else if (const auto* t = node.as_table()) {
    StringTable items;
    for (const Entry& e : InSourceOrder(*t)) {
      const auto* text = e.node->as_string();
      if (text == nullptr) return std::nullopt;
      items.push_back(TableItem{std::string(e.key), text->get(), e.line});
    }
    v.value = std::move(items);
  } else {
    return std::nullopt;
  }
  return v;
}

// `settle_ms = 5000` (or "5000"): milliseconds, 0 (read back once) to kMaxSettle.
Result<std::chrono::milliseconds> ParseSettle(const SideOptions& options, const toml::node& node) {
  std::optional<std::int64_t> ms = node.value_exact<std::int64_t>();
  if (const auto* text = node.as_string()) {
    const std::string& t = text->get();
    if (!t.empty() && t.size() <= 7 && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      ms = std::stoll(t);
    }
  }
  if (!ms || *ms < 0 || *ms > kMaxSettle.count()) {
    return Status::InvalidArgument(options.Where(LineOf(node)) +
                                   ": key `settle_ms` must be a whole number of milliseconds from 0 to " +
                                   std::to_string(kMaxSettle.count()) + ", e.g. settle_ms = 5000");
  }
  return std::chrono::milliseconds(*ms);
}

// `key = "true"` / `"false"` (strings, like every plugin's flags) or a TOML boolean.
Result<bool> ParseFlag(const SideOptions& options, const toml::node& node, const std::string& key) {
  if (const std::optional<bool> b = node.value_exact<bool>()) return *b;
  if (const auto* text = node.as_string()) {
    if (text->get() == "true") return true;
    if (text->get() == "false") return false;
  }
  return Status::InvalidArgument(options.Where(LineOf(node)) + ": key `" + key + "` must be \"true\" or \"false\"");
}

Result<SideConfig> ParseSide(const ParseContext& ctx, const SeamConfig& seam, const Entry& entry) {
  const std::string name(entry.key);
  const toml::table& table = *entry.node->as_table();
  SideOptions options(ctx.file, ctx.base_dir, seam.name, name, entry.line);
  options.SetKind(*ctx.schema->FindKind(seam.kind));
  options.SetHookPath(ctx.hook_path);
  const std::string where = options.Where();  // "FILE:LINE: seam `s` side `n`"
  auto line_of = [&](std::string_view key) { return LineOf(*table.get(key)); };

  SideConfig side;
  side.name = name;
  side.line = entry.line;
  const toml::node* plugin = table.get("plugin");
  if (plugin == nullptr) return Status::InvalidArgument(where + ": missing required key `plugin`");
  if (!plugin->is_string()) {
    return Status::InvalidArgument(options.Where(line_of("plugin")) +
                                   ": key `plugin` must be a string");
  }
  side.plugin = plugin->as_string()->get();
  const SideRegistry* registry = ctx.schema->sides;
  const SideFactory* factory = registry != nullptr ? registry->Find(side.plugin) : nullptr;
  if (factory == nullptr) {
    const std::vector<std::string> known =
        registry != nullptr ? registry->Names() : std::vector<std::string>{};
    return Status::InvalidArgument(
        options.Where(line_of("plugin")) + ": unknown plugin `" + side.plugin +
        "`; registered plugins: " + (known.empty() ? "(none)" : JoinNames(known)));
  }

  if (const toml::node* transform = table.get("transform")) {
    // A certificate side compares fingerprints and writes PEM: there is nothing to transform.
    if (!ctx.schema->FindKind(seam.kind)->transforms) {
      return Status::InvalidArgument(options.Where(line_of("transform")) + ": key `transform` does not apply to " +
                                     seam.kind + " seams");
    }
    const auto* s = transform->as_string();
    const std::optional<Transform> parsed = s ? ParseTransform(s->get()) : std::nullopt;
    if (!parsed) {
      return Status::InvalidArgument(options.Where(line_of("transform")) +
                                     ": key `transform` must be \"plain\" or \"sha256-hex\"");
    }
    side.transform = *parsed;
  }

  if (const toml::node* settle = table.get("settle_ms")) {
    SEAM_ASSIGN_OR_RETURN(side.settle, ParseSettle(options, *settle));
  }
  if (const toml::node* revoke = table.get("may_revoke")) {
    SEAM_ASSIGN_OR_RETURN(side.may_revoke, ParseFlag(options, *revoke, "may_revoke"));
  }
  if (const toml::node* agent = table.get("agent")) {
    const auto* agent_name = agent->as_string();
    if (agent_name == nullptr || !IsAgentName(agent_name->get())) {
      return Status::InvalidArgument(options.Where(line_of("agent")) + ": key `agent` " + std::string(kAgentNameRule) +
                                     " (the agent that observes and writes this side)");
    }
    side.agent = agent_name->get();
  }

  for (const Entry& e : InSourceOrder(table)) {
    if (e.key == "plugin" || e.key == "transform" || e.key == "settle_ms" || e.key == "may_revoke" ||
        e.key == "agent") {
      continue;
    }
    std::optional<OptionValue> value = ToOptionValue(*e.node);
    if (!value) {
      return Status::InvalidArgument(options.Where(e.line) + ": unsupported value type for key `" +
                                     std::string(e.key) +
                                     "` (use a string, integer, boolean, array of strings or table of strings)");
    }
    options.Set(std::string(e.key), std::move(*value));
  }

  // on_repair belongs to every plugin: taken here, before the plugin sees its own keys.
  SEAM_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> hook,
                        options.TakeStringList("on_repair", false));
  if (hook) {
    if (hook->empty() || hook->front().empty()) {
      return Status::InvalidArgument(options.Where(options.LineOf("on_repair")) +
                                     ": key `on_repair` must name a program: [\"cmd\", \"arg\", ...]");
    }
    side.on_repair = std::move(*hook);
  }
  if (table.get("settle_ms") != nullptr && side.on_repair.empty()) {
    return Status::InvalidArgument(options.Where(line_of("settle_ms")) +
                                   ": key `settle_ms` is how long to wait after on_repair, and this side has no on_repair");
  }

  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<Side> built, (*factory)(options));
  if (built == nullptr) {
    return Status::Internal(where + ": plugin `" + side.plugin + "` returned no side");
  }
  // The factory contract says it rejects leftovers itself; checking again costs nothing and
  // keeps a forgetful plugin from silently ignoring a misspelt key.
  SEAM_RETURN_IF_ERROR(options.RejectUnknown());
  side.fields = built->Fields();
  side.side = std::move(built);
  return side;
}

Result<std::vector<SideConfig>> ParseSides(const ParseContext& ctx, const SeamConfig& seam,
                                           const std::string& scope, const toml::node& node) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    return Error(ctx, LineOf(node), scope,
                 "key `sides` must be a table of [seam.sides.NAME] tables");
  }
  std::vector<SideConfig> sides;
  // Declaration order is the default write order, so keep the order the file has.
  for (const Entry& e : InSourceOrder(*table)) {
    const std::string name(e.key);
    if (!IsValidName(name)) {
      return Error(ctx, e.line, scope, "invalid side name `" + name + "`: " + kNameRule);
    }
    if (!e.node->is_table()) {
      return Error(ctx, e.line, scope,
                   "side `" + name + "` must be a table ([seam.sides." + name + "])");
    }
    SEAM_ASSIGN_OR_RETURN(SideConfig side, ParseSide(ctx, seam, e));
    sides.push_back(std::move(side));
  }
  // One side is an agreement too: between the log and that side (a served certificate watched
  // for expiry, a value kept in one file).
  if (sides.empty()) return Error(ctx, seam.line, scope, "declares no sides; a seam needs at least one");
  return sides;
}

// Reorders `sides` as `order` lists them; every side exactly once.
Status ApplyOrder(const ParseContext& ctx, const std::string& scope, const toml::node& node,
                  std::vector<SideConfig>& sides) {
  const toml::array* order = node.as_array();
  if (order == nullptr) {
    return Error(ctx, LineOf(node), scope, "key `order` must be an array of side names");
  }
  std::vector<SideConfig> ordered;
  for (const toml::node& item : *order) {
    const int line = LineOf(item) > 0 ? LineOf(item) : LineOf(node);
    const auto* s = item.as_string();
    if (s == nullptr) return Error(ctx, line, scope, "key `order` must be an array of side names");
    const std::string& name = s->get();
    auto named = [&](const SideConfig& side) { return side.name == name; };
    if (std::any_of(ordered.begin(), ordered.end(), named)) {
      return Error(ctx, line, scope, "`order` lists side `" + name + "` twice");
    }
    auto it = std::find_if(sides.begin(), sides.end(), named);
    if (it == sides.end()) {
      return Error(ctx, line, scope,
                   "`order` names `" + name + "`, which is not a side of this seam; sides: " +
                       JoinNames(SideNames(sides)));
    }
    ordered.push_back(std::move(*it));
    sides.erase(it);
  }
  if (!sides.empty()) {
    return Error(ctx, LineOf(node), scope,
                 "`order` does not list side `" + sides.front().name + "`; list every side once");
  }
  sides = std::move(ordered);
  return Status::Ok();
}

Status ApplyAuthority(const ParseContext& ctx, const std::string& scope, const toml::node& node,
                      SeamConfig& seam) {
  const auto* s = node.as_string();
  if (s == nullptr) return Error(ctx, LineOf(node), scope, "key `authority` must be a string");
  const std::string& name = s->get();
  if (name == "log") return Status::Ok();  // the default: nullopt
  // A certificate side shows a fingerprint, not the key: its value cannot be taken into the log.
  if (!ctx.schema->FindKind(seam.kind)->adoptable) {
    return Error(ctx, LineOf(node), scope,
                 seam.kind + " seams take authority = \"log\" (a side shows a " + seam.kind +
                     "'s fingerprint, not its key, so nothing can be adopted from it)");
  }
  const SideConfig* side = seam.FindSide(name);
  if (side == nullptr) {
    return Error(ctx, LineOf(node), scope,
                 "authority `" + name +
                     "` names no side; use \"log\" or one of: " + JoinNames(SideNames(seam.sides)));
  }
  // A probing side answers yes or no about values the log already has; it never shows one.
  if (side->side->Probes()) {
    return Error(ctx, LineOf(node), scope,
                 "authority side `" + name + "` is a probe (" + side->plugin +
                     "): it can only say whether a value works, never show a new one to keep; choose a side "
                     "that holds the value");
  }
  // Adopting a foreign value means copying it into the log, which needs the value itself.
  if (!side->side->Writable()) {
    return Error(ctx, LineOf(node), scope,
                 "authority side `" + name + "` is observe-only (" + side->plugin + "): it shows a " + seam.kind +
                     ", not the value to keep; choose the side that holds it");
  }
  if (!TransformIsReversible(side->transform)) {
    return Error(ctx, LineOf(node), scope,
                 "authority side `" + name + "` stores " + TransformName(side->transform) +
                     " digests, from which the value cannot be recovered; choose a side with "
                     "transform = \"plain\"");
  }
  seam.authority_side = name;
  return Status::Ok();
}


// "5/10m": a count of 1..100 repairs and a duration; or "off".
Result<SeamConfig::RepairBudget> ParseRepairBudget(const ParseContext& ctx, const std::string& scope,
                                                   const toml::node& node) {
  const auto* s = node.as_string();
  const std::string text = s != nullptr ? s->get() : "";
  SeamConfig::RepairBudget budget;
  if (text == "off") {
    budget.off = true;
    return budget;
  }
  const std::size_t slash = text.find('/');
  std::optional<std::int64_t> window =
      slash == std::string::npos ? std::nullopt : ParseDurationUs(text.substr(slash + 1));
  int count = 0;
  for (std::size_t i = 0; slash != std::string::npos && i < slash && count <= 100; ++i) {
    count = text[i] >= '0' && text[i] <= '9' ? count * 10 + (text[i] - '0') : 1000;
  }
  if (!window || slash == 0 || count < 1 || count > 100) {
    return Error(ctx, LineOf(node), scope,
                 "key `repair_budget` must be \"COUNT/DURATION\" (1 to 100 repairs of one side, "
                 "e.g. \"5/10m\") or \"off\"");
  }
  budget.count = count;
  budget.window_us = *window;
  return budget;
}

// A duration-valued seam key (`renew_before`, `interval`); `examples` goes into the message.
Result<std::int64_t> ParseDurationKey(const ParseContext& ctx, const std::string& scope,
                                      const toml::node& node, const std::string& key,
                                      const std::string& examples) {
  const auto* s = node.as_string();
  std::optional<std::int64_t> us = ParseDurationUs(s != nullptr ? s->get() : "");
  if (!us) {
    return Error(ctx, LineOf(node), scope, "key `" + key + "` must be a duration such as " + examples);
  }
  return *us;
}

// `secret`: "true" or "false" (a TOML boolean too).
Result<bool> ParseSecret(const ParseContext& ctx, const std::string& scope, const toml::node& node) {
  if (const auto* b = node.as_boolean()) return b->get();
  const auto* s = node.as_string();
  if (s != nullptr && s->get() == "true") return true;
  if (s != nullptr && s->get() == "false") return false;
  return Error(ctx, LineOf(node), scope, "key `secret` must be \"true\" or \"false\"");
}

// [seam.format]: `length` and `alphabet`, nothing else.
Result<SeamConfig::Format> ParseFormat(const ParseContext& ctx, const std::string& scope, const toml::node& node) {
  const toml::table* table = node.as_table();
  if (table == nullptr) return Error(ctx, LineOf(node), scope, "`format` must be a table ([seam.format])");
  SeamConfig::Format format;
  format.given = true;
  for (const Entry& e : InSourceOrder(*table)) {
    if (e.key == "length") {
      const auto* n = e.node->as_integer();
      if (n == nullptr || n->get() < 8 || n->get() > 4096) {
        return Error(ctx, e.line, scope, "key `format.length` must be a whole number of characters from 8 to 4096");
      }
      format.length = static_cast<int>(n->get());
    } else if (e.key == "alphabet") {
      const auto* a = e.node->as_string();
      if (a == nullptr || std::find(kAlphabets.begin(), kAlphabets.end(), a->get()) == kAlphabets.end()) {
        return Error(ctx, e.line, scope,
                     "key `format.alphabet` must be \"base64url\", \"hex\", \"alnum\" or \"ascii-printable\"");
      }
      format.alphabet = a->get();
    } else {
      return Error(ctx, e.line, scope, "unknown key `format." + std::string(e.key) + "` (known: length, alphabet)");
    }
  }
  return format;
}

Result<RepairPolicy> ParseRepair(const ParseContext& ctx, const std::string& scope,
                                 const toml::node& node) {
  const auto* s = node.as_string();
  if (s != nullptr && s->get() == "auto") return RepairPolicy::kAuto;
  if (s != nullptr && s->get() == "manual") return RepairPolicy::kManual;
  if (s != nullptr && s->get() == "notify") return RepairPolicy::kNotify;
  if (s != nullptr && s->get() == "off") return RepairPolicy::kOff;
  return Error(ctx, LineOf(node), scope, "key `repair` must be \"auto\", \"manual\", \"notify\" or \"off\"");
}

}  // namespace

Result<SeamConfig> ParseSeam(const ParseContext& ctx, const toml::node& node) {
  SeamConfig seam;
  seam.line = LineOf(node);
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    return Error(ctx, seam.line, "", "each `seam` entry must be a table ([[seam]])");
  }

  // Name the seam in messages as soon as we can, even before the name itself is validated.
  std::string scope = "seam";
  if (const auto* name = table->get_as<std::string>("name");
      name != nullptr && IsValidName(name->get())) {
    scope = "seam `" + name->get() + "`";
  }
  for (const Entry& e : InSourceOrder(*table)) {
    if (std::find(kSeamKeys.begin(), kSeamKeys.end(), e.key) == kSeamKeys.end()) {
      return Error(ctx, e.line, scope, "unknown key `" + std::string(e.key) + "`");
    }
  }

  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> name,
                        GetString(ctx, *table, "name", true, seam.line, scope));
  if (!IsValidName(*name)) {
    return Error(ctx, LineOf(*table->get("name")), scope,
                 "invalid name `" + *name + "`: " + kNameRule);
  }
  seam.name = *name;

  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> kind,
                        GetString(ctx, *table, "kind", true, seam.line, scope));
  if (ctx.schema->FindKind(*kind) == nullptr) {
    std::vector<std::string> kinds;
    for (const KindFields& k : ctx.schema->kinds) kinds.push_back(k.kind);
    return Error(ctx, LineOf(*table->get("kind")), scope,
                 "unknown kind `" + *kind +
                     "`; known kinds: " + (kinds.empty() ? "(none)" : JoinNames(kinds)));
  }
  seam.kind = *kind;

  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> entity,
                        GetString(ctx, *table, "entity", true, seam.line, scope));
  if (!IsValidName(*entity)) {
    return Error(ctx, LineOf(*table->get("entity")), scope,
                 "invalid entity `" + *entity + "`: " + kNameRule);
  }
  seam.entity = *entity;

  if (const toml::node* repair = table->get("repair")) {
    SEAM_ASSIGN_OR_RETURN(seam.repair, ParseRepair(ctx, scope, *repair));
  }

  const toml::node* sides = table->get("sides");
  if (sides == nullptr) return Error(ctx, seam.line, scope, "missing required key `sides`");
  SEAM_ASSIGN_OR_RETURN(seam.sides, ParseSides(ctx, seam, scope, *sides));

  if (const toml::node* budget = table->get("repair_budget")) {
    SEAM_ASSIGN_OR_RETURN(seam.repair_budget, ParseRepairBudget(ctx, scope, *budget));
  }

  const bool expires = ctx.schema->FindKind(seam.kind)->expires;
  if (const toml::node* renew = table->get("renew_before")) {
    if (!expires) {
      std::vector<std::string> expiring;
      for (const KindFields& k : ctx.schema->kinds) {
        if (k.expires) expiring.push_back(k.kind);
      }
      return Error(ctx, LineOf(*renew), scope,
                   "key `renew_before` applies to " + JoinNames(expiring) + " seams only (this one is kind `" +
                       seam.kind + "`)");
    }
    SEAM_ASSIGN_OR_RETURN(seam.renew_before_us,
                          ParseDurationKey(ctx, scope, *renew, "renew_before",
                                           "\"30d\", \"12h\", \"90m\" or \"45s\""));
  } else if (expires) {
    seam.renew_before_us = kDefaultRenewBeforeUs;
  }

  if (const toml::node* interval = table->get("interval")) {
    SEAM_ASSIGN_OR_RETURN(seam.interval_us, ParseDurationKey(ctx, scope, *interval, "interval",
                                                             "\"15s\", \"5m\" or \"1h\""));
  }

  if (const toml::node* secret = table->get("secret")) {
    if (!ctx.schema->FindKind(seam.kind)->may_be_plain) {
      return Error(ctx, LineOf(*secret), scope,
                   "key `secret` applies to value seams only (a " + seam.kind + " is always secret)");
    }
    SEAM_ASSIGN_OR_RETURN(seam.secret, ParseSecret(ctx, scope, *secret));
  }
  if (const toml::node* format = table->get("format")) {
    if (!ctx.schema->FindKind(seam.kind)->generates) {
      return Error(ctx, LineOf(*format), scope,
                   "`[seam.format]` applies to seams whose values seam draws (token, value), not " + seam.kind);
    }
    SEAM_ASSIGN_OR_RETURN(seam.format, ParseFormat(ctx, scope, *format));
  }

  if (const toml::node* authority = table->get("authority")) {
    SEAM_RETURN_IF_ERROR(ApplyAuthority(ctx, scope, *authority, seam));
  }
  if (const toml::node* order = table->get("order")) {
    SEAM_RETURN_IF_ERROR(ApplyOrder(ctx, scope, *order, seam.sides));
  }
  return seam;
}

// Shared helpers (declared in config_parse.h).

int LineOf(const toml::node& node) { return static_cast<int>(node.source().begin.line); }

std::vector<Entry> InSourceOrder(const toml::table& table) {
  std::vector<Entry> entries;
  for (const auto& [key, node] : table) {
    const toml::source_position at = node.source().begin;
    entries.push_back({key.str(), &node, static_cast<int>(at.line), static_cast<int>(at.column)});
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return entries;
}

Status Error(const ParseContext& ctx, int line, const std::string& scope,
             const std::string& message) {
  std::string out = ctx.file;
  if (line > 0) out += ":" + std::to_string(line);
  if (!scope.empty()) out += ": " + scope;
  return Status::InvalidArgument(out + ": " + message);
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

Result<std::optional<std::string>> GetString(const ParseContext& ctx, const toml::table& table,
                                             std::string_view key, bool required, int table_line,
                                             const std::string& scope) {
  const toml::node* node = table.get(key);
  if (node == nullptr) {
    if (required) {
      return Error(ctx, table_line, scope, "missing required key `" + std::string(key) + "`");
    }
    return std::optional<std::string>();
  }
  const auto* s = node->as_string();
  if (s == nullptr) {
    return Error(ctx, LineOf(*node), scope, "key `" + std::string(key) + "` must be a string");
  }
  return std::optional<std::string>(s->get());
}

// "30d", "12h", "90m", "45s": a positive whole number and a unit, at most 10 years. nullopt
// for anything else.
std::optional<std::int64_t> ParseDurationUs(const std::string& text) {
  if (text.size() < 2 || text.size() > 12) return std::nullopt;
  std::int64_t n = 0;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    n = n * 10 + (text[i] - '0');
  }
  std::int64_t unit = 0;
  switch (text.back()) {
    case 'd': unit = 86'400; break;
    case 'h': unit = 3'600; break;
    case 'm': unit = 60; break;
    case 's': unit = 1; break;
    default: return std::nullopt;
  }
  if (n <= 0 || n * unit > 3650LL * 86'400) return std::nullopt;
  return n * unit * 1'000'000;
}

}  // namespace seam::config_internal
