#include "tests/e2e/e2e_fixture.h"

#include "tests/support/vault_scripts.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <sstream>

#ifndef SEAMCTL_PATH
#error "SEAMCTL_PATH must name the built seamctl binary"
#endif

namespace seam::e2e {

using seam::testing::ReadFile;
using seam::testing::WriteFile;

std::string StandardConfig(const ConfigOptions& options) {
  return R"([store]
path = ".seam/events.db"

[[seam]]
name = "device-token"
kind = "token"
entity = "device-42"
repair = ")" + options.repair + R"("
authority = ")" + options.authority + R"("
order = ["gateway", "cli"]
)" + (options.repair_budget.empty() ? std::string() : "repair_budget = \"" + options.repair_budget + "\"\n") + R"(
[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
pointer = "/token"

[seam.sides.gateway]
plugin = "json-file"
path = "gateway/state.json"
pointer = "/devices/device-42/token"
transform = ")" + options.gateway_transform + R"("
)";
}

Snapshot TakeSnapshot(const fs::path& root) {
  Snapshot snap;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    const std::string rel = fs::relative(p, root).string();
    // Not state: SQLite's shared-memory index, an empty WAL (SQLite creates the -wal/-shm pair
    // even for a read-only open of a WAL database; empty, it holds no data), and the seam
    // writer locks (bookkeeping of who holds them).
    if (rel.size() >= 4 && rel.compare(rel.size() - 4, 4, "-shm") == 0) continue;
    if (rel.size() >= 4 && rel.compare(rel.size() - 4, 4, "-wal") == 0 && st.st_size == 0) continue;
    if (rel.rfind(".seam/locks/", 0) == 0) continue;
    FileState f;
    f.bytes = ReadFile(p);
    f.mtime_ns = std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
    snap[rel] = std::move(f);
  }
  return snap;
}

std::string SnapshotDiff(const Snapshot& before, const Snapshot& after) {
  std::ostringstream out;
  for (const auto& [path, f] : before) {
    auto it = after.find(path);
    if (it == after.end()) {
      out << path << ": removed\n";
    } else if (it->second.bytes != f.bytes) {
      out << path << ": bytes changed (" << f.bytes.size() << " -> " << it->second.bytes.size() << " bytes)\n";
    } else if (it->second.mtime_ns != f.mtime_ns) {
      out << path << ": mtime changed\n";
    }
  }
  for (const auto& [path, f] : after) {
    if (before.count(path) == 0) out << path << ": created (" << f.bytes.size() << " bytes)\n";
  }
  return out.str();
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return !needle.empty() && haystack.find(needle) != std::string::npos;
}

void SeamctlTest::WriteConfig(const std::string& toml) const { WriteFile(ConfigPath(), toml); }

void SeamctlTest::WriteFreshSides() const {
  WriteFile(CliFile(), "{ \"device_id\": \"device-42\", \"gateway_url\": \"http://127.0.0.1:8080\" }\n");
  WriteFile(GatewayFile(), "{ \"listen\": \"127.0.0.1:8080\", \"devices\": {} }\n");
}

void SeamctlTest::InitStandard(const ConfigOptions& options) {
  WriteConfig(StandardConfig(options));
  WriteFreshSides();
  ProcessResult init = Seamctl({"init"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  ASSERT_TRUE(fs::exists(DbFile()));
  ASSERT_TRUE(fs::exists(KeyFile()));
}

void SeamctlTest::InitAndIssue(const ConfigOptions& options) {
  ASSERT_NO_FATAL_FAILURE(InitStandard(options));
  ProcessResult issue = Seamctl({"token", "issue", kSeam});
  ASSERT_EQ(issue.exit_code, 0) << issue.out << issue.err;
  ASSERT_TRUE(CliToken().has_value());
}

ProcessResult SeamctlTest::SeamctlRaw(const std::vector<std::string>& args,
                                      const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv{SEAMCTL_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.cwd = Root();
  options.env = env;
  options.env.emplace("SEAM_ACTOR", "e2e");
  for (const char* name : {"SEAM_CONFIG", "SEAM_LOG_LEVEL", "SEAM_STORE_URL"}) {
    if (env.count(name) == 0) options.unset_env.emplace_back(name);
  }
  ProcessResult r = RunProcess(argv, options);
  EXPECT_FALSE(r.timed_out) << "seamctl timed out: " << ::testing::PrintToString(args);
  transcript_.push_back(r);
  return r;
}

ProcessResult SeamctlTest::Seamctl(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env) {
  std::vector<std::string> full{"-c", ConfigPath().string()};
  full.insert(full.end(), args.begin(), args.end());
  return SeamctlRaw(full, env);
}

namespace {

std::optional<std::string> StringAt(const fs::path& file, const std::string& pointer) {
  nlohmann::json doc = nlohmann::json::parse(ReadFile(file), nullptr, false);
  if (doc.is_discarded()) return std::nullopt;
  const nlohmann::json::json_pointer ptr(pointer);
  if (!doc.contains(ptr) || !doc.at(ptr).is_string()) return std::nullopt;
  return doc.at(ptr).get<std::string>();
}

void SetStringAt(const fs::path& file, const std::string& pointer, const std::string& value) {
  nlohmann::json doc = nlohmann::json::parse(ReadFile(file), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) doc = nlohmann::json::object();
  doc[nlohmann::json::json_pointer(pointer)] = value;
  WriteFile(file, doc.dump(2) + "\n");
}

}  // namespace

std::optional<std::string> SeamctlTest::CliToken() const { return StringAt(CliFile(), "/token"); }
std::optional<std::string> SeamctlTest::GatewayToken() const {
  return StringAt(GatewayFile(), "/devices/device-42/token");
}
void SeamctlTest::SetCliToken(const std::string& value) const { SetStringAt(CliFile(), "/token", value); }
void SeamctlTest::SetGatewayToken(const std::string& value) const {
  SetStringAt(GatewayFile(), "/devices/device-42/token", value);
}

void SeamctlTest::ExpectOnlyAnUnreadableSpell(const Snapshot& before, std::size_t events_before, const std::string& side) {
  Snapshot after = TakeSnapshot(Root());
  Snapshot unlogged = before;
  for (Snapshot* s : {&after, &unlogged}) {
    for (const char* log : {".seam/events.db", ".seam/events.db-wal", ".seam/events.db-journal"}) s->erase(log);
  }
  EXPECT_EQ(SnapshotDiff(unlogged, after), "");
  const std::vector<nlohmann::json> events = LogEvents();
  ASSERT_EQ(events.size(), events_before + 1) << ::testing::PrintToString(EventTypes(events));
  EXPECT_EQ(events.back()["type"], "SideUnreadable");
  EXPECT_EQ(events.back()["details"]["side"], side);
}

std::vector<nlohmann::json> SeamctlTest::LogEvents() {
  ProcessResult r = Seamctl({"log", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<nlohmann::json> events;
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "log --json line is not JSON: " << line;
    if (!j.is_discarded()) events.push_back(std::move(j));
  }
  return events;
}

nlohmann::json SeamctlTest::CheckJson(int* exit_code) {
  ProcessResult r = Seamctl({"check", "--json"});
  if (exit_code != nullptr) *exit_code = r.exit_code;
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "check --json printed no JSON:\n" << r.out << r.err;
  return j;
}

::testing::AssertionResult IsCleanError(const ProcessResult& r, const std::string& needle) {
  auto fail = [&](const std::string& why) {
    return ::testing::AssertionFailure() << why << "\n  exit: " << r.exit_code << "\n  stdout: " << r.out
                                         << "\n  stderr: " << r.err;
  };
  if (r.exit_code != 2) return fail("expected exit 2");
  if (r.err.rfind("seamctl: error: ", 0) != 0) return fail("stderr does not start with `seamctl: error: `");
  if (r.err.back() != '\n' || r.err.find('\n') != r.err.size() - 1) return fail("stderr is not exactly one line");
  if (!needle.empty() && r.err.find(needle) == std::string::npos) return fail("stderr does not mention `" + needle + "`");
  return ::testing::AssertionSuccess();
}

nlohmann::json SideOf(const nlohmann::json& report, const std::string& side) {
  for (const nlohmann::json& s : report.at("seams").at(0).at("sides")) {
    if (s.at("name") == side) return s;
  }
  ADD_FAILURE() << "no side " << side << " in " << report.dump(2);
  return nlohmann::json::object();
}

std::vector<std::string> EventTypes(const std::vector<nlohmann::json>& events) {
  std::vector<std::string> out;
  for (const nlohmann::json& e : events) out.push_back(e.at("type"));
  return out;
}

void SeamctlTest::InitWithBlockingExecSeam(const std::string& extra) {
  seam::testing::WriteVaultScripts(Root(), "if [ -e block ]; then touch reading-fifo; cat fifo >/dev/null; rm -f reading-fifo; fi\n");
  ASSERT_EQ(::mkfifo((Root() / "fifo").c_str(), 0600), 0);
  WriteFreshSides();
  WriteFile(Root() / "vault-cli.json", "{}\n");
  WriteConfig(StandardConfig() + R"(
[[seam]]
name = "slow-vault"
kind = "token"
entity = "vault-7"
interval = "1s"
[seam.sides.vault]
plugin = "exec"
read = ["./vault-read.sh"]
write = ["./vault-write.sh"]
timeout_ms = "60000"
[seam.sides.mirror]
plugin = "json-file"
path = "vault-cli.json"
pointer = "/token"
)" + extra);
  ASSERT_EQ(Seamctl({"init"}).exit_code, 0);
  ASSERT_EQ(Seamctl({"token", "issue", kSeam}).exit_code, 0);
  ASSERT_EQ(Seamctl({"token", "issue", kBlockingSeam}).exit_code, 0);
}

void SeamctlTest::WriteExecVaultSeam(const std::string& interval) const {
  seam::testing::WriteVaultScripts(Root());
  WriteFreshSides();
  WriteConfig(std::string(R"([[seam]]
name = "device-token"
kind = "token"
entity = "device-42"
interval = ")") + interval + R"("
[seam.sides.vault]
plugin = "exec"
read = ["./vault-read.sh"]
write = ["./vault-write.sh"]
[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
pointer = "/token"
)");
}

bool IsBase64Url43(const std::string& s) {
  if (s.size() != 43) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string Sha256HexOf(const std::string& s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xf]);
  }
  return out;
}

}  // namespace seam::e2e
