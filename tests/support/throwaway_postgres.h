#pragma once
// ThrowawayPostgres: a real PostgreSQL server for one test binary (../shared/REAL-PEERS.md):
// initdb + pg_ctl in a temp directory, listening on a Unix socket in that directory only (no
// TCP), `trust` authentication on the socket, stopped (immediate) and removed on destruction.
//
// initdb refuses to run as root: as root the server runs as the `postgres` user that Debian's
// `postgresql` package creates (through runuser); otherwise as the current user. Binaries come
// from `pg_config --bindir`, else /usr/lib/postgresql/<newest>/bin (they are not on PATH on a
// fresh Debian machine). A machine without them fails the test that asked (Start's error says
// what is missing); nothing is skipped.

#include <filesystem>
#include <string>
#include <vector>

namespace seam::testing {

class ThrowawayPostgres {
 public:
  ThrowawayPostgres() = default;
  ~ThrowawayPostgres();
  ThrowawayPostgres(const ThrowawayPostgres&) = delete;
  ThrowawayPostgres& operator=(const ThrowawayPostgres&) = delete;

  // Before Start: also listen on 127.0.0.1:`port` (TCP; the socket then uses that port number
  // too), for tests of TLS and of what a network does.
  void ListenOnLoopback(int port) { tcp_port_ = port; }
  // Before Start: listen on TCP at `address` (an address of a veth this test made; several,
  // comma-separated) and `port`,
  // accepting connections from `clients` (CIDR, e.g. "10.77.0.0/30") with trust authentication:
  // agents in network namespaces (../shared/REAL-PEERS.md).
  void ListenOn(const std::string& address, int port, const std::string& clients) {
    tcp_address_ = address;
    tcp_port_ = port;
    tcp_clients_ = clients;
  }
  // Before Start: `role` must log in with its password (scram-sha-256), over the socket and
  // loopback; every other role keeps trust. A probe of a password needs a server that can say no.
  void RequirePasswordFor(const std::string& role) { password_roles_.push_back(role); }
  int port() const { return tcp_port_ > 0 ? tcp_port_ : kPort; }
  // Copies `source` into the server's directory as `name`, owned by the server's user, mode
  // 0600 (what PostgreSQL asks of a key file); its path, or "" when it fails.
  std::string CopyIn(const std::filesystem::path& source, const std::string& name) const;

  // Creates the cluster and starts the server (a second or two); "" on success, else what went
  // wrong with the end of the server's log. Stopped and removed on destruction unless Detach()ed.
  std::string Start();
  void Stop();  // immediate: as a crash or a power cut would, the data kept
  // Starts the stopped server again on the same data (a restart after Stop); "" on success.
  std::string StartAgain();
  // Leaves the server running when this object goes (the ctest fixture's start step).
  void Detach() { owned_ = false; }
  // Uses a server another process started in `dir` (the ctest fixture's); "" when its socket is
  // there. Never stopped nor removed by this object.
  std::string Attach(const std::filesystem::path& dir);
  // Stops the attached server (the fixture's stop step).
  void StopAttached();

  // The server for this test process: the one the ctest fixture `postgres` started when
  // $SEAM_TEST_PG_POINTER names the file holding its directory (tests/support/pg_test_server.cc:
  // one server for the whole run, instead of one per test case), else one of its own started
  // now. Null, with the reason in `error`, when there is none.
  static ThrowawayPostgres* ForTests(std::string* error);

  // A libpq connection URI for database `db` as the cluster's superuser, over the socket:
  // "postgresql:///db?host=/tmp/pg.XXXX&port=5432&user=seam_admin".
  std::string Url(const std::string& db = "postgres") const;
  // Runs `sql` through psql as the superuser on `db` (as `role` when not empty: SET ROLE is not
  // enough for a test of privileges, so psql connects as it); "" on success, else psql's
  // output. The rows, unaligned without headers, go to `*out` when given.
  std::string Psql(const std::string& sql, const std::string& db = "postgres", std::string* out = nullptr,
                   const std::string& role = "") const;
  // A fresh, empty database (CREATE DATABASE); its name.
  std::string NewDatabase(const std::string& prefix);

  const std::filesystem::path& dir() const { return dir_; }
  static constexpr char kSuperuser[] = "seam_admin";
  static constexpr int kPort = 5432;  // on the private socket directory: no clash between servers

 private:
  std::filesystem::path bindir_;
  std::filesystem::path dir_;  // data in dir_/data, socket and log in dir_
  bool running_ = false;
  bool owned_ = true;
  int tcp_port_ = 0;
  std::string tcp_address_ = "127.0.0.1";
  std::string tcp_clients_;  // a pg_hba.conf `host` line's address, when not loopback
  std::vector<std::string> password_roles_;
  int databases_ = 0;
};

}  // namespace seam::testing
