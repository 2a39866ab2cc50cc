// Certificates behind a real nginx (Debian package `nginx`, a private prefix, 127.0.0.1 on an
// ephemeral port): a pem-file side nginx loads, and a tls-endpoint side for what nginx serves,
// whose on_repair is `nginx -s reload` named without a directory (found through hook_path, as
// root's shell finds /usr/sbin/nginx). nginx loads new certificates asynchronously after a
// reload: the read-back waits for it (settle_ms). A missing nginx fails these tests.
#include <gtest/gtest.h>

#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/tls_peer.h"

namespace seam::e2e {
namespace {

constexpr char kSeam[] = "web-tls";

class NginxCertTest : public SeamctlTest {
 protected:
  void SetUp() override {
    fs::create_directories(Root() / "tls");
    ASSERT_NO_FATAL_FAILURE(MakeCertificate("first.test", Root() / "tls/server.pem", Root() / "tls/server.key"));
    const std::string started = nginx_.Start();
    ASSERT_EQ(started, "");
    WriteConfig(R"([[seam]]
name = "web-tls"
kind = "certificate"
entity = "web"
order = ["disk", "served"]
[seam.sides.disk]
plugin = "pem-file"
cert_path = "tls/server.pem"
key_path = "tls/server.key"
[seam.sides.served]
plugin = "tls-endpoint"
host = "127.0.0.1"
port = ")" + std::to_string(nginx_.port()) +
                R"("
server_name = "web.test"
on_repair = )" + nginx_.ReloadArgvToml() + "\n");
    ProcessResult init = Seamctl({"init"});
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  }

  // A self-signed certificate and its key, made by the openssl program.
  void MakeCertificate(const std::string& cn, const fs::path& cert, const fs::path& key) {
    ProcessResult r = RunProcess({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                  "ec_paramgen_curve:prime256v1", "-nodes", "-days", "90", "-subj", "/CN=" + cn,
                                  "-keyout", key.string(), "-out", cert.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::string Disk() { return CertificateFileSha256(Root() / "tls/server.pem"); }
  std::string Served() { return ServedSha256(nginx_.port()); }

  NginxServer nginx_{Root() / "nginx", Root() / "tls/server.pem", Root() / "tls/server.key"};
};

// The case a new user hit 4 times out of 4: the read-back came before nginx's new workers.
TEST_F(NginxCertTest, CertIssueEndsWithNginxServingTheNewCertificateEveryTime) {
  for (int i = 0; i < 3; ++i) {
    ProcessResult issue = Seamctl({"cert", "issue", kSeam, "--self-signed", "--cn", "web.test"});
    ASSERT_EQ(issue.exit_code, 0) << "issue " << i << ":\n" << issue.out << issue.err << nginx_.ErrorLogTail();
    EXPECT_TRUE(Contains(issue.out, "disk: written and confirmed")) << issue.out;
    EXPECT_TRUE(Contains(issue.out, "served: serves it (confirmed)")) << issue.out;
    EXPECT_EQ(Served(), Disk());
  }
  EXPECT_EQ(nginx_.Reloads(), 3);
  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

// A deploy hook may run twice: the certificate the log already holds records nothing and
// reloads nothing.
TEST_F(NginxCertTest, ImportingTheCertificateTheLogHoldsIsANoOp) {
  ASSERT_EQ(Seamctl({"cert", "issue", kSeam, "--self-signed", "--cn", "web.test"}).exit_code, 0);
  fs::copy_file(Root() / "tls/server.pem", Root() / "again.pem");
  fs::copy_file(Root() / "tls/server.key", Root() / "again.key");
  const std::size_t events = LogEvents().size();
  const int reloads = nginx_.Reloads();
  ProcessResult again = Seamctl({"cert", "import", kSeam, "--cert", "again.pem", "--key", "again.key"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_TRUE(Contains(again.out, "web-tls: the log already holds this certificate (sha256:" + Disk().substr(0, 16) +
                                      "...) as version 1; nothing recorded"))
      << again.out;
  EXPECT_EQ(LogEvents().size(), events);
  EXPECT_EQ(nginx_.Reloads(), reloads);
}

// nginx restarted from stale files serves version 1 while the disk holds version 2: `check`
// says so, and `repair` reloads it onto the files seam wrote.
TEST_F(NginxCertTest, NginxStartedOnStaleFilesIsLaggingAndRepairReloadsIt) {
  ASSERT_EQ(Seamctl({"cert", "issue", kSeam, "--self-signed", "--cn", "web.test"}).exit_code, 0);
  fs::create_directories(Root() / "old");
  fs::copy_file(Root() / "tls/server.pem", Root() / "old/server.pem");
  fs::copy_file(Root() / "tls/server.key", Root() / "old/server.key");
  const std::string first = Disk();
  ASSERT_EQ(Seamctl({"cert", "issue", kSeam, "--self-signed", "--cn", "web.test"}).exit_code, 0);
  nginx_.Stop();
  nginx_.Repoint(Root() / "old/server.pem", Root() / "old/server.key");
  ASSERT_EQ(nginx_.Start(), "");
  nginx_.Repoint(Root() / "tls/server.pem", Root() / "tls/server.key");  // as it should be, not yet loaded
  ASSERT_EQ(Served(), first);

  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 1) << report.dump(2);
  EXPECT_EQ(SideOf(report, "served")["verdict"], "lagging") << report.dump(2);
  EXPECT_EQ(SideOf(report, "disk")["verdict"], "in_sync");

  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(Served(), Disk());
  EXPECT_NE(Served(), first);
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
}

// A reload that does not change what is served (nginx.conf points at stale files): the
// read-back waits settle_ms, then the operation stays pending with words for what happened.
TEST_F(NginxCertTest, AServerThatNeverPicksTheCertificateUpIsReportedAsStillServingTheOldOne) {
  ASSERT_EQ(Seamctl({"cert", "issue", kSeam, "--self-signed", "--cn", "web.test"}).exit_code, 0);
  fs::create_directories(Root() / "old");
  fs::copy_file(Root() / "tls/server.pem", Root() / "old/server.pem");
  fs::copy_file(Root() / "tls/server.key", Root() / "old/server.key");
  nginx_.Repoint(Root() / "old/server.pem", Root() / "old/server.key");
  WriteConfig(seam::testing::ReadFile(ConfigPath()) + "settle_ms = 300\n");
  ProcessResult issue = Seamctl({"cert", "issue", kSeam, "--self-signed", "--cn", "web.test"});
  EXPECT_EQ(issue.exit_code, 2) << issue.out << issue.err;
  EXPECT_TRUE(Contains(issue.out, "served: does NOT serve it")) << issue.out;
  EXPECT_TRUE(Contains(issue.err, "side served does not serve it: on_repair `nginx` ran and exited 0, but "
                                  "tls-endpoint 127.0.0.1:" + std::to_string(nginx_.port()) +
                                  " (server name web.test) is still serving version 1 after "))
      << issue.err;
  EXPECT_TRUE(Contains(issue.err, ") is pending there")) << issue.err;
}

// A certificate recorded inside the seam's renew_before is recorded, with a warning that
// `check` will call it expiring.
TEST_F(NginxCertTest, ACertificateInsideRenewBeforeIsRecordedWithAWarning) {
  ProcessResult issue = Seamctl({"cert", "issue", kSeam, "--self-signed", "--cn", "web.test", "--days", "5"});
  EXPECT_EQ(issue.exit_code, 0) << issue.out << issue.err;
  EXPECT_TRUE(Contains(issue.err, "seamctl: warning: seam web-tls: the certificate expires at ")) << issue.err;
  EXPECT_TRUE(Contains(issue.err, "(in 5 days), inside the seam's renew_before (30 days): `seamctl check` will "
                                  "report it expiring"))
      << issue.err;
  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_TRUE(Contains(check.out, "expiring")) << check.out;
}

}  // namespace
}  // namespace seam::e2e
