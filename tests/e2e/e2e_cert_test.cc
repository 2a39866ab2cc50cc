// The `certificate` kind end to end: `cert issue` / `cert import` onto pem-file sides, input
// that is refused before anything is recorded, `expiring`, and a tls-endpoint side served by a
// real `openssl s_server` whose on_repair hook restarts it: the renewed certificate sits on disk
// while the server still serves the old one, `check` says so, `repair` reloads it.
// Certificates are made with the `openssl` program (or by seamctl itself).
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/tls_peer.h"

namespace seam::e2e {
namespace {

using seam::testing::ReadFile;
using seam::testing::WriteFile;

constexpr char kCertSeam[] = "gateway-tls";

// Two servers loading the same certificate from their own PEM files. `renew_before` goes in
// where {RENEW} stands.
constexpr char kTwoFilesConfig[] = R"([store]
path = ".seam/events.db"

[[seam]]
name = "gateway-tls"
kind = "certificate"
entity = "gateway"
{RENEW}
[seam.sides.nginx]
plugin = "pem-file"
cert_path = "nginx/cert.pem"
key_path = "nginx/key.pem"

[seam.sides.haproxy]
plugin = "pem-file"
cert_path = "haproxy/cert.pem"
key_path = "haproxy/private/key.pem"
)";

std::string Replace(std::string text, const std::string& what, const std::string& with) {
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
  return text;
}

fs::perms Mode(const fs::path& p) { return fs::status(p).permissions() & fs::perms::all; }

class CertTest : public SeamctlTest {
 protected:
  // Runs the openssl program in the temp dir; fails the test when it does not exit 0.
  ProcessResult Openssl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.cwd = Root();
    ProcessResult r = RunProcess(argv, options);
    EXPECT_EQ(r.exit_code, 0) << "openssl " << ::testing::PrintToString(args) << ":\n" << r.out << r.err;
    return r;
  }

  // An EC P-256 key and a self-signed certificate valid from now for `days`, as DIR/cert.pem and
  // DIR/key.pem (relative to the temp dir).
  void MakeCert(const std::string& dir, const std::string& cn, int days) {
    fs::create_directories(Root() / dir);
    Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
             dir + "/key.pem", "-out", dir + "/cert.pem", "-days", std::to_string(days), "-subj", "/CN=" + cn});
  }

  // A certificate that expired in 2020: `openssl req -days` refuses anything not positive and
  // this OpenSSL (3.0) has no `x509 -not_after`, but `openssl ca` takes explicit dates.
  void MakeExpiredCert(const std::string& dir) {
    const fs::path ca = Root() / dir;
    fs::create_directories(ca);
    WriteFile(ca / "ca.cnf", R"([ca]
default_ca = own
[own]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
[any]
commonName = supplied
[req]
distinguished_name = dn
prompt = no
[dn]
CN = expired.test
)");
    WriteFile(ca / "index.txt", "");
    WriteFile(ca / "serial", "01\n");
    std::vector<std::string> req{"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                 "-keyout", dir + "/key.pem", "-out", dir + "/req.csr", "-config", dir + "/ca.cnf"};
    Openssl(req);
    // `openssl ca` resolves the database paths in ca.cnf against its working directory.
    ProcessOptions options;
    options.cwd = ca;
    ProcessResult signed_ = RunProcess({"openssl", "ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile",
                                        "key.pem", "-in", "req.csr", "-out", "cert.pem", "-notext", "-startdate",
                                        "20200101000000Z", "-enddate", "20200102000000Z"},
                                       options);
    ASSERT_EQ(signed_.exit_code, 0) << signed_.out << signed_.err;
  }

  // The lower-case hex SHA-256 of a PEM certificate's DER, as openssl computes it.
  std::string FingerprintOf(const std::string& cert) {
    return HexOfFingerprintLine(Openssl({"x509", "-in", cert, "-noout", "-fingerprint", "-sha256"}).out);
  }
  // Whether `key` is the private key of `cert`: their public keys are the same.
  bool KeyMatches(const std::string& cert, const std::string& key) {
    const std::string from_cert = Openssl({"x509", "-in", cert, "-noout", "-pubkey"}).out;
    const std::string from_key = Openssl({"pkey", "-in", key, "-pubout"}).out;
    return !from_cert.empty() && from_cert == from_key;
  }
  // The base64 lines of a PEM file's body (the BEGIN/END lines left out).
  std::vector<std::string> PemBodyLines(const fs::path& pem) const {
    std::vector<std::string> lines;
    std::istringstream in(ReadFile(pem));
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.rfind("-----", 0) != 0) lines.push_back(line);
    }
    return lines;
  }

  std::string AllOutput() const {
    std::string all;
    for (const ProcessResult& r : transcript_) all += r.out + r.err;
    return all;
  }
  std::string StateBytes() const {
    std::string all;
    for (const auto& entry : fs::directory_iterator(Root() / ".seam")) {
      if (entry.is_regular_file()) all += ReadFile(entry.path());
    }
    return all;
  }

  void InitTwoFiles(const std::string& renew_before_line = "") {
    WriteConfig(Replace(kTwoFilesConfig, "{RENEW}", renew_before_line));
    fs::create_directories(Root() / "nginx");
    fs::create_directories(Root() / "haproxy/private");
    ProcessResult init = Seamctl({"init"});
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  }
};

TEST_F(CertTest, IssueSelfSignedWritesBothPemSidesAndLogsTheSha256NeverTheKey) {
  ASSERT_NO_FATAL_FAILURE(InitTwoFiles());
  ProcessResult issue = Seamctl({"cert", "issue", kCertSeam, "--self-signed", "--cn", "gw.test"});
  ASSERT_EQ(issue.exit_code, 0) << issue.out << issue.err;
  EXPECT_TRUE(Contains(issue.out, "nginx: written and confirmed")) << issue.out;
  EXPECT_TRUE(Contains(issue.out, "haproxy: written and confirmed")) << issue.out;

  // Both servers' files hold the same certificate, its key beside it, the key private.
  const std::string sha = FingerprintOf("nginx/cert.pem");
  ASSERT_EQ(sha.size(), 64U);
  const std::string fp = "sha256:" + sha.substr(0, 16);
  EXPECT_TRUE(Contains(issue.out, "cert issue recorded as rev 1 (log version 1) " + fp)) << issue.out;
  EXPECT_EQ(FingerprintOf("haproxy/cert.pem"), sha);
  EXPECT_TRUE(KeyMatches("nginx/cert.pem", "nginx/key.pem"));
  EXPECT_EQ(ReadFile(Root() / "haproxy/private/key.pem"), ReadFile(Root() / "nginx/key.pem"));
  EXPECT_TRUE(Contains(Openssl({"x509", "-in", "nginx/cert.pem", "-noout", "-subject"}).out, "CN = gw.test"));
  EXPECT_TRUE(Contains(Openssl({"x509", "-in", "nginx/cert.pem", "-noout", "-ext", "subjectAltName"}).out,
                       "DNS:gw.test"));
  for (const char* key : {"nginx/key.pem", "haproxy/private/key.pem"}) {
    EXPECT_EQ(Mode(Root() / key), fs::perms::owner_read | fs::perms::owner_write) << key;
  }
  EXPECT_EQ(Mode(Root() / "nginx/cert.pem"),
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);

  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 0);
  const nlohmann::json& seam = report["seams"][0];
  EXPECT_EQ(seam["kind"], "certificate");
  EXPECT_EQ(seam["status"], "in_sync");
  EXPECT_EQ(seam["intended"]["version"], 1);
  EXPECT_EQ(seam["intended"]["fingerprint"], fp);
  for (const char* side : {"nginx", "haproxy"}) {
    EXPECT_EQ(SideOf(report, side)["verdict"], "in_sync") << side;
    EXPECT_EQ(SideOf(report, side)["holds_version"], 1) << side;
    EXPECT_EQ(SideOf(report, side)["fingerprint"], fp) << side;
    EXPECT_EQ(SideOf(report, side)["detail"], "holds rev 1") << side;  // 90 days > renew_before 30d
  }

  // The intent, then one SideApplied per side for version 1.
  const std::vector<nlohmann::json> events = LogEvents();
  ASSERT_EQ(events.size(), 3U);
  std::vector<std::string> confirmed;
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(events[i]["type"], "SideApplied") << events[i].dump();
    EXPECT_EQ(events[i]["details"]["version"], 1) << events[i].dump();
    confirmed.push_back(events[i]["details"].value("side", ""));
  }
  std::sort(confirmed.begin(), confirmed.end());
  EXPECT_EQ(confirmed, (std::vector<std::string>{"haproxy", "nginx"}));
  EXPECT_EQ(events[0]["type"], "CertificateIssued");
  EXPECT_EQ(events[0]["stream"], "certificate/gateway");
  const nlohmann::json& details = events[0]["details"];
  EXPECT_EQ(details["fingerprint"], fp);
  EXPECT_EQ(details["leaf_sha256"], sha);
  EXPECT_EQ(details["subject_cn"], "gw.test");
  EXPECT_EQ(details["source"], "self-signed");
  EXPECT_FALSE(details.contains("error")) << details.dump();
  ProcessResult log = Seamctl({"log"});
  EXPECT_EQ(log.exit_code, 0) << log.err;
  EXPECT_TRUE(Contains(log.out, "CertificateIssued by e2e fingerprint=" + fp)) << log.out;
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);

  // The private key is in no output and not in the state directory; the log holds it sealed.
  const std::vector<std::string> key_lines = PemBodyLines(Root() / "nginx/key.pem");
  ASSERT_FALSE(key_lines.empty());
  const std::string output = AllOutput();
  const std::string state = StateBytes();
  for (const std::string& line : key_lines) {
    EXPECT_FALSE(Contains(output, line)) << "a line of the private key appears in seamctl's output";
    EXPECT_FALSE(Contains(state, line)) << "a line of the private key appears in .seam/";
  }
  EXPECT_FALSE(Contains(output, "PRIVATE KEY"));
}

TEST_F(CertTest, ImportRefusesBadInputBeforeRecordingOrWritingAnything) {
  ASSERT_NO_FATAL_FAILURE(InitTwoFiles());
  MakeCert("in/a", "a.test", 365);
  MakeCert("in/b", "b.test", 365);
  ASSERT_NO_FATAL_FAILURE(MakeExpiredCert("in/old"));
  WriteFile(Root() / "in/corrupt.pem",
            "-----BEGIN CERTIFICATE-----\nthis is not base64 at all!\n-----END CERTIFICATE-----\n");
  WriteFile(Root() / "in/corrupt-key.pem",
            "-----BEGIN PRIVATE KEY-----\nthis is not base64 at all!\n-----END PRIVATE KEY-----\n");

  // Each refusal: exit 2, one line naming the offending file, nothing recorded or written.
  auto expect_refused = [&](const std::vector<std::string>& files, const std::string& needle, const std::string& file) {
    std::vector<std::string> args{"cert", "import", kCertSeam, "--cert", files[0], "--key", files[1]};
    ProcessResult r = Seamctl(args);
    EXPECT_TRUE(IsCleanError(r, needle)) << ::testing::PrintToString(args);
    // The key/chain mismatch and the expiry are checked (and named) in their own test below.
    if (!file.empty()) {
      EXPECT_TRUE(Contains(r.err, file)) << "the error does not name " << file << ": " << r.err;
    }
    EXPECT_FALSE(Contains(r.err, "PRIVATE KEY-----")) << r.err;
  };
  auto refuse_all = [&] {
    expect_refused({"in/a/cert.pem", "in/b/key.pem"}, "does not belong", "");
    expect_refused({"in/corrupt.pem", "in/a/key.pem"}, "--cert in/corrupt.pem: ", "in/corrupt.pem");
    expect_refused({"in/a/cert.pem", "in/corrupt-key.pem"}, "--key in/corrupt-key.pem: ", "in/corrupt-key.pem");
    expect_refused({"in/a/cert.pem", "in/a/cert.pem"}, "--key in/a/cert.pem: no PEM private key found",
                   "in/a/cert.pem");
    expect_refused({"in/a/key.pem", "in/a/key.pem"}, "--cert in/a/key.pem: ", "in/a/key.pem");
    expect_refused({"in/nope.pem", "in/a/key.pem"}, "--cert in/nope.pem: No such file or directory", "in/nope.pem");
    expect_refused({"in/a/cert.pem", "in/nope.pem"}, "--key in/nope.pem: No such file or directory", "in/nope.pem");
    expect_refused({"in/old/cert.pem", "in/old/key.pem"}, "expired", "");
    expect_refused({"in", "in/a/key.pem"}, "--cert in: not a regular file", "in");
  };

  // On an empty log.
  Snapshot before = TakeSnapshot(Root());
  refuse_all();
  EXPECT_TRUE(IsCleanError(Seamctl({"cert", "issue", kCertSeam, "--self-signed", "--cn", "bad name!"}), "common name"));
  EXPECT_TRUE(IsCleanError(Seamctl({"cert", "issue", kCertSeam, "--cn", "gw.test"}), "--self-signed"));
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
  EXPECT_TRUE(LogEvents().empty());

  // With a certificate in place, the same refusals leave it and the log alone.
  ProcessResult import_a =
      Seamctl({"cert", "import", kCertSeam, "--cert", "in/a/cert.pem", "--key", "in/a/key.pem"});
  ASSERT_EQ(import_a.exit_code, 0) << import_a.out << import_a.err;
  EXPECT_EQ(FingerprintOf("nginx/cert.pem"), FingerprintOf("in/a/cert.pem"));
  before = TakeSnapshot(Root());
  refuse_all();
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
  EXPECT_EQ(EventTypes(LogEvents()), (std::vector<std::string>{"CertificateIssued", "SideApplied", "SideApplied"}));

  // A good import over it is a renewal.
  ProcessResult import_b =
      Seamctl({"cert", "import", kCertSeam, "--cert", "in/b/cert.pem", "--key", "in/b/key.pem"});
  ASSERT_EQ(import_b.exit_code, 0) << import_b.out << import_b.err;
  // v1 the first import, v2-3 its SideApplied, v4 the renewal.
  EXPECT_TRUE(Contains(import_b.out, "cert import recorded as rev 2 (log version 4)")) << import_b.out;
  EXPECT_EQ(FingerprintOf("haproxy/cert.pem"), FingerprintOf("in/b/cert.pem"));
  EXPECT_TRUE(KeyMatches("haproxy/cert.pem", "haproxy/private/key.pem"));
  const std::vector<nlohmann::json> events = LogEvents();
  EXPECT_EQ(EventTypes(events), (std::vector<std::string>{"CertificateIssued", "SideApplied", "SideApplied",
                                                     "CertificateRenewed", "SideApplied", "SideApplied"}));
  ASSERT_EQ(events.size(), 6U);
  EXPECT_EQ(events[3]["details"]["subject_cn"], "b.test");
  EXPECT_EQ(events[3]["details"]["source"], "import");
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
}

// Like every other refused input (a corrupt PEM, a missing file), a key that is not the leaf's
// and an expired certificate are reported with the file they came from.
TEST_F(CertTest, MismatchedKeyAndExpiredCertificateErrorsNameTheFile) {
  ASSERT_NO_FATAL_FAILURE(InitTwoFiles());
  MakeCert("in/a", "a.test", 365);
  MakeCert("in/b", "b.test", 365);
  ASSERT_NO_FATAL_FAILURE(MakeExpiredCert("in/old"));
  const Snapshot before = TakeSnapshot(Root());

  ProcessResult mismatch =
      Seamctl({"cert", "import", kCertSeam, "--cert", "in/a/cert.pem", "--key", "in/b/key.pem"});
  EXPECT_TRUE(IsCleanError(mismatch, "does not belong"));
  EXPECT_TRUE(Contains(mismatch.err, "in/b/key.pem")) << mismatch.err;

  ProcessResult expired =
      Seamctl({"cert", "import", kCertSeam, "--cert", "in/old/cert.pem", "--key", "in/old/key.pem"});
  EXPECT_TRUE(IsCleanError(expired, "expired at 2020-01-02T00:00:00Z"));
  EXPECT_TRUE(Contains(expired.err, "in/old/cert.pem")) << expired.err;

  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
  EXPECT_TRUE(LogEvents().empty());
}

TEST_F(CertTest, CertificateWithinRenewBeforeIsExpiringAndRepairCannotHelp) {
  ASSERT_NO_FATAL_FAILURE(InitTwoFiles("renew_before = \"3650d\""));
  MakeCert("in", "soon.test", 30);
  ProcessResult import =
      Seamctl({"cert", "import", kCertSeam, "--cert", "in/cert.pem", "--key", "in/key.pem"});
  ASSERT_EQ(import.exit_code, 0) << import.out << import.err;  // written: the sides hold it

  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_TRUE(Contains(check.out, "expiring")) << check.out;
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(report["seams"][0]["status"], "expiring");
  for (const char* side : {"nginx", "haproxy"}) {
    EXPECT_EQ(SideOf(report, side)["verdict"], "expiring") << side;
    EXPECT_EQ(SideOf(report, side)["holds_version"], 1) << side;
    // A certificate made for 30 days a moment ago: 30 days to the nearest day (core/x509.h DaysText).
    EXPECT_EQ(SideOf(report, side)["detail"], "holds rev 1; it expires in 30 days (renew_before)") << side;
  }

  // Writing the same certificate again would not help: repair writes no side and says so by exit
  // 1; the log says, once, that the seam is expiring (SeamExpiring: a notification).
  Snapshot before = TakeSnapshot(Root());
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 1) << repair.out << repair.err;
  Snapshot after = TakeSnapshot(Root());
  for (Snapshot* s : {&after, &before}) {
    s->erase(".seam/events.db");
    s->erase(".seam/events.db-wal");
  }
  EXPECT_EQ(SnapshotDiff(before, after), "");
  EXPECT_EQ(EventTypes(LogEvents()), (std::vector<std::string>{"CertificateIssued", "SideApplied", "SideApplied", "SeamExpiring"}));
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 1);
  EXPECT_EQ(LogEvents().size(), 4U) << "said once";

  // Under a shorter renew_before the same files are in sync.
  WriteConfig(Replace(kTwoFilesConfig, "{RENEW}", "renew_before = \"7d\""));
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);

  // The cure is a new certificate that outlives renew_before.
  WriteConfig(Replace(kTwoFilesConfig, "{RENEW}", "renew_before = \"3650d\""));
  ProcessResult renew = Seamctl({"cert", "issue", kCertSeam, "--self-signed", "--cn", "soon.test", "--days", "4000"});
  ASSERT_EQ(renew.exit_code, 0) << renew.out << renew.err;
  EXPECT_EQ(EventTypes(LogEvents()), (std::vector<std::string>{"CertificateIssued", "SideApplied", "SideApplied", "SeamExpiring",
                                                          "CertificateRenewed", "SideApplied", "SideApplied"}));
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
  // The next repair pass sees it renewed: the expiring spell ends on the record.
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 0);
  EXPECT_EQ(EventTypes(LogEvents()).back(), "ExpiringEnded");

  // renew_before is a duration, and only for certificate seams.
  WriteConfig(Replace(kTwoFilesConfig, "{RENEW}", "renew_before = \"30 days\""));
  EXPECT_TRUE(IsCleanError(Seamctl({"check"}), "seam.toml:8: seam `gateway-tls`: key `renew_before` must be a duration"));
}

// A TLS server (openssl s_server) serving the certificate of a pem-file side. Its on_repair
// restarts it on the current files; the test restarts it by hand on old files to make it lag.
class TlsEndpointTest : public CertTest {
 protected:
  void SetUp() override {
    port_ = FreeLoopbackPort();
    ASSERT_GT(port_, 0);
    WriteFile(Root() / "serve.sh", Replace(kServeScript, "{PORT}", std::to_string(port_)));
    WriteConfig(Replace(R"([store]
path = ".seam/events.db"

[[seam]]
name = "gateway-tls"
kind = "certificate"
entity = "gateway"
order = ["files", "server"]

[seam.sides.files]
plugin = "pem-file"
cert_path = "tls/cert.pem"
key_path = "tls/key.pem"

[seam.sides.server]
plugin = "tls-endpoint"
host = "127.0.0.1"
port = "{PORT}"
on_repair = ["/bin/sh", "serve.sh", "tls/cert.pem", "tls/key.pem"]
)",
                        "{PORT}", std::to_string(port_)));
    fs::create_directories(Root() / "tls");
    ProcessResult init = Seamctl({"init"});
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  }

  // Every s_server the script started (it appends each pid to servers.pids), and only those.
  void TearDown() override {
    std::istringstream pids(ReadFile(Root() / "servers.pids"));
    for (long pid = 0; pids >> pid;) {
      if (pid <= 1) continue;
      const std::string cmdline = ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
      if (Contains(cmdline, "s_server") && Contains(cmdline, std::to_string(port_))) {
        ::kill(static_cast<pid_t>(pid), SIGKILL);
      }
    }
  }

  // Restarts the server by hand on CERT and KEY, as an operator would.
  void Serve(const std::string& cert, const std::string& key) {
    ProcessOptions options;
    options.cwd = Root();
    ProcessResult r = RunProcess({"/bin/sh", "serve.sh", cert, key}, options);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err << ReadFile(Root() / "server.log");
  }

  // The SHA-256 of the certificate the server presents now, as openssl s_client sees it.
  std::string Served() {
    ProcessOptions options;
    options.cwd = Root();
    ProcessResult r = RunProcess(
        {"/bin/sh", "-c",
         "openssl s_client -connect 127.0.0.1:" + std::to_string(port_) +
             " </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256"},
        options);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return HexOfFingerprintLine(r.out);
  }

  // serve.sh CERT KEY: stop the server it started last (waiting until the port is closed), start
  // a new one on CERT/KEY in a session of its own (so it outlives the hook and seamctl), output
  // to server.log (so no pipe of seamctl's stays open), and wait until it answers TLS. Every
  // wait polls every 50 ms for at most 10 s.
  static constexpr char kServeScript[] = R"sh(#!/bin/sh
port={PORT}
answers() { timeout 5 openssl s_client -connect 127.0.0.1:$port </dev/null >/dev/null 2>&1; }
wait_until() {
  i=0
  while :; do
    if [ "$1" = up ]; then answers && return 0; else answers || return 0; fi
    i=$((i + 1))
    if [ $i -ge 200 ]; then echo "serve.sh: the server on port $port is not $1 after 10 s" >&2; exit 1; fi
    sleep 0.05
  done
}
if [ -f server.pid ]; then
  kill "$(cat server.pid)" 2>/dev/null
  rm -f server.pid
  wait_until down
fi
setsid openssl s_server -accept 127.0.0.1:$port -cert "$1" -key "$2" -www -quiet </dev/null >>server.log 2>&1 &
echo $! > server.pid
echo $! >> servers.pids
wait_until up
)sh";

  int port_ = 0;
};

TEST_F(TlsEndpointTest, ServerStillServingTheOldCertificateIsLaggingAndRepairReloadsIt) {
  // No server yet: the endpoint is unreadable, but it is observe-only with an on_repair, so the
  // operation goes ahead: version 1 is recorded, the files are written, and on_repair starts
  // the server on them; the read-back then confirms what it serves.
  ProcessResult issue = Seamctl({"cert", "issue", kCertSeam, "--self-signed", "--cn", "gw.test"});
  ASSERT_EQ(issue.exit_code, 0) << issue.out << issue.err << ReadFile(Root() / "server.log");
  EXPECT_TRUE(Contains(issue.out, "cert issue recorded as rev 1 (log version 1)")) << issue.out;
  EXPECT_TRUE(Contains(issue.out, "files: written and confirmed")) << issue.out;
  EXPECT_TRUE(Contains(issue.out, "server: serves it (confirmed)")) << issue.out;
  const std::string v1 = FingerprintOf("tls/cert.pem");
  EXPECT_EQ(Served(), v1);
  int code = -1;
  nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 0) << report.dump(2);
  EXPECT_EQ(SideOf(report, "server")["verdict"], "in_sync");
  EXPECT_EQ(SideOf(report, "server")["holds_version"], 1);
  EXPECT_EQ(SideOf(report, "server")["fingerprint"], "sha256:" + v1.substr(0, 16));
  fs::create_directories(Root() / "old");
  fs::copy_file(Root() / "tls/cert.pem", Root() / "old/cert.pem");
  fs::copy_file(Root() / "tls/key.pem", Root() / "old/key.pem");

  // The server is restarted by hand on a certificate of its own, one the log never had.
  MakeCert("boot", "boot.test", 365);
  ASSERT_NO_FATAL_FAILURE(Serve("boot/cert.pem", "boot/key.pem"));
  report = CheckJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(SideOf(report, "server")["verdict"], "foreign");
  EXPECT_EQ(SideOf(report, "server")["fingerprint"], "sha256:" + FingerprintOf("boot/cert.pem").substr(0, 16));

  // Version 4 (a renewal; v2-3 confirmed version 1 on files and server): the files are
  // written, on_repair restarts the foreign server on them.
  ProcessResult renew = Seamctl({"cert", "issue", kCertSeam, "--self-signed", "--cn", "gw.test"});
  ASSERT_EQ(renew.exit_code, 0) << renew.out << renew.err << ReadFile(Root() / "server.log");
  EXPECT_TRUE(Contains(renew.out, "cert issue recorded as rev 2 (log version 4)")) << renew.out;
  const std::string v2 = FingerprintOf("tls/cert.pem");
  EXPECT_NE(v2, v1);
  EXPECT_EQ(Served(), v2);
  report = CheckJson(&code);
  EXPECT_EQ(code, 0) << report.dump(2);
  EXPECT_EQ(SideOf(report, "files")["holds_version"], 4);
  EXPECT_EQ(SideOf(report, "server")["holds_version"], 4);

  // The classic drift: the new files are on disk, the server was restarted on the old ones.
  ASSERT_NO_FATAL_FAILURE(Serve("old/cert.pem", "old/key.pem"));
  ASSERT_EQ(Served(), v1);
  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_TRUE(Contains(check.out, "lagging")) << check.out;
  report = CheckJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(report["seams"][0]["status"], "drift");
  EXPECT_EQ(SideOf(report, "files")["verdict"], "in_sync");
  EXPECT_EQ(SideOf(report, "files")["holds_version"], 4);
  EXPECT_EQ(SideOf(report, "server")["verdict"], "lagging");
  EXPECT_EQ(SideOf(report, "server")["holds_version"], 1);
  EXPECT_EQ(SideOf(report, "server")["detail"], "holds rev 1; rev 2 is intended");
  EXPECT_EQ(SideOf(report, "server")["fingerprint"], "sha256:" + v1.substr(0, 16));

  // repair runs on_repair (the files are already right) and confirms what is served.
  const Snapshot before = TakeSnapshot(Root() / "tls");
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err << ReadFile(Root() / "server.log");
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root() / "tls")), "");
  EXPECT_EQ(Served(), v2);
  report = CheckJson(&code);
  EXPECT_EQ(code, 0) << report.dump(2);
  EXPECT_EQ(SideOf(report, "server")["holds_version"], 4);

  const std::vector<nlohmann::json> events = LogEvents();
  EXPECT_EQ(EventTypes(events),
            (std::vector<std::string>{"CertificateIssued", "SideApplied", "SideApplied", "CertificateRenewed",
                                      "SideApplied", "SideApplied", "DriftOpened", "SideRepaired", "DriftClosed"}));
  ASSERT_EQ(events.size(), 9U);
  // Each operation confirmed in `order`: files, then server.
  for (std::size_t i : {1U, 4U}) {
    EXPECT_EQ(events[i]["details"]["side"], "files") << events[i].dump();
    EXPECT_EQ(events[i + 1]["details"]["side"], "server") << events[i + 1].dump();
  }
  const nlohmann::json& repaired = events[7]["details"];
  EXPECT_EQ(repaired["side"], "server");
  EXPECT_EQ(repaired["action"], "on_repair");
  EXPECT_EQ(repaired["verdict_before"], "lagging");
  EXPECT_EQ(repaired["held_version"], 1);
  EXPECT_EQ(repaired["version_written"], 4);
}

// A tls-endpoint side without on_repair is only reported: it is never pending, so it cannot
// block the operations after it nor the repair of the file side (the server must reload the
// right files, which only a repaired file side gives it).
TEST_F(TlsEndpointTest, AnEndpointWithoutOnRepairIsReportedButBlocksNothing) {
  WriteConfig(Replace(ReadFile(ConfigPath()), "on_repair = [\"/bin/sh\", \"serve.sh\", \"tls/cert.pem\", \"tls/key.pem\"]\n", ""));
  MakeCert("boot", "boot.test", 365);
  ASSERT_NO_FATAL_FAILURE(Serve("boot/cert.pem", "boot/key.pem"));
  ProcessResult issue = Seamctl({"cert", "issue", kCertSeam, "--self-signed", "--cn", "gw.test"});
  EXPECT_EQ(issue.exit_code, 2) << issue.out << issue.err;  // the endpoint still serves its own
  int code = -1;
  nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(SideOf(report, "server")["verdict"], "foreign") << report.dump(2);
  EXPECT_TRUE(report["seams"][0]["pending"].is_null()) << report.dump(2);
  // A second certificate is not refused because of the first.
  ProcessResult again = Seamctl({"cert", "issue", kCertSeam, "--self-signed", "--cn", "gw2.test"});
  EXPECT_EQ(again.exit_code, 2) << again.out << again.err;
  EXPECT_TRUE(Contains(again.out, "cert issue recorded as rev")) << again.out;
  // The files drift; repair brings them back although the endpoint is still wrong.
  WriteFile(Root() / "tls/cert.pem", ReadFile(Root() / "boot/cert.pem"));
  WriteFile(Root() / "tls/key.pem", ReadFile(Root() / "boot/key.pem"));
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 1) << repair.out << repair.err;  // the endpoint's drift remains
  report = CheckJson(&code);
  EXPECT_EQ(SideOf(report, "files")["verdict"], "in_sync") << report.dump(2);
  // Once the operator reloads the server on the repaired files, everything is in sync.
  ASSERT_NO_FATAL_FAILURE(Serve("tls/cert.pem", "tls/key.pem"));
  report = CheckJson(&code);
  EXPECT_EQ(code, 0) << report.dump(2);
}

}  // namespace
}  // namespace seam::e2e
