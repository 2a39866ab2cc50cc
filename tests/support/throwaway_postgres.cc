#include "tests/support/throwaway_postgres.h"

#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace seam::testing {
namespace {

namespace fs = std::filesystem;

struct Ran {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs argv (no shell), as `as_user` through runuser when that is not empty; collects output.
Ran Run(std::vector<std::string> argv, const std::string& as_user = "") {
  if (!as_user.empty()) argv.insert(argv.begin(), {"runuser", "-u", as_user, "--"});
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return Ran{-1, "pipe failed"};
  const pid_t pid = fork();
  if (pid < 0) return Ran{-1, "fork failed"};
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    // A directory the server's user can enter: runuser keeps the working directory.
    if (chdir("/") != 0) _exit(126);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  Ran ran;
  std::array<char, 4096> buf;
  ssize_t n;
  while ((n = read(pipe_fds[0], buf.data(), buf.size())) > 0) ran.output.append(buf.data(), static_cast<std::size_t>(n));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return ran;
}

fs::path FindBindir() {
  Ran config = Run({"pg_config", "--bindir"});
  if (config.exit_code == 0) {
    std::string dir = config.output.substr(0, config.output.find('\n'));
    if (fs::exists(fs::path(dir) / "initdb")) return dir;
  }
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (fs::exists(e.path() / "bin/initdb")) found.push_back(e.path() / "bin");
  }
  if (found.empty()) return {};
  // Newest major version: compare numerically ("15" after "9.6").
  std::sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
    return std::atof(a.parent_path().filename().c_str()) < std::atof(b.parent_path().filename().c_str());
  });
  return found.back();
}

std::string Tail(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

// The user the server runs as: initdb refuses root.
std::string ServerUser() { return geteuid() == 0 ? "postgres" : ""; }

}  // namespace

ThrowawayPostgres::~ThrowawayPostgres() {
  if (!owned_) return;
  Stop();
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

std::string ThrowawayPostgres::Start() {
  bindir_ = FindBindir();
  if (bindir_.empty()) {
    return "no PostgreSQL server binaries (pg_config --bindir, /usr/lib/postgresql/*/bin): install Debian's "
           "`postgresql` (tools/dev does)";
  }
  const std::string user = ServerUser();
  if (!user.empty() && getpwnam(user.c_str()) == nullptr) {
    return "running as root, and there is no `" + user + "` user to run the server as (Debian's postgresql creates it)";
  }
  std::string tmpl = (fs::temp_directory_path() / "seam-pg.XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return "mkdtemp failed";
  dir_ = tmpl;
  if (!user.empty()) {
    const passwd* pw = getpwnam(user.c_str());
    if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) return "cannot chown " + dir_.string() + " to " + user;
  }
  const fs::path data = dir_ / "data";
  Ran init = Run({(bindir_ / "initdb").string(), "-D", data.string(), "-U", kSuperuser, "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--no-instructions"},
                 user);
  if (init.exit_code != 0) return "initdb failed (exit " + std::to_string(init.exit_code) + "): " + init.output;
  if (!tcp_clients_.empty()) {
    // initdb's pg_hba.conf trusts loopback only; the namespaces' addresses are added here.
    std::ofstream hba(data / "pg_hba.conf", std::ios::app);
    hba << "host all all " << tcp_clients_ << " trust\n";
    if (!hba) return "cannot add to " + (data / "pg_hba.conf").string();
  }
  if (!password_roles_.empty()) {
    // pg_hba.conf takes the first line that matches: these go before initdb's trust lines.
    const fs::path hba_path = data / "pg_hba.conf";
    std::ifstream in(hba_path);
    std::stringstream rest;
    rest << in.rdbuf();
    std::string lines;
    for (const std::string& role : password_roles_) {
      lines += "local all " + role + " scram-sha-256\nhost all " + role + " 127.0.0.1/32 scram-sha-256\n";
    }
    std::ofstream hba(hba_path, std::ios::trunc);
    hba << lines << rest.str();
    if (!in || !hba) return "cannot write " + hba_path.string();
  }
  return StartAgain();
}

std::string ThrowawayPostgres::StartAgain() {
  Ran started = Run({(bindir_ / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-l", (dir_ / "server.log").string(),
                     "-w", "-t", "60", "-o",
                     "-k " + dir_.string() + " -c listen_addresses='" + (tcp_port_ > 0 ? tcp_address_ : "") +
                         "' -c max_connections=300 -p " + std::to_string(port()),
                     "start"},
                    ServerUser());
  if (started.exit_code != 0) {
    return "pg_ctl start failed (exit " + std::to_string(started.exit_code) + "): " + started.output + "\n" +
           Tail(dir_ / "server.log");
  }
  running_ = true;
  return "";
}

void ThrowawayPostgres::Stop() {
  if (!running_) return;
  Run({(bindir_ / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-m", "immediate", "-w", "stop"}, ServerUser());
  running_ = false;
}

std::string ThrowawayPostgres::Attach(const fs::path& dir) {
  bindir_ = FindBindir();
  if (bindir_.empty()) return "no PostgreSQL server binaries (pg_config --bindir, /usr/lib/postgresql/*/bin)";
  dir_ = dir;
  owned_ = false;
  std::error_code ec;
  const fs::path socket = dir / (".s.PGSQL." + std::to_string(kPort));
  if (!fs::exists(socket, ec)) return "no PostgreSQL server is listening on " + socket.string();
  return "";
}

std::string ThrowawayPostgres::CopyIn(const fs::path& source, const std::string& name) const {
  const fs::path target = dir_ / name;
  std::error_code ec;
  fs::copy_file(source, target, fs::copy_options::overwrite_existing, ec);
  if (ec) return "";
  fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write, ec);
  const std::string user = ServerUser();
  if (!user.empty()) {
    const passwd* pw = getpwnam(user.c_str());
    if (pw == nullptr || chown(target.c_str(), pw->pw_uid, pw->pw_gid) != 0) return "";
  }
  return ec ? "" : target.string();
}

void ThrowawayPostgres::StopAttached() {
  Run({(bindir_ / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-m", "immediate", "-w", "stop"}, ServerUser());
}

ThrowawayPostgres* ThrowawayPostgres::ForTests(std::string* error) {
  static ThrowawayPostgres server;
  static const std::string started = [] {
    const char* pointer = std::getenv("SEAM_TEST_PG_POINTER");
    if (pointer == nullptr || *pointer == '\0') return server.Start();
    std::ifstream in(pointer);
    std::string dir;
    if (!std::getline(in, dir) || dir.empty()) {
      return std::string("$SEAM_TEST_PG_POINTER names ") + pointer +
             ", which does not name a server directory (did the ctest fixture `postgres` run?)";
    }
    return server.Attach(dir);
  }();
  if (!started.empty()) {
    *error = "PostgreSQL for the tests: " + started;
    return nullptr;
  }
  return &server;
}

std::string ThrowawayPostgres::Url(const std::string& db) const {
  return "postgresql:///" + db + "?host=" + dir_.string() + "&port=" + std::to_string(port()) + "&user=" + kSuperuser;
}

std::string ThrowawayPostgres::Psql(const std::string& sql, const std::string& db, std::string* out,
                                    const std::string& role) const {
  std::string url = Url(db);
  if (!role.empty()) url.replace(url.rfind(kSuperuser), std::string(kSuperuser).size(), role);
  Ran ran = Run({(bindir_ / "psql").string(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql});
  if (out != nullptr) *out = ran.output;
  return ran.exit_code == 0 ? "" : "psql exit " + std::to_string(ran.exit_code) + ": " + ran.output;
}

std::string ThrowawayPostgres::NewDatabase(const std::string& prefix) {
  const std::string name = prefix + "_" + std::to_string(getpid()) + "_" + std::to_string(++databases_);
  const std::string error = Psql("CREATE DATABASE " + name);
  return error.empty() ? name : "";
}

}  // namespace seam::testing
