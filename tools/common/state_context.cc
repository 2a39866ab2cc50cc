#include "tools/common/state_context.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "core/agent.h"
#include "store/open.h"
#include "tools/common/builtin_sides.h"
#include "tools/common/config_for_seam.h"
#include "tools/common/probe_sources.h"
#include "tools/common/process_hook_runner.h"

namespace seam {

Result<const SeamConfig*> StateContext::FindSeam(const std::string& name) const {
  if (const SeamConfig* seam = config.FindSeam(name)) return seam;
  std::string known;
  for (const SeamConfig& s : config.seams) known += (known.empty() ? "" : ", ") + s.name;
  return Status::InvalidArgument("no seam named `" + name + "` in " + config.file.string() +
                                 " (configured: " + (known.empty() ? "none" : known) + ")");
}

Result<std::unique_ptr<StateContext>> LoadConfigOnly(const std::string& config_flag, const std::string& only_seam) {
  auto ctx = std::make_unique<StateContext>();
  RegisterBuiltinSides(ctx->registry);
  ConfigSchema schema{BuiltinKinds(), &ctx->registry};
  if (only_seam.empty()) {
    SEAM_ASSIGN_OR_RETURN(ctx->config, LoadConfig(ResolveConfigPath(config_flag), schema));
  } else {
    SEAM_ASSIGN_OR_RETURN(SeamConfigLoad load, LoadConfigForSeam(ResolveConfigPath(config_flag), schema, only_seam));
    ctx->config = std::move(load.config);
  }
  ctx->actor = DefaultActor("seamctl");
  std::filesystem::path dir = ctx->config.file.parent_path();
  ctx->hooks = std::make_unique<ProcessHookRunner>(dir.empty() ? std::filesystem::path(".") : dir,
                                                   ctx->config.hook_path);
  return ctx;
}

void StateContext::UpdateConfigIndex() const {
  const ConfigSchema schema{BuiltinKinds(), &registry};
  const auto started = std::chrono::steady_clock::now();
  Result<IndexUpdateResult> update = seam::UpdateConfigIndex(config.file, schema);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  const std::string index = store::OpenConfigIndex(config.store)->Describe();
  if (!update.ok()) {
    // The message names the file (the index, or the config that did not load).
    spdlog::warn("config index not written: {}; commands about one seam will parse the whole config",
                 update.status().message());
    return;
  }
  switch (update->what) {
    case IndexUpdate::kWritten:
      spdlog::info("config index {} written for {} ({}, {} ms)", index, config.file.string(), update->detail,
                   took.count());
      break;
    case IndexUpdate::kNotSplittable:
      // Not a fault, but someone with a large config wants to know why one-seam commands are slow.
      spdlog::info("config index {} not written: in {}, {}; commands about one seam will parse the whole config",
                   index, config.file.string(), update->detail);
      break;
    case IndexUpdate::kUpToDate:
    case IndexUpdate::kNoStateDir:
      spdlog::debug("config index {}: {}", index, IndexUpdateName(update->what));
      break;
  }
}

Status StateContext::OpenConfirmations() {
  SEAM_ASSIGN_OR_RETURN(confirmations, store->OpenConfirmationBook());
  return Status::Ok();
}

Result<std::unique_ptr<WriterLock>> StateContext::LockSeam(const SeamConfig& seam) const {
  return store->LockStream(seam.stream(), actor, DefaultLockWait());
}

Result<std::unique_ptr<StateContext>> OpenState(const std::string& config_flag, OpenMode mode) {
  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<StateContext> ctx, LoadConfigOnly(config_flag, mode.only_seam));
  SEAM_ASSIGN_OR_RETURN(ctx->agent, ResolveAgentName(mode.agent, ctx->config.agent));
  if (!mode.all_sides) {
    for (SeamConfig& seam : ctx->config.seams) {
      for (const SideConfig& side : seam.sides) {
        if (!side.agent.empty() && side.agent != ctx->agent) ctx->sides_elsewhere[seam.name].emplace_back(side.name, side.agent);
      }
      seam = SidesForAgent(seam, ctx->agent, /*owner=*/true);
    }
  }
  if (mode.key) {
    SEAM_ASSIGN_OR_RETURN(Secret master, ReadKeyFile(ctx->config.store.key_path.string()));
    ctx->keys = std::make_unique<KeyRing>(master);
  }
  store::OpenOptions options;
  options.read_only = mode.read_only;
  SEAM_ASSIGN_OR_RETURN(ctx->store, store::Open(ctx->config.store, options));
  if (const std::string notice = ctx->store->Notice(); !notice.empty()) spdlog::warn("{}", notice);
  // A store shared by hosts refuses a key file that is not the one its secrets are sealed with.
  if (ctx->keys) SEAM_RETURN_IF_ERROR(ctx->store->CheckKey(KeyFingerprint(*ctx->keys)));
  // Probing sides ask the log what to try; they need the key to open those values.
  if (ctx->keys) InstallProbeSources(ctx->config, std::make_shared<ProbeLog>(ctx->config.store, ctx->keys));
  return ctx;
}

std::chrono::milliseconds DefaultLockWait() {
  if (const char* env = std::getenv("SEAM_LOCK_WAIT_MS"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    const long long ms = std::strtoll(env, &end, 10);
    if (end != nullptr && *end == '\0' && ms >= 0) return std::chrono::milliseconds(ms);
  }
  return std::chrono::milliseconds(10'000);
}

std::string DefaultActor(const std::string& program) {
  if (const char* env = std::getenv("SEAM_ACTOR"); env != nullptr && *env != '\0') return env;
  std::string user = "unknown";
  if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr && pw->pw_name != nullptr) {
    user = pw->pw_name;
  }
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return program + ":" + user + "@" + (host[0] != '\0' ? host : "localhost");
}

}  // namespace seam
