// demo-gateway: a small real HTTP gateway for the seam demo. It keeps paired devices (token as
// hex SHA-256) in its own SQLite database and answers digest requests only for the right token;
// `--restore` reproduces the careless restart from a stale backup that the demo is about.

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/system/system_error.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "tools/demo_gateway/gateway_api.h"
#include "tools/demo_gateway/gateway_server.h"
#include "tools/demo_gateway/gateway_store.h"

namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;

constexpr const char* kApiHelp = R"(
HTTP API (JSON bodies, Content-Type: application/json; errors are {"error": "..."}):
  GET    /healthz            200 {"status":"ok","boot_id":"<hex>","started_at":"<RFC 3339>"}
  GET    /pairings/{device}  200 {"device_id","token_sha256","gateway_url","paired_at",
                             "boot_id","started_at"} (the last two: this run, as in /healthz)
                             + ETag (of the stored row alone: a restart by itself changes
                             no ETag); 404 {"error","boot_id","started_at"} when not paired
  PUT    /pairings/{device}  body {"token_sha256":"<64 hex>"} or {"token":"<plaintext>"} (hashed,
                             never stored), optional "gateway_url", "paired_at" (string or null;
                             omitted = unchanged), optional "device_id" (must equal {device});
                             "boot_id" and "started_at" are ignored (a fetched object may be
                             PUT back whole); 200 with the stored object as GET gives it + ETag;
                             400 bad JSON/hex/unknown key;
                             412 when If-Match (ETag list or *) does not match or
                             If-None-Match: * and the pairing exists
  DELETE /pairings/{device}  204; 404 when not paired; 412 when If-Match does not match
  POST   /api/digest         header Authorization: Bearer <token>, body
                             {"device_id":"<device>","data":"<text>"}: 200 {"digest":"<sha256
                             hex of data>"} when SHA-256(token) equals the device's token_sha256;
                             403 {"error":"token rejected"} otherwise (also for unknown devices);
                             401 without a bearer token; 400 bad body
  {device}: 1-128 characters of A-Z a-z 0-9 . _ - : @
Limits: body 64 KiB (413), headers 16 KiB (431), --timeout-ms per request and keep-alive idle.
Database: table pairings(device TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL, gateway_url TEXT,
paired_at TEXT), rollback journal (a plain file copy is a complete backup), read on every request.
SIGTERM/SIGINT: stop, exit 0. Exit 2 on bad arguments, database or listen errors.)";

int Fail(const std::string& message) {
  std::cerr << "demo-gateway: error: " << message << '\n';
  return 2;
}

// "HOST:PORT" or "[V6]:PORT"; "localhost" means 127.0.0.1.
bool ParseListen(const std::string& text, asio::ip::tcp::endpoint& out, std::string& error) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    error = "--listen must be HOST:PORT, got `" + text + "`";
    return false;
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  const std::string port_text = text.substr(colon + 1);
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(port_text, &used);
    if (used != port_text.size() || port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    error = "--listen: bad port `" + port_text + "`";
    return false;
  }
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) {
    error = "--listen: `" + host + "` is not an IP address";
    return false;
  }
  out = asio::ip::tcp::endpoint(address, static_cast<unsigned short>(port));
  return true;
}

// Restoring copies the backup over the database, and drops journal files that belong to the
// replaced database (a hot journal would otherwise be rolled into the restored copy).
void Restore(const fs::path& backup, const fs::path& db) {
  fs::copy_file(backup, db, fs::copy_options::overwrite_existing);
  for (const char* suffix : {"-journal", "-wal", "-shm"}) {
    std::error_code ignored;
    fs::remove(fs::path(db.string() + suffix), ignored);
  }
}

// Written to a temporary name and renamed, so a reader never sees a partial port number.
void WritePortFile(const fs::path& path, unsigned short port) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << '\n';
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, path);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"demo-gateway: a demo HTTP gateway keeping paired devices in its own SQLite database"};
  app.footer(kApiHelp);
  std::string listen;
  std::string db_path;
  std::string restore;
  std::string port_file;
  bool allow_remote = false;
  bool quiet = false;
  unsigned timeout_ms = 15000;
  std::string synchronous = "FULL";
  app.add_option("--listen", listen, "HOST:PORT to listen on (port 0: ephemeral)")->required();
  app.add_option("--db", db_path, "SQLite database file (created when missing)")->required();
  app.add_option("--restore", restore, "copy this backup over --db before opening it")
      ->check(CLI::ExistingFile);
  app.add_option("--port-file", port_file, "write the bound port here once listening");
  app.add_flag("--allow-remote", allow_remote, "allow a non-loopback listen address");
  app.add_flag("--quiet", quiet, "do not log one line per request on stderr");
  app.add_option("--timeout-ms", timeout_ms, "per-request and keep-alive idle timeout")
      ->check(CLI::Range(1u, 3600000u));
  app.add_option("--synchronous", synchronous,
                 "SQLite PRAGMA synchronous: FULL (default), NORMAL, or OFF (benchmarks)")
      ->check(CLI::IsMember({"FULL", "NORMAL", "OFF"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return Fail(e.what());
  }

  seam::demo::ServerOptions options;
  std::string error;
  if (!ParseListen(listen, options.endpoint, error)) return Fail(error);
  if (!allow_remote && !options.endpoint.address().is_loopback()) {
    return Fail("refusing to listen on non-loopback address " +
                options.endpoint.address().to_string() + " (use --allow-remote)");
  }
  options.request_timeout = std::chrono::milliseconds(timeout_ms);
  options.log_requests = !quiet;

  try {
    if (!restore.empty()) Restore(restore, db_path);
  } catch (const std::exception& e) {
    return Fail(std::string("--restore: ") + e.what());
  }

  try {
    seam::demo::GatewayStore store(db_path, synchronous);
    seam::demo::GatewayApi api(store, seam::demo::RandomHex(16), seam::demo::NowRfc3339());
    asio::io_context ioc{1};
    seam::demo::GatewayServer server(ioc, api, options);
    try {
      server.Start();
    } catch (const boost::system::system_error& e) {
      return Fail("cannot listen on " + listen + ": " + e.code().message());
    }
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
      server.Stop();
      ioc.stop();
    });
    if (!port_file.empty()) WritePortFile(port_file, server.Port());
    std::cout << "demo-gateway: listening on http://"
              << asio::ip::tcp::endpoint(options.endpoint.address(), server.Port())
              << " (db " << db_path << (restore.empty() ? "" : ", restored from " + restore)
              << ")" << std::endl;
    ioc.run();
    std::cout << "demo-gateway: stopped" << std::endl;
  } catch (const std::exception& e) {
    return Fail(e.what());
  }
  return 0;
}
