#pragma once
// Config: seam.toml, parsed with toml++. Found via -c/--config, else $SEAM_CONFIG, else
// ./seam.toml. Relative paths in it are relative to the directory of the file.
//
// Every problem is an InvalidArgument naming file, line and key:
//   "seam.toml:7: seam `device-token`: unknown key `repiar`".
// Loading builds each side through the SideRegistry (which validates the plugin's own keys) but
// does no I/O besides reading the config file itself.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/hook_path.h"
#include "core/side.h"
#include "core/side_registry.h"
#include "core/status.h"
#include "core/transform.h"

namespace seam {

// auto: seamd and `seamctl repair` repair; manual: only `seamctl repair`; notify: a person
// decides (drifts recorded and notified; only `repair --force` or an operation writes); off:
// report only.
enum class RepairPolicy { kAuto, kManual, kNotify, kOff };

inline constexpr std::chrono::milliseconds kDefaultSettle{5000};
inline constexpr std::chrono::milliseconds kMaxSettle{600000};
const char* RepairPolicyName(RepairPolicy p);

struct SideConfig {
  std::string name;    // the table name in [seam.sides.NAME]
  std::string plugin;  // "json-file"
  Transform transform = Transform::kPlain;
  int line = 0;        // line of the [seam.sides.NAME] header
  std::shared_ptr<Side> side;
  // Side::Fields() of `side`, kept here so reconcilers need not ask again.
  std::vector<std::string> fields;
  // `on_repair = ["cmd", "arg"]`: run after seam writes this side, before reading it back.
  // Taken by the config loader for every plugin; empty when not set.
  std::vector<std::string> on_repair;
  // `settle_ms` (with on_repair only): how long the side is read back after its hook ran until
  // it holds what was written. Servers load new files asynchronously (nginx starts new workers
  // and lets the old ones drain), so one read at once would often see the old value.
  std::chrono::milliseconds settle{kDefaultSettle};
  // `may_revoke = "true"`: a removal made on purpose at this side sticks. When the side answers
  // that the value is gone (Observation::answered_absent) after confirming the current version,
  // with nothing pending and the same restart marker, a repair records the kind's revocation
  // (reason "removed on side NAME") and removes the value from the other sides, instead of
  // writing it back. Beside `authority`, which adopts new values.
  bool may_revoke = false;
  // `agent = "gw1"`: only the agent of that name (README "Many hosts") observes and writes this
  // side: a file, a local database, a program on that host. "" (not set): whichever agent owns
  // the seam (core/agent.h), as every side is on one host.
  std::string agent;
};

struct SeamConfig {
  std::string name;    // [a-z0-9][a-z0-9._-]*, unique in the file
  std::string kind;    // "token" | "pairing" | "certificate"
  std::string entity;  // same character set as name
  RepairPolicy repair = RepairPolicy::kAuto;
  std::optional<std::string> authority_side;  // nullopt: the log is the authority
  std::vector<SideConfig> sides;              // in the order operations write them (`order`)
  // repair_budget = "5/10m" (default): at most `count` repairs of one side within `window_us`;
  // past it the seam is flapping and repairs stop until `seamctl repair --force`. "off": none.
  struct RepairBudget {
    bool off = false;
    int count = 5;
    std::int64_t window_us = 600LL * 1'000'000;
  } repair_budget;
  // Certificates: `expiring` when not-after is this close (renew_before, default 30 days).
  std::int64_t renew_before_us = 0;
  // interval = "15s" (default): how often seamd polls the sides it cannot watch (not files).
  std::int64_t interval_us = 15LL * 1'000'000;
  // secret = "true" (default) | "false", for kinds whose values may be plain config (value): a
  // plain value is kept in the log as it is and shown as it is.
  bool secret = true;
  // [seam.format]: what seam draws for a new value (token rotations, `value set --generate`):
  // `length` characters (8-4096) of `alphabet`: "base64url" (default), "hex", "alnum" or
  // "ascii-printable" (0x21-0x7E). Not given: 32 random bytes as base64url (43 characters).
  struct Format {
    bool given = false;
    int length = 43;
    std::string alphabet = "base64url";
  } format;
  int line = 0;

  std::string stream() const { return kind + "/" + entity; }
  const SideConfig* FindSide(const std::string& side_name) const;
};

// [store]: which event log, and where what stays on this host is kept.
//   url = "sqlite:PATH"   the log; PATH is resolved like `path`. $SEAM_STORE_URL overrides
//                         both `url` and `path`; giving both in the file is an error.
//   path = "PATH"         the short form of url = "sqlite:PATH" (default ".seam/events.db")
//   key_file = "PATH"     the sealing key (default: "key" beside a file store's log)
//   state_dir = "PATH"    what stays on this host: stream locks, the confirmation book, the
//                         config index (default: the directory of a file store's log)
// Relative paths are relative to the config file's directory.
struct StoreConfig {
  std::string scheme = "sqlite";        // "sqlite" or "postgresql"
  std::string url;                      // sqlite: "sqlite:" + db_path; postgresql: the libpq URI as given
  std::filesystem::path db_path;        // sqlite: the log's file; empty for postgresql
  std::filesystem::path key_path;       // `key_file`
  std::filesystem::path state_dir;      // `state_dir`
  std::filesystem::path password_file;  // postgresql: `password_file` (else libpq's ~/.pgpass)
};

// The StoreConfig `url` describes, relative paths resolved against `base_dir`, with the default
// key file and state directory of that store:
//   sqlite:PATH                  the log in PATH; state directory and key file beside it
//   postgresql://… postgres://…  a libpq URI (never echoed: it may carry a password); state
//                                directory `.seam` beside the config, key file in it
// InvalidArgument (without a place: the caller adds the file and line, or names
// $SEAM_STORE_URL) for another scheme or an empty path.
Result<StoreConfig> StoreFromUrl(const std::string& url, const std::filesystem::path& base_dir);

// [daemon] (optional): where seamd's status listener is, for `seamctl status` (and seamd when
// started without --listen). `listen` is "HOST:PORT" (port 1-65535); empty when not set.
// `workers` (1-64, default 4): threads for passes of seams with a side that may block (http-json,
// tls-endpoint, exec, sqlite-row) or an on_repair hook; seams of watched files only have a lane
// of their own (tools/seamd/pass_lanes.h).
inline constexpr int kMaxDaemonWorkers = 64;
struct DaemonConfig {
  std::string listen;
  int line = 0;  // line of the `listen` key
  int workers = 4;
  // `token_file`: the status listener's bearer token (as seamd --token-file; `seamctl status`
  // sends it too); relative to the config's directory. Empty: none.
  std::filesystem::path token_file;
  int token_file_line = 0;
};

// [agent]: which agent this host is among several sharing one store (core/agent.h).
struct AgentConfig {
  std::string name;  // `name`; "" when not set (the host name is used)
  int line = 0;      // line of the `name` key
};

// [[notify]]: whom seamd tells of what the log records (tools/seamd/notifier.h). One target
// each: a command (the notification as JSON on stdin), a webhook (POSTed JSON, signed), or an
// Alertmanager (one alert per open drift).
inline constexpr const char* kNotifyKinds[] = {"drift_opened", "drift_closed", "flapping", "unreadable", "expiring", "pending"};
struct NotifyConfig {
  std::string name;                  // `name`; default "notify-N" (1-based, file order)
  int line = 0;                      // line of the table
  std::vector<std::string> on;       // of kNotifyKinds; default every one
  std::vector<std::string> seams;    // seam names; empty: every seam
  std::vector<std::string> command;  // argv, run without a shell
  std::string webhook;               // http:// or https:// URL
  std::string alertmanager;          // Alertmanager's base URL (its v2 API): drift alerts
  std::filesystem::path ca_file;     // webhook/alertmanager over https: trusted besides the system's
  std::filesystem::path secret_file; // webhook: the HMAC-SHA256 key of the signature header
  // webhook/alertmanager: headers whose values never sit in seam.toml, as http-json sides have:
  // `header_from_env = ["Authorization: VAR"]`, `header_from_file = ["Authorization: FILE"]`
  // (the file's first line), read at each delivery. Pairs of (header, variable or file).
  std::vector<std::pair<std::string, std::string>> header_from_env;
  std::vector<std::pair<std::string, std::filesystem::path>> header_from_file;
  std::int64_t timeout_ms = 5000;    // one delivery attempt

  bool Wants(const std::string& kind, const std::string& seam) const;  // `on` and `seams`
  bool WantsSeam(const std::string& seam) const;                      // `seams` alone
};

struct Config {
  std::filesystem::path file;  // the config file as given
  StoreConfig store;
  DaemonConfig daemon;
  AgentConfig agent;
  // hook_path = "DIR:DIR:…" (top level): the PATH of on_repair hooks and exec sides' programs,
  // so `on_repair = ["nginx", "-s", "reload"]` finds /usr/sbin/nginx. Absolute directories only.
  std::string hook_path = kDefaultHookPath;
  std::vector<SeamConfig> seams;  // in file order
  std::vector<NotifyConfig> notify;  // in file order

  const SeamConfig* FindSeam(const std::string& name) const;
};

// What the loader accepts beyond the fixed shape: the kinds that have a reconciler and the
// side plugins that are registered.
struct ConfigSchema {
  std::vector<KindFields> kinds;
  const SideRegistry* sides = nullptr;

  const KindFields* FindKind(const std::string& name) const {
    for (const KindFields& k : kinds) {
      if (k.kind == name) return &k;
    }
    return nullptr;
  }
};

// Resolves which file to load: `flag` if non-empty, else $SEAM_CONFIG, else ./seam.toml.
std::filesystem::path ResolveConfigPath(const std::string& flag);

Result<Config> LoadConfig(const std::filesystem::path& file, const ConfigSchema& schema);

// The file's text, with LoadConfig's checks (a regular file, at most 16 MiB); what LoadConfig
// parses. For loaders that look at the text first (core/config_split.h).
Result<std::string> ReadConfigText(const std::filesystem::path& file);

// Same, from text already in memory; `file` is used for messages and relative paths.
Result<Config> ParseConfig(const std::string& text, const std::filesystem::path& file,
                           const ConfigSchema& schema);

// True for names matching [a-z0-9][a-z0-9._-]* (seam names, entities and side names).
bool IsValidName(const std::string& name);

}  // namespace seam
