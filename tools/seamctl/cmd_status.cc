// seamctl status: asks a running seamd for GET /status (its status listener) and prints it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <thread>

#include <signal.h>
#include <unistd.h>

#include "core/clock.h"
#include "tools/common/state_context.h"
#include "tools/seamctl/commands.h"

namespace seam::seamctl {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr std::chrono::seconds kTimeout{10};

struct Address {
  std::string host;  // without brackets
  std::string port;
  std::string shown;  // http://HOST:PORT, for messages
};

// "http://HOST:PORT[/]" or "HOST:PORT" ("[V6]:PORT" too).
Result<Address> ParseDaemonUrl(const std::string& url, const std::string& what) {
  std::string rest = url;
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  if (rest.rfind("https://", 0) == 0) {
    return Status::InvalidArgument(what + " `" + url + "`: seamd's listener speaks plain HTTP (use http://)");
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  const std::size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size() || rest.find('/') != std::string::npos) {
    return Status::InvalidArgument(what + " must be http://HOST:PORT or HOST:PORT, got `" + url + "`");
  }
  Address a;
  a.host = rest.substr(0, colon);
  a.port = rest.substr(colon + 1);
  if (!std::all_of(a.port.begin(), a.port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::InvalidArgument(what + ": bad port `" + a.port + "` in `" + url + "`");
  }
  a.shown = "http://" + a.host + ":" + a.port;
  if (a.host.size() > 2 && a.host.front() == '[' && a.host.back() == ']') a.host = a.host.substr(1, a.host.size() - 2);
  return a;
}

// `what` names where the file was given ("--token-file F", "seam.toml:3: [daemon] token_file F").
Result<Secret> ReadToken(const std::string& file, const std::string& what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::InvalidArgument(what + ": cannot read it");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  if (text.empty()) return Status::InvalidArgument(what + " is empty");
  return Secret(std::move(text));
}

// GET `target` from the daemon, within kTimeout: the response, or an error naming the URL.
Result<http::response<http::string_body>> Get(const Address& address, const std::string& target,
                                              const std::optional<Secret>& token) {
  asio::io_context io;
  tcp::resolver resolver(io);
  beast::error_code ec;
  const tcp::resolver::results_type endpoints = resolver.resolve(address.host, address.port, ec);
  if (ec) return Status::Unavailable("seamd at " + address.shown + ": cannot resolve " + address.host + ": " + ec.message());
  beast::tcp_stream stream(io);
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, address.host + ":" + address.port);
  request.set(http::field::user_agent, "seamctl");
  if (token) request.set(http::field::authorization, "Bearer " + std::string(token->Reveal()));
  request.keep_alive(false);
  http::response<http::string_body> response;
  beast::flat_buffer buffer;
  beast::error_code result;
  std::string step = "connect";
  stream.expires_after(kTimeout);
  stream.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
    if (e) {
      result = e;
      return;
    }
    step = "send the request";
    http::async_write(stream, request, [&](beast::error_code e2, std::size_t) {
      if (e2) {
        result = e2;
        return;
      }
      step = "read the response";
      http::async_read(stream, buffer, response, [&](beast::error_code e3, std::size_t) { result = e3; });
    });
  });
  io.run();
  if (result) {
    return Status::Unavailable("seamd at " + address.shown + " is not reachable: cannot " + step + ": " +
                               result.message());
  }
  return response;
}

const char* Text(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get_ref<const std::string&>().c_str() : "";
}

// The exit code `check` would give for one seam of the report.
int SeamExitCode(const nlohmann::json& seam) {
  int code = 0;
  if (seam.contains("sides") && seam["sides"].is_array()) {
    for (const nlohmann::json& side : seam["sides"]) {
      const std::string verdict = Text(side, "verdict");
      if (verdict == "unreadable") return 2;
      if (verdict != "in_sync") code = 1;
    }
  }
  if (seam.value("flapping", nlohmann::json()).is_object() || seam.value("pending", nlohmann::json()).is_object()) {
    code = std::max(code, 1);
  }
  if (seam.contains("errors") && seam["errors"].is_array() && !seam["errors"].empty()) return 2;
  if (std::string(Text(seam, "status")) == "unknown") return 2;
  // Another agent's seamd owns it and this one has no side of it: that one answers for it.
  if (std::string(Text(seam, "status")) == "elsewhere") return 0;
  return code;
}

// "gw2, 1.2 s ago" for a side another agent observed (many hosts); "" for this seamd's own.
std::string ObservedBy(const nlohmann::json& side, const std::string& self) {
  const std::string agent = Text(side, "agent");
  if (agent.empty() || agent == self) return "";
  // "agent gw2 silent since …" names it already.
  if (std::string(Text(side, "detail")).rfind("agent " + agent + " ", 0) == 0) return "";
  const nlohmann::json age = side.value("age_s", nlohmann::json());
  std::ostringstream out;
  out << "agent " << agent;
  if (age.is_number()) out << ", " << std::fixed << std::setprecision(1) << age.get<double>() << " s ago";
  return out.str();
}

void PrintSeam(std::ostream& out, const nlohmann::json& seam, const std::string& self) {
  out << Text(seam, "name") << " (" << Text(seam, "kind") << "/" << Text(seam, "entity")
            << "): " << Text(seam, "status");
  const char* at = Text(seam, "last_pass_at");
  out << (*at ? std::string(", last pass ") + at : std::string(", no pass yet"));
  // Many hosts: who owns the sides no agent is named for (README "Many hosts").
  const nlohmann::json owner = seam.value("owner", nlohmann::json());
  if (owner.is_object() && owner.value("epoch", 0) > 0) {
    out << ", owner " << Text(owner, "agent") << " epoch " << owner.value("epoch", 0)
              << (owner.value("held", false) ? "" : " (lease expired)");
  }
  out << "\n";
  std::size_t width = 4;
  const nlohmann::json sides = seam.value("sides", nlohmann::json::array());
  for (const nlohmann::json& side : sides) width = std::max(width, std::string(Text(side, "name")).size());
  for (const nlohmann::json& side : sides) {
    out << "  " << std::left << std::setw(static_cast<int>(width)) << Text(side, "name") << "  "
              << std::setw(10) << Text(side, "verdict") << "  " << Text(side, "detail");
    if (*Text(side, "fingerprint")) out << " " << Text(side, "fingerprint");
    if (const std::string by = ObservedBy(side, self); !by.empty()) out << " (" << by << ")";
    out << "\n";
  }
  const nlohmann::json pending = seam.value("pending", nlohmann::json());
  if (pending.is_object()) out << "  pending: " << Text(pending, "operation") << "\n";
  const nlohmann::json flapping = seam.value("flapping", nlohmann::json());
  if (flapping.is_object()) out << "  flapping since " << Text(flapping, "since") << " (side " << Text(flapping, "side") << ")\n";
  for (const nlohmann::json& e : seam.value("errors", nlohmann::json::array())) {
    if (e.is_string()) out << "  error: " << e.get<std::string>() << "\n";
  }
}

// Many hosts: "agents: gw1 (this seamd), gw2 seen 2026-12-05T06:01:02.5Z, gw3 silent since …".
void PrintAgents(std::ostream& out, const nlohmann::json& agents) {
  if (!agents.is_array() || agents.empty()) return;
  out << "agents:";
  const char* comma = " ";
  for (const nlohmann::json& a : agents) {
    out << comma << Text(a, "agent");
    if (a.value("this_process", false)) {
      out << " (this seamd)";
    } else {
      out << (a.value("silent", false) ? " silent since " : " seen ") << Text(a, "seen_at");
    }
    if (!a.value("same_config", true)) out << " (another configuration)";
    comma = ", ";
  }
  out << "\n";
}


// The status JSON from the daemon, checked: an error names the daemon and what went wrong.
Result<nlohmann::json> FetchStatus(const Address& address, const std::optional<Secret>& token, std::string* body) {
  Result<http::response<http::string_body>> response = Get(address, "/status", token);
  if (!response.ok()) return response.status();
  if (response->result() != http::status::ok) {
    return Status::Unavailable("seamd at " + address.shown + ": GET /status answered " +
                               std::to_string(response->result_int()) +
                               (response->result() == http::status::unauthorized
                                    ? " (a bearer token is required: --token-file)"
                                    : ""));
  }
  nlohmann::json report = nlohmann::json::parse(response->body(), nullptr, false);
  if (report.is_discarded() || !report.is_object() || !report.contains("seams") || !report["seams"].is_array()) {
    return Status::Unavailable("seamd at " + address.shown + ": GET /status did not return the status JSON");
  }
  if (body != nullptr) *body = std::move(response->body());
  return report;
}

int ExitCodeOf(const nlohmann::json& report) {
  int code = 0;
  for (const nlohmann::json& seam : report["seams"]) code = std::max(code, SeamExitCode(seam));
  return code;
}

std::string Table(const nlohmann::json& report) {
  std::ostringstream out;
  for (const nlohmann::json& seam : report["seams"]) PrintSeam(out, seam, Text(report, "agent"));
  PrintAgents(out, report.value("agents", nlohmann::json::array()));
  return out.str();
}

// The table as it changes, for a person watching (a rotation, a repair). Only what changes is
// meant to draw the eye, so times that move on every pass (last_pass_at, ages) are left out of
// the comparison; the table shown still has them.
std::string Stable(nlohmann::json report) {
  for (nlohmann::json& seam : report["seams"]) {
    seam.erase("last_pass_at");
    if (seam.contains("sides") && seam["sides"].is_array()) {
      for (nlohmann::json& side : seam["sides"]) {
        side.erase("observed_at");
        side.erase("age_s");
      }
    }
  }
  if (report.contains("agents") && report["agents"].is_array()) {
    for (nlohmann::json& a : report["agents"]) a.erase("seen_at");
  }
  return report.dump();
}

volatile sig_atomic_t g_stop = 0;
extern "C" void StopWatching(int) { g_stop = 1; }

// --watch: GET /status every second until SIGINT or SIGTERM. On a terminal the screen is
// redrawn each time (a header with the time, then the table); otherwise, for a pipe or a log,
// the table is printed as plain lines, under a time line, only when it changed. A daemon that
// cannot be reached is said once per outage, and asked again the next second.
int Watch(const Address& address, const std::optional<Secret>& token) {
  struct sigaction stop {}, old_int {}, old_term {};
  stop.sa_handler = StopWatching;
  sigemptyset(&stop.sa_mask);
  sigaction(SIGINT, &stop, &old_int);
  sigaction(SIGTERM, &stop, &old_term);
  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  std::string last_shown;
  std::string last_error;
  while (g_stop == 0) {
    const std::string now = FormatTimeMicros(SystemClock().NowMicros()).substr(0, 19) + "Z";
    Result<nlohmann::json> report = FetchStatus(address, token, nullptr);
    if (tty) {
      std::cout << "\x1b[H\x1b[2J" << "seamd at " << address.shown << ", " << now << " (every 1 s; Ctrl-C stops)\n\n";
      std::cout << (report.ok() ? Table(*report) : "seamctl: " + report.status().message() + "\n");
    } else if (!report.ok()) {
      if (report.status().message() != last_error) std::cout << now << " " << report.status().message() << "\n";
      last_error = report.status().message();
      last_shown.clear();
    } else {
      last_error.clear();
      const std::string stable = Stable(*report);
      if (stable != last_shown) std::cout << "--- " << now << "\n" << Table(*report);
      last_shown = stable;
    }
    std::cout.flush();
    if (!std::cout) break;  // the reader went away
    // Sleep a second in small steps, so a signal ends the watch at once.
    for (int i = 0; i < 20 && g_stop == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  return 0;
}

}  // namespace

int RunStatus(const GlobalOptions& g, const std::string& daemon_url, const std::string& token_file, bool json,
              bool watch) {
  if (watch && json) return Fail(Status::InvalidArgument("--watch is for people: it cannot be combined with --json"));
  std::string url = daemon_url;
  std::string what = "--daemon";
  std::string token_path = token_file;
  std::string token_what = "--token-file " + token_file;
  if (url.empty()) {
    Result<std::unique_ptr<StateContext>> loaded = LoadConfigOnly(g.config);
    if (!loaded.ok()) return Fail(loaded.status());
    const Config& config = (*loaded)->config;
    // The daemon of this config: its token too, unless --token-file names another.
    if (token_path.empty() && !config.daemon.token_file.empty()) {
      token_path = config.daemon.token_file.string();
      token_what = config.file.string() + ":" + std::to_string(config.daemon.token_file_line) + ": [daemon] token_file " +
                   token_path;
    }
    if (config.daemon.listen.empty()) {
      return Fail(Status::InvalidArgument("no daemon address: pass --daemon http://HOST:PORT or set listen in the [daemon] table of " +
                                          config.file.string()));
    }
    url = config.daemon.listen;
    what = config.file.string() + ":" + std::to_string(config.daemon.line) + ": [daemon] listen";
  }
  Result<Address> address = ParseDaemonUrl(url, what);
  if (!address.ok()) return Fail(address.status());
  std::optional<Secret> token;
  if (!token_path.empty()) {
    Result<Secret> read = ReadToken(token_path, token_what);
    if (!read.ok()) return Fail(read.status());
    token = std::move(*read);
  }
  if (watch) return Watch(*address, token);
  std::string body;
  Result<nlohmann::json> report = FetchStatus(*address, token, &body);
  if (!report.ok()) {
    std::cerr << "seamctl: error: " << report.status().message() << "\n";
    return 2;
  }
  if (json) {
    std::cout << body;
    if (!body.empty() && body.back() != '\n') std::cout << "\n";
  } else {
    std::cout << Table(*report);
  }
  return ExitCodeOf(*report);
}

}  // namespace seam::seamctl
