#include "core/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <system_error>

#include "core/agent.h"
#include "core/config_parse.h"

namespace seam {
namespace {

using config_internal::Entry;
using config_internal::Error;
using config_internal::ParseContext;

// A config is a few dozen lines; anything this large is a mistake (or not a config at all), and
// refusing it bounds what the TOML parser is asked to chew on.
// 10,000 seams of two sides take about 2.5 MB of TOML; the limit leaves room for that many times
// six while still refusing a runaway file before parsing it.
constexpr std::size_t kMaxConfigBytes = std::size_t{16} << 20;

std::string ErrnoMessage(int err) { return std::generic_category().message(err); }

Result<std::string> ReadConfigFile(const std::filesystem::path& file) {
  const std::string shown = file.string();
  // O_NONBLOCK so that a FIFO given by mistake is refused below instead of hanging the open.
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int err = errno;
    std::string msg = "cannot read config " + shown + ": " + ErrnoMessage(err);
    if (err == ENOENT) msg += " (pass -c FILE, or set SEAM_CONFIG)";
    return Status::InvalidArgument(msg);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::InvalidArgument("cannot read config " + shown + ": " + ErrnoMessage(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(
        "cannot read config " + shown + ": " +
        (S_ISDIR(st.st_mode) ? ErrnoMessage(EISDIR) : std::string("not a regular file")));
  }
  if (static_cast<std::uint64_t>(st.st_size) > kMaxConfigBytes) {
    ::close(fd);
    return Status::InvalidArgument("config " + shown + " is " + std::to_string(st.st_size) +
                                   " bytes; the limit is 16 MiB");
  }
  // Read up to one byte past the limit so a file that grew after fstat is still refused by
  // ParseConfig; the buffer starts at the file's size and grows only if the file did.
  std::string text(std::min(static_cast<std::size_t>(st.st_size) + 4096, kMaxConfigBytes + 1), '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Status::InvalidArgument("cannot read config " + shown + ": " + ErrnoMessage(err));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
    if (got == text.size() && text.size() <= kMaxConfigBytes) {
      text.resize(std::min(text.size() * 2, kMaxConfigBytes + 1));
    }
  }
  ::close(fd);
  text.resize(got);
  return text;
}

}  // namespace

Result<toml::table> config_internal::ParseToml(const ParseContext& ctx, std::string_view text) {
  // toml++ reports syntax errors by exception or by parse_result depending on how it was built;
  // either way the error stops here and becomes a Status.
#if TOML_EXCEPTIONS
  try {
    return toml::parse(text, std::string_view(ctx.file));
  } catch (const toml::parse_error& e) {
    const toml::source_position at = e.source().begin;
    return Status::InvalidArgument(ctx.file + ":" + std::to_string(at.line) + ":" +
                                   std::to_string(at.column) +
                                   ": invalid TOML: " + std::string(e.description()));
  }
#else
  toml::parse_result parsed = toml::parse(text, std::string_view(ctx.file));
  if (!parsed) {
    const toml::source_position at = parsed.error().source().begin;
    return Status::InvalidArgument(ctx.file + ":" + std::to_string(at.line) + ":" +
                                   std::to_string(at.column) +
                                   ": invalid TOML: " + std::string(parsed.error().description()));
  }
  return std::move(parsed).table();
#endif
}

namespace {

// "HOST:PORT" or "[V6]:PORT" with a port of 1-65535; the host is resolved by whoever connects.
bool IsHostPort(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  const std::string host = text.substr(0, colon);
  const std::string port = text.substr(colon + 1);
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  const int number = std::stoi(port);
  if (number < 1 || number > 65535) return false;
  const bool bracketed = host.front() == '[' && host.back() == ']' && host.size() > 2;
  if (!bracketed && host.find(':') != std::string::npos) return false;
  return std::none_of(host.begin(), host.end(),
                      [](char c) { return c == '/' || c == '@' || c == ' ' || c < 0x21 || c > 0x7e; });
}

Result<DaemonConfig> ParseDaemon(const ParseContext& ctx, const toml::table& root) {
  DaemonConfig daemon;
  const toml::node* node = root.get("daemon");
  if (node == nullptr) return daemon;
  const int line = config_internal::LineOf(*node);
  const toml::table* table = node->as_table();
  if (table == nullptr) return Error(ctx, line, "", "key `daemon` must be a table ([daemon])");
  for (const Entry& e : config_internal::InSourceOrder(*table)) {
    if (e.key != "listen" && e.key != "workers" && e.key != "token_file") {
      return Error(ctx, e.line, "daemon", "unknown key `" + std::string(e.key) + "`");
    }
  }
  if (const toml::node* workers = table->get("workers")) {
    const std::optional<std::int64_t> n = workers->value_exact<std::int64_t>();
    if (!n || *n < 1 || *n > kMaxDaemonWorkers) {
      return Error(ctx, config_internal::LineOf(*workers), "daemon",
                   "key `workers` must be a whole number from 1 to " + std::to_string(kMaxDaemonWorkers));
    }
    daemon.workers = static_cast<int>(*n);
  }
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> listen,
                        config_internal::GetString(ctx, *table, "listen", false, line, "daemon"));
  if (listen) {
    daemon.line = config_internal::LineOf(*table->get("listen"));
    if (!IsHostPort(*listen)) {
      return Error(ctx, daemon.line, "daemon",
                   "key `listen` must be HOST:PORT (e.g. \"127.0.0.1:9477\"), got `" + *listen + "`");
    }
    daemon.listen = *listen;
  }
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> token_file,
                        config_internal::GetString(ctx, *table, "token_file", false, line, "daemon"));
  if (token_file) {
    daemon.token_file_line = config_internal::LineOf(*table->get("token_file"));
    if (token_file->empty()) return Error(ctx, daemon.token_file_line, "daemon", "key `token_file` must not be empty");
    const std::filesystem::path p(*token_file);
    daemon.token_file = p.is_absolute() ? p : ctx.base_dir / p;
  }
  return daemon;
}

Result<AgentConfig> ParseAgent(const ParseContext& ctx, const toml::table& root) {
  AgentConfig agent;
  const toml::node* node = root.get("agent");
  if (node == nullptr) return agent;
  const int line = config_internal::LineOf(*node);
  const toml::table* table = node->as_table();
  if (table == nullptr) return Error(ctx, line, "", "key `agent` must be a table ([agent])");
  for (const Entry& e : config_internal::InSourceOrder(*table)) {
    if (e.key != "name") return Error(ctx, e.line, "agent", "unknown key `" + std::string(e.key) + "`");
  }
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> name,
                        config_internal::GetString(ctx, *table, "name", false, line, "agent"));
  if (name) {
    agent.line = config_internal::LineOf(*table->get("name"));
    if (!IsAgentName(*name)) {
      return Error(ctx, agent.line, "agent", "key `name` " + std::string(kAgentNameRule) + ", got `" + *name + "`");
    }
    agent.name = *name;
  }
  return agent;
}

// `hook_path = "/usr/local/sbin:…"`: colon-separated absolute directories. A relative one would
// depend on the directory each program runs in; an empty one means the current directory to
// some shells. Both are refused.
Result<std::string> ParseHookPath(const ParseContext& ctx, const toml::table& root) {
  const toml::node* node = root.get("hook_path");
  if (node == nullptr) return std::string(kDefaultHookPath);
  const int line = config_internal::LineOf(*node);
  const auto* text = node->as_string();
  if (text == nullptr) return Error(ctx, line, "", "key `hook_path` must be a string of directories separated by `:`");
  const std::string& path = text->get();
  if (path.empty()) return Error(ctx, line, "", "key `hook_path` is empty; name at least one directory");
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    const std::string dir = path.substr(start, end - start);
    if (dir.empty() || dir.front() != '/') {
      return Error(ctx, line, "",
                   "key `hook_path`: " + (dir.empty() ? std::string("an empty entry") : "`" + dir + "`") +
                       " is not an absolute directory (write e.g. \"/usr/local/sbin:/usr/sbin:/usr/bin\")");
    }
    if (std::any_of(dir.begin(), dir.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
      return Error(ctx, line, "", "key `hook_path` holds a control character");
    }
    start = end + 1;
  }
  return path;
}

// Two seams with one name could not be told apart on the command line; two seams on one stream
// would repair each other's sides back and forth.
Status CheckUnique(const ParseContext& ctx, const std::vector<SeamConfig>& seams) {
  std::map<std::string, const SeamConfig*> by_name;
  std::map<std::string, const SeamConfig*> by_stream;
  for (const SeamConfig& seam : seams) {
    const std::string scope = "seam `" + seam.name + "`";
    auto [named, fresh_name] = by_name.emplace(seam.name, &seam);
    if (!fresh_name) {
      return Error(
          ctx, seam.line, scope,
          "duplicate seam name; also declared at line " + std::to_string(named->second->line));
    }
    auto [owned, fresh_stream] = by_stream.emplace(seam.stream(), &seam);
    if (!fresh_stream) {
      return Error(ctx, seam.line, scope,
                   "stream `" + seam.stream() + "` is already owned by seam `" +
                       owned->second->name + "` (line " + std::to_string(owned->second->line) +
                       "); two seams on one stream would fight");
    }
  }
  return Status::Ok();
}

}  // namespace

const char* RepairPolicyName(RepairPolicy p) {
  switch (p) {
    case RepairPolicy::kAuto: return "auto";
    case RepairPolicy::kManual: return "manual";
    case RepairPolicy::kNotify: return "notify";
    case RepairPolicy::kOff: return "off";
  }
  return "auto";
}

const SideConfig* SeamConfig::FindSide(const std::string& side_name) const {
  for (const SideConfig& side : sides) {
    if (side.name == side_name) return &side;
  }
  return nullptr;
}

const SeamConfig* Config::FindSeam(const std::string& name) const {
  for (const SeamConfig& seam : seams) {
    if (seam.name == name) return &seam;
  }
  return nullptr;
}

bool IsValidName(const std::string& name) {
  constexpr std::size_t kMaxNameLength = 128;
  if (name.empty() || name.size() > kMaxNameLength) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [&](char c) { return lower_or_digit(c) || c == '.' || c == '_' || c == '-'; });
}

std::filesystem::path ResolveConfigPath(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* env = std::getenv("SEAM_CONFIG");
  if (env != nullptr && *env != '\0') return env;
  return "seam.toml";
}

Result<std::string> ReadConfigText(const std::filesystem::path& file) { return ReadConfigFile(file); }

Result<Config> LoadConfig(const std::filesystem::path& file, const ConfigSchema& schema) {
  SEAM_ASSIGN_OR_RETURN(std::string text, ReadConfigFile(file));
  return ParseConfig(text, file, schema);
}

Status config_internal::CheckSize(const ParseContext& ctx, std::size_t bytes) {
  if (bytes > kMaxConfigBytes) {
    return Status::InvalidArgument("config " + ctx.file + " is " + std::to_string(bytes) +
                                   " bytes; the limit is 16 MiB");
  }
  return Status::Ok();
}

Result<Config> config_internal::BuildConfig(const ParseContext& ctx, const toml::table& root,
                                            const std::filesystem::path& file) {
  for (const Entry& e : config_internal::InSourceOrder(root)) {
    if (e.key != "store" && e.key != "seam" && e.key != "daemon" && e.key != "agent" && e.key != "hook_path" &&
        e.key != "notify") {
      return Error(ctx, e.line, "",
                   "unknown key `" + std::string(e.key) +
                       "`; the top level holds only `hook_path`, [store], [daemon], [agent], [[notify]] and [[seam]] tables");
    }
  }

  Config config;
  config.file = file;
  SEAM_ASSIGN_OR_RETURN(config.store, config_internal::ParseStore(ctx, root));
  SEAM_ASSIGN_OR_RETURN(config.daemon, ParseDaemon(ctx, root));
  SEAM_ASSIGN_OR_RETURN(config.agent, ParseAgent(ctx, root));
  SEAM_ASSIGN_OR_RETURN(config.hook_path, ParseHookPath(ctx, root));
  // Side factories (exec) need it: seams are parsed with it in their context.
  ParseContext seam_ctx = ctx;
  seam_ctx.hook_path = config.hook_path;

  if (const toml::node* node = root.get("seam")) {
    const toml::array* seams = node->as_array();
    if (seams == nullptr) {
      return Error(ctx, config_internal::LineOf(*node), "",
                   "key `seam` must be an array of tables ([[seam]])");
    }
    for (const toml::node& entry : *seams) {
      SEAM_ASSIGN_OR_RETURN(SeamConfig seam, config_internal::ParseSeam(seam_ctx, entry));
      config.seams.push_back(std::move(seam));
    }
  }
  SEAM_RETURN_IF_ERROR(CheckUnique(ctx, config.seams));
  SEAM_ASSIGN_OR_RETURN(config.notify, config_internal::ParseNotify(ctx, root, config.seams));
  return config;
}

Result<Config> ParseConfig(const std::string& text, const std::filesystem::path& file,
                           const ConfigSchema& schema) {
  const ParseContext ctx{file.string(), file.parent_path(), &schema};
  SEAM_RETURN_IF_ERROR(config_internal::CheckSize(ctx, text.size()));
  SEAM_ASSIGN_OR_RETURN(toml::table root, config_internal::ParseToml(ctx, text));
  return config_internal::BuildConfig(ctx, root, file);
}

}  // namespace seam
