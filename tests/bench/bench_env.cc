#include "tests/bench/bench_env.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

#include "core/secret.h"
#include "reconcilers/token/token_events.h"
#include "reconcilers/token/token_kind.h"

extern char** environ;

namespace seam::bench {
namespace {

std::string& ScratchPath() {
  static std::string path;
  return path;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "seam_bench: error: %s\n", what.c_str());
  std::exit(2);
}

}  // namespace

const std::string& ScratchDir() {
  std::string& path = ScratchPath();
  if (!path.empty()) return path;
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                        "/seam-bench-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) Die("cannot create a scratch directory like " + pattern);
  path = buf.data();
  return path;
}

void RemoveScratchDir() {
  std::string& path = ScratchPath();
  if (path.empty()) return;
  // SEAM_BENCH_KEEP_SCRATCH=1: leave the fleets behind, to profile a process against them.
  if (const char* keep = std::getenv("SEAM_BENCH_KEEP_SCRATCH"); keep != nullptr && std::string(keep) == "1") {
    std::fprintf(stderr, "seam_bench: kept %s\n", path.c_str());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) std::fprintf(stderr, "seam_bench: warning: could not remove %s: %s\n", path.c_str(),
                       ec.message().c_str());
  path.clear();
}

std::string NewDbPath(std::string_view tag) {
  static std::atomic<int> counter{0};
  return ScratchDir() + "/" + std::string(tag) + "-" + std::to_string(++counter) + ".db";
}

void RemoveDb(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(path + suffix, ec);
  }
}

std::int64_t ReplayEventCount() {
  static const std::int64_t n = [] {
    const char* env = std::getenv("SEAM_BENCH_EVENTS");
    if (env == nullptr || *env == '\0') return std::int64_t{1000000};
    char* end = nullptr;
    const long long v = std::strtoll(env, &end, 10);
    if (end == env || *end != '\0' || v < 1) Die("SEAM_BENCH_EVENTS must be a positive integer");
    return static_cast<std::int64_t>(v);
  }();
  return n;
}

const KeyRing& Keys() {
  static const KeyRing keys = [] {
    Result<Secret> master = RandomBytes(kKeyFileBytes);
    if (!master.ok()) Die("random key: " + master.status().ToString());
    return KeyRing(*master);
  }();
  return keys;
}

const std::string& SamplePayload() {
  static const std::string payload = [] {
    Result<Secret> raw = RandomBytes(32);
    if (!raw.ok()) Die("random token: " + raw.status().ToString());
    const Secret token(Base64UrlEncode(raw->Reveal()));
    Result<std::string> sealed = Keys().Seal(token, SealContext(kStream, 1));
    if (!sealed.ok()) Die("sealing: " + sealed.status().ToString());
    return token::Encode(token::TokenValueSet{*sealed});
  }();
  return payload;
}

bool RunToEnd(const std::vector<std::string>& argv, const std::string& cwd) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return false;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status GenerateTokenLog(EventStore& store, std::int64_t n) {
  constexpr std::int64_t kGenerateBatch = 10000;
  const std::string stream = kStream;
  std::vector<EventDraft> drafts;
  std::int64_t t = NowUs() - n;
  std::int64_t version = 0;
  while (version < n) {
    const std::int64_t count = std::min(kGenerateBatch, n - version);
    drafts.assign(static_cast<std::size_t>(count), EventDraft{});
    for (std::int64_t i = 0; i < count; ++i) {
      const std::int64_t v = version + i + 1;
      SEAM_ASSIGN_OR_RETURN(Secret value, token::NewTokenValue());
      SEAM_ASSIGN_OR_RETURN(std::string sealed, Keys().Seal(value, SealContext(stream, v)));
      EventDraft& d = drafts[static_cast<std::size_t>(i)];
      d.type = v == 1 ? token::kTokenIssued : token::kTokenRotated;
      d.actor = kActor;
      d.time_us = ++t;
      d.payload = token::Encode(token::TokenValueSet{std::move(sealed)});
    }
    SEAM_ASSIGN_OR_RETURN(AppendResult r, store.Append(stream, version, drafts));
    version = r.last_version;
  }
  return Status::Ok();
}

}  // namespace seam::bench
