// seamctl discover PATH...: the seams nobody declared (tools/discover). Reads, never writes.
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "core/crypto.h"
#include "tools/common/state_context.h"
#include "tools/discover/discover.h"
#include "tools/discover/grouping.h"
#include "tools/discover/report.h"
#include "tools/seamctl/commands.h"

namespace seam::seamctl {
namespace {

namespace fs = std::filesystem;

// The config when one was named (-c, $SEAM_CONFIG) or ./seam.toml exists; none otherwise.
Result<std::unique_ptr<StateContext>> MaybeConfig(const GlobalOptions& g) {
  const char* env = std::getenv("SEAM_CONFIG");
  const bool named = !g.config.empty() || (env && *env);
  if (!named && !fs::exists(ResolveConfigPath(g.config))) return std::unique_ptr<StateContext>();
  return LoadConfigOnly(g.config);
}

}  // namespace

int RunDiscover(const GlobalOptions& g, const DiscoverFlags& flags) {
  if (flags.json && flags.toml) return Fail(Status::InvalidArgument("discover: --json and --toml are exclusive"));
  Result<std::unique_ptr<StateContext>> ctx = MaybeConfig(g);
  if (!ctx.ok()) return Fail(ctx.status());
  const Config* config = *ctx ? &(*ctx)->config : nullptr;

  // The state's key when it can be read, so fingerprints match `seamctl check`'s; else a key of
  // this run alone.
  std::string key_note;
  Result<Secret> key = Status::NotFound("no config");
  if (config) {
    key = ReadKeyFile(config->store.key_path.string());
    if (key.ok()) key_note = "the state's key (" + config->store.key_path.string() + "): they match seamctl check's";
  }
  if (!key.ok()) {
    key = RandomBytes(kKeyFileBytes);
    if (!key.ok()) return Fail(key.status());
    key_note = "an ephemeral key: they match nothing outside this run";
  }
  const KeyRing keys(*key);

  discover::DiscoverOptions options;
  options.walk.roots = flags.paths;
  options.walk.excludes = flags.excludes;
  options.include_plain = flags.include_plain;
  options.probe_tls = flags.probe_tls;
  if (config) {
    // seam's own log and key hold nothing another component keeps.
    for (const fs::path& p : {config->store.db_path, config->store.key_path, config->store.state_dir})
      if (!p.empty()) options.walk.skip.push_back(p);
  }
  Result<discover::Findings> found = discover::Discover(options, keys);
  if (!found.ok()) return Fail(found.status());
  if (config) discover::MarkDeclared(found->places, *config);
  const discover::Grouping grouping = discover::GroupPlaces(found->places);

  for (const discover::WalkWarning& w : found->warnings)
    std::cerr << "seamctl: warning: " << discover::Printable(w.path) << ": " << discover::Printable(w.error) << "\n";
  discover::ReportContext report{*found, grouping, key_note, fs::current_path(), {}};
  if (config) {
    report.base_dir = config->file.parent_path().empty() ? fs::current_path() : config->file.parent_path();
    for (const SeamConfig& s : config->seams) report.taken_names.insert(s.name);
  }
  if (flags.json) {
    // Names are another program's bytes: what is not UTF-8 is replaced, never thrown on.
    std::cout << discover::ToJson(report).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  } else if (flags.toml) {
    discover::PrintToml(std::cout, report);
  } else {
    discover::PrintText(std::cout, report);
  }
  std::cout.flush();
  return discover::ExitCodeFor(report);
}

}  // namespace seam::seamctl
