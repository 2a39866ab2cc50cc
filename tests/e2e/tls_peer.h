#pragma once
// Real TLS peers for the e2e suites: a free loopback port, what a server presents (through the
// `openssl` program, as an operator would look), and NginxServer, a real nginx (Debian package
// `nginx`) in a private prefix serving one certificate on 127.0.0.1 (../shared/REAL-PEERS.md).

#include <filesystem>
#include <map>
#include <string>

#include "tests/e2e/process.h"

namespace seam::e2e {

// A loopback port nobody listens on right now: bind to port 0, read it, close. -1 on failure.
int FreeLoopbackPort();

// "sha256 Fingerprint=B5:EF:..." (openssl x509 -fingerprint) as lower-case hex without colons;
// "" when the line has none.
std::string HexOfFingerprintLine(const std::string& line);

// The SHA-256 (lower-case hex) of the leaf certificate in `pem_file`; "" when openssl fails.
std::string CertificateFileSha256(const std::filesystem::path& pem_file);

// The SHA-256 of the certificate 127.0.0.1:`port` presents now (openssl s_client with SNI
// `server_name`); "" when nothing answers TLS there.
std::string ServedSha256(int port, const std::string& server_name = "web.test");

// nginx in `prefix` (its nginx.conf, pid, error log and temp files all there), serving
// `cert`/`key` (paths nginx.conf names; absolute) on 127.0.0.1:port. Not copyable; the
// destructor stops it (SIGKILL to the master and its workers when `nginx -s stop` fails).
// What certbot does on disk for lineage "web" (../shared/REAL-PEERS.md), without certbot, run
// in the directory holding archive/ and live/: numbered files in archive/web (privkey 0600),
// then the live/web links repointed in certbot's order (cert, privkey, chain, fullchain).
// `renew.sh mismatch` writes a key that is not the certificate's (a broken renewal).
inline constexpr char kCertbotRenewScript[] = R"sh(#!/bin/sh
set -e
umask 022
mkdir -p archive/web live/web
n=1
while [ -e archive/web/cert$n.pem ]; do n=$((n + 1)); done
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 90 -subj /CN=web.test \
  -addext subjectAltName=DNS:web.test -keyout archive/web/privkey$n.pem -out archive/web/cert$n.pem 2>/dev/null
if [ "${1:-}" = mismatch ]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out archive/web/privkey$n.pem 2>/dev/null
fi
chmod 600 archive/web/privkey$n.pem
cp archive/web/cert$n.pem archive/web/fullchain$n.pem
: > archive/web/chain$n.pem
for f in cert privkey chain fullchain; do ln -sfn ../../archive/web/$f$n.pem live/web/$f.pem; done
)sh";

class NginxServer {
 public:
  static constexpr char kBinary[] = "/usr/sbin/nginx";

  NginxServer(std::filesystem::path prefix, std::filesystem::path cert, std::filesystem::path key);
  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  // Writes nginx.conf, starts nginx and waits (at most 10 s) until it answers TLS. "" on
  // success, else what went wrong (with the end of its error log).
  std::string Start();
  // Stops it and waits until the port is closed.
  void Stop();
  // Points nginx.conf at other files without telling nginx (the next reload loads them).
  void Repoint(const std::filesystem::path& cert, const std::filesystem::path& key);

  int port() const { return port_; }
  const std::filesystem::path& prefix() const { return prefix_; }
  std::filesystem::path conf() const { return prefix_ / "nginx.conf"; }
  // The on_repair argv that reloads this server, with the program named as `program`
  // ("nginx": found through hook_path, as a user would write it).
  std::string ReloadArgvToml(const std::string& program = "nginx") const;
  // How many times nginx was told to reload (its error log's "(SIGHUP) received" lines).
  int Reloads() const;
  std::string ErrorLogTail() const;

 private:
  void WriteConf() const;
  std::filesystem::path prefix_;
  std::filesystem::path cert_;
  std::filesystem::path key_;
  int port_ = -1;
  bool running_ = false;
};

// The seam of the certbot walk-through (docs/certificates.md): "web-tls" over lineage "web" in
// certbot's layout, run from the directory holding live/ (pem side `disk` on live/web, the seam's
// `authority`) and nginx's endpoint (`served`, reloaded by on_repair). `extra` goes into the
// [[seam]] table as it is ("interval = \"1s\"\n").
std::string CertbotSeamToml(const NginxServer& nginx, const std::string& authority, const std::string& extra = "");

// Runs renew.sh (kCertbotRenewScript, written into `dir` beforehand) in `dir`; `how` is its
// argument ("mismatch"), "" for none.
ProcessResult RunCertbotRenew(const std::filesystem::path& dir, const std::string& how = "");

// Every file under dir/archive with its bytes, and where each dir/live/web link points ("NOT A
// LINK" for a file): what a test compares to prove nothing certbot wrote was touched.
std::map<std::string, std::string> CertbotLayout(const std::filesystem::path& dir);

}  // namespace seam::e2e
