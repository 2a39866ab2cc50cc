#include "tests/e2e/tls_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/e2e/process.h"

namespace seam::e2e {
namespace {

namespace fs = std::filesystem;

bool Accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// Polls `done` every 50 ms for at most 10 s.
template <class F>
bool WaitUntil(F done) {
  for (int i = 0; i < 200; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::string HexOfFingerprintLine(const std::string& line) {
  const std::size_t eq = line.find('=');
  if (eq == std::string::npos) return "";
  std::string hex;
  for (char c : line.substr(eq + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return hex;
}

std::string CertificateFileSha256(const fs::path& pem_file) {
  ProcessResult r = RunProcess({"openssl", "x509", "-in", pem_file.string(), "-noout", "-fingerprint", "-sha256"});
  return r.exit_code == 0 ? HexOfFingerprintLine(r.out) : "";
}

std::string ServedSha256(int port, const std::string& server_name) {
  ProcessOptions options;
  options.timeout = std::chrono::seconds(10);
  ProcessResult r = RunProcess({"/bin/sh", "-c",
                                "openssl s_client -connect 127.0.0.1:" + std::to_string(port) + " -servername " +
                                    server_name + " </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256"},
                               options);
  return r.exit_code == 0 ? HexOfFingerprintLine(r.out) : "";
}

NginxServer::NginxServer(fs::path prefix, fs::path cert, fs::path key)
    : prefix_(std::move(prefix)), cert_(std::move(cert)), key_(std::move(key)) {}

NginxServer::~NginxServer() { Stop(); }

void NginxServer::WriteConf() const {
  const std::string p = prefix_.string();
  // error_log at `notice`: each reload logs "signal 1 (SIGHUP) received …, reconfiguring",
  // which Reloads() counts.
  std::ofstream(conf()) << "daemon on;\npid " << p << "/nginx.pid;\nerror_log " << p
                        << "/error.log notice;\nworker_processes 1;\n"
                        << "events { worker_connections 64; }\n"
                        << "http {\n  access_log off;\n"
                        << "  client_body_temp_path " << p << "/tmp; proxy_temp_path " << p << "/tmp;\n"
                        << "  fastcgi_temp_path " << p << "/tmp; uwsgi_temp_path " << p << "/tmp; scgi_temp_path "
                        << p << "/tmp;\n"
                        << "  server {\n    listen 127.0.0.1:" << port_ << " ssl;\n    server_name web.test;\n"
                        << "    ssl_certificate " << cert_.string() << ";\n    ssl_certificate_key " << key_.string()
                        << ";\n    location / { return 200 \"ok\\n\"; }\n  }\n}\n";
}

std::string NginxServer::Start() {
  if (!fs::exists(kBinary)) {
    return std::string(kBinary) + " is missing: install the Debian package nginx (tools/dev installs it)";
  }
  fs::create_directories(prefix_ / "tmp");
  if (port_ < 0) port_ = FreeLoopbackPort();
  WriteConf();
  ProcessResult r = RunProcess({kBinary, "-p", prefix_.string(), "-c", conf().string()});
  if (r.exit_code != 0) return "nginx did not start (exit " + std::to_string(r.exit_code) + "): " + r.err + ErrorLogTail();
  running_ = true;
  if (!WaitUntil([&] { return !ServedSha256(port_).empty(); })) {
    return "nginx does not answer TLS on 127.0.0.1:" + std::to_string(port_) + " after 10 s: " + ErrorLogTail();
  }
  return "";
}

void NginxServer::Stop() {
  if (!running_) return;
  running_ = false;
  ProcessResult r = RunProcess({kBinary, "-p", prefix_.string(), "-c", conf().string(), "-s", "stop"});
  if (r.exit_code == 0 && WaitUntil([&] { return !Accepts(port_); })) return;
  // The master is a session leader: its workers are in its process group.
  std::istringstream pid_text(ReadText(prefix_ / "nginx.pid"));
  long pid = 0;
  if (pid_text >> pid && pid > 1) ::kill(-static_cast<pid_t>(pid), SIGKILL);
}

void NginxServer::Repoint(const fs::path& cert, const fs::path& key) {
  cert_ = cert;
  key_ = key;
  WriteConf();
}

std::string NginxServer::ReloadArgvToml(const std::string& program) const {
  return "[\"" + program + "\", \"-p\", \"" + prefix_.string() + "\", \"-c\", \"" + conf().string() +
         "\", \"-s\", \"reload\"]";
}

int NginxServer::Reloads() const {
  const std::string log = ReadText(prefix_ / "error.log");
  int n = 0;
  const std::string mark = "(SIGHUP) received";
  for (std::size_t at = log.find(mark); at != std::string::npos; at = log.find(mark, at + 1)) ++n;
  return n;
}

std::string NginxServer::ErrorLogTail() const {
  const std::string log = ReadText(prefix_ / "error.log");
  return log.size() > 2000 ? log.substr(log.size() - 2000) : log;
}

std::string CertbotSeamToml(const NginxServer& nginx, const std::string& authority, const std::string& extra) {
  return R"([[seam]]
name = "web-tls"
kind = "certificate"
entity = "web"
authority = ")" + authority + R"("
order = ["disk", "served"]
)" + extra + R"([seam.sides.disk]
plugin = "pem-file"
cert_path = "live/web/fullchain.pem"
key_path = "live/web/privkey.pem"
[seam.sides.served]
plugin = "tls-endpoint"
host = "127.0.0.1"
port = ")" + std::to_string(nginx.port()) +
         R"("
server_name = "web.test"
on_repair = )" + nginx.ReloadArgvToml() + "\n";
}

ProcessResult RunCertbotRenew(const fs::path& dir, const std::string& how) {
  ProcessOptions options;
  options.cwd = dir;
  std::vector<std::string> argv{"/bin/sh", "renew.sh"};
  if (!how.empty()) argv.push_back(how);
  return RunProcess(argv, options);
}

std::map<std::string, std::string> CertbotLayout(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir / "archive")) {
    if (e.is_regular_file()) out[e.path().string()] = ReadText(e.path());
  }
  for (const auto& e : fs::directory_iterator(dir / "live/web")) {
    out[e.path().string()] = e.is_symlink() ? "-> " + fs::read_symlink(e.path()).string() : "NOT A LINK";
  }
  return out;
}

}  // namespace seam::e2e
