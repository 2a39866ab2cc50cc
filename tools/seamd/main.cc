// seamd: the always-on reconciler. Runs in the foreground (systemd style), logs to stderr.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "tools/common/logging.h"
#include "tools/seamd/daemon.h"
#include "tools/seamd/status_server.h"

namespace {

namespace fs = std::filesystem;

struct ListenFlags {
  std::string listen;      // --listen; empty: the config's [daemon] listen, else none
  bool allow_remote = false;
  std::string token_file;
  std::string port_file;
};

// The listener's options from `text` (named by `what` in errors): a loopback address, or any
// address with --allow-remote and --token-file.
seam::Result<seam::seamd::ListenOptions> ResolveListen(const std::string& text, const std::string& what,
                                                       const ListenFlags& flags) {
  seam::seamd::ListenOptions options;
  SEAM_ASSIGN_OR_RETURN(options.endpoint, seam::seamd::ParseListenAddress(text, what));
  if (!options.endpoint.address().is_loopback() && !flags.allow_remote) {
    return seam::Status::InvalidArgument(
        what + ": `" + text + "` is not a loopback address; the status listener is for this host only "
        "(127.0.0.1 or ::1) unless --allow-remote and --token-file are given");
  }
  if (!flags.token_file.empty()) {
    SEAM_ASSIGN_OR_RETURN(seam::Secret token, seam::seamd::ReadTokenFile(flags.token_file));
    options.token = std::move(token);
  }
  return options;
}

seam::Status WritePortFile(const fs::path& path, unsigned short port) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << '\n';
    out.flush();
    if (!out) return seam::Status::IoError("--port-file: cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return seam::Status::IoError("--port-file: cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message());
  return seam::Status::Ok();
}

int Fail(const std::string& message) {
  std::cerr << "seamd: error: " << message << "\n";
  return 2;
}

int Main(int argc, char** argv) {
  CLI::App app{"seamd: watches every side of every seam and repairs drift as it happens"};
  std::string config;
  std::string log_level;
  std::string agent;
  ListenFlags flags;
  app.add_option("-c,--config", config, "config file (default: $SEAM_CONFIG, else ./seam.toml)");
  app.add_option("--agent", agent,
                 "the agent this seamd acts as among several sharing one store (default: $SEAM_AGENT, else "
                 "[agent] name, else the host name)");
  app.add_option("--log-level", log_level,
                 "trace|debug|info|warn|error|off (default: $SEAM_LOG_LEVEL, else info)");
  app.add_option("--listen", flags.listen,
                 "HOST:PORT of the status listener (/healthz, /status, /metrics, POST /reconcile); "
                 "default: the config's [daemon] listen, else none. Loopback only unless --allow-remote");
  app.add_flag("--allow-remote", flags.allow_remote, "allow a non-loopback --listen address (needs --token-file)");
  app.add_option("--token-file", flags.token_file, "file holding the bearer token every request must carry");
  app.add_option("--port-file", flags.port_file, "write the listener's bound port here (useful with port 0)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  // A daemon's log is its only output: info unless asked otherwise.
  if (const char* env = std::getenv("SEAM_LOG_LEVEL"); log_level.empty() && (env == nullptr || *env == '\0')) {
    log_level = "info";
  }
  if (seam::Status s = seam::SetUpLogging("seamd", log_level); !s.ok()) return Fail(s.message());
  if (flags.allow_remote && flags.token_file.empty()) {
    return Fail("--allow-remote needs --token-file FILE: a listener reachable from other hosts must require a bearer token");
  }
  // A bad --listen is refused before anything is opened.
  std::optional<seam::seamd::ListenOptions> listen;
  if (!flags.listen.empty()) {
    seam::Result<seam::seamd::ListenOptions> resolved = ResolveListen(flags.listen, "--listen", flags);
    if (!resolved.ok()) return Fail(resolved.status().message());
    listen = std::move(*resolved);
  }

  // One thread: passes run one at a time, which is what keeps two repairs of a seam apart. The
  // status listener shares it, so what it reports is never half-way through a pass.
  boost::asio::io_context io(1);
  seam::seamd::Daemon daemon(io, config, agent);
  if (seam::Status s = daemon.Start(); !s.ok()) return Fail(s.message());

  const seam::DaemonConfig& from_config = daemon.config().daemon;
  if (!listen && !from_config.listen.empty()) {
    const std::string what = daemon.config().file.string() + ":" + std::to_string(from_config.line) + ": [daemon] listen";
    seam::Result<seam::seamd::ListenOptions> resolved = ResolveListen(from_config.listen, what, flags);
    if (!resolved.ok()) return Fail(resolved.status().message());
    listen = std::move(*resolved);
  }
  if (listen && !listen->token && !from_config.token_file.empty()) {
    // [daemon] token_file: the same as --token-file, which wins when both are given.
    const std::string file = from_config.token_file.string();
    seam::Result<seam::Secret> token = seam::seamd::ReadTokenFile(
        file, daemon.config().file.string() + ":" + std::to_string(from_config.token_file_line) + ": [daemon] token_file " + file);
    if (!token.ok()) return Fail(token.status().message());
    listen->token = std::move(*token);
  }
  std::unique_ptr<seam::seamd::StatusServer> server;
  if (listen) {
    const bool with_token = listen->token.has_value();
    seam::seamd::StatusHandlers handlers{[&daemon] { return daemon.StatusJson(); },
                                         [&daemon] { return daemon.MetricsText(); },
                                         [&daemon](const std::string& status, std::function<void(std::string)> reply) {
                                           daemon.TimelineHtml(status, std::move(reply));
                                         },
                                         [&daemon](const std::string& seam) { return daemon.RequestReconcile(seam); }};
    server = std::make_unique<seam::seamd::StatusServer>(io, std::move(handlers), std::move(*listen));
    if (seam::Status s = server->Start(); !s.ok()) return Fail(s.message());
    if (!flags.port_file.empty()) {
      if (seam::Status s = WritePortFile(flags.port_file, server->Port()); !s.ok()) return Fail(s.message());
    }
    spdlog::info("status listener on port {}{}", server->Port(), with_token ? " (bearer token required)" : "");
  }
  io.run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "seamd: error: " << e.what() << "\n";
    return 2;
  }
}
