// Certificates behind a real nginx (Debian package `nginx`, a private prefix, 127.0.0.1 on an
// ephemeral port): a pem-file side nginx loads, and a tls-endpoint side for what nginx serves,
// whose on_repair is `nginx -s reload` named without a directory (found through hook_path, as
// root's shell finds /usr/sbin/nginx). nginx loads new certificates asynchronously after a
// reload: the read-back waits for it (settle_ms). A missing nginx fails these tests.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/tls_peer.h"

namespace seam::e2e {
namespace {

constexpr char kSeam[] = "web-tls";

// What a client sees within 2 s of seamctl's confirmation: seam confirms on two reads 100 ms
// apart, but nginx's draining old workers may still answer a connection for a moment after
// that on a loaded machine. 2 s is the issue's bound for "served after a renewal".
bool ServedWithin(int port, const std::string& leaf, std::chrono::milliseconds within) {
  const auto end = std::chrono::steady_clock::now() + within;
  for (;;) {
    if (ServedSha256(port) == leaf) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

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
  bool ServedWithin2s(const std::string& leaf) { return ServedWithin(nginx_.port(), leaf, std::chrono::seconds(2)); }

  NginxServer nginx_{Root() / "nginx", Root() / "tls/server.pem", Root() / "tls/server.key"};
};

// The case a new user hit 4 times out of 4: the read-back came before nginx's new workers.
TEST_F(NginxCertTest, CertIssueEndsWithNginxServingTheNewCertificateEveryTime) {
  for (int i = 0; i < 3; ++i) {
    ProcessResult issue = Seamctl({"cert", "issue", kSeam, "--self-signed", "--cn", "web.test"});
    ASSERT_EQ(issue.exit_code, 0) << "issue " << i << ":\n" << issue.out << issue.err << nginx_.ErrorLogTail();
    EXPECT_TRUE(Contains(issue.out, "disk: written and confirmed")) << issue.out;
    EXPECT_TRUE(Contains(issue.out, "served: serves it (confirmed)")) << issue.out;
    EXPECT_TRUE(ServedWithin2s(Disk())) << Served();
  }
  EXPECT_EQ(nginx_.Reloads(), 3);
  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  // Expiry is shown before renew_before is near: each side's and the log's, with days left.
  EXPECT_TRUE(Contains(check.out, "(expires ")) << check.out;
  EXPECT_TRUE(Contains(check.out, ", in 90 days)")) << check.out;  // issued for 90 days
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  for (const char* side : {"disk", "served"}) {
    EXPECT_EQ(SideOf(report, side)["days_left"], 90) << report.dump(2);
    EXPECT_TRUE(SideOf(report, side)["not_after"].is_string()) << report.dump(2);
  }
  EXPECT_EQ(report["seams"][0]["intended"]["days_left"], 90);
  EXPECT_EQ(report["seams"][0]["intended"]["not_after"], SideOf(report, "served")["not_after"]);
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
                                      "...) as rev 1; nothing recorded"))
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
  EXPECT_TRUE(ServedWithin2s(Disk())) << Served();
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
                                  " (server name web.test) is still serving rev 1 after "))
      << issue.err;
  EXPECT_TRUE(Contains(issue.err, ") is pending there")) << issue.err;
}

// nginx configured with the leaf alone (ssl_certificate cert.pem, not fullchain.pem) serves the
// right certificate without its intermediate: seam says so, reloads once, and does not reload
// again every pass (HookIneffective) until what is served changes or `repair --force`.
TEST_F(NginxCertTest, AChainServedWithoutItsIntermediateIsReportedAndReloadedOncePerChange) {
  const fs::path ca = Root() / "ca";
  fs::create_directories(ca);
  auto openssl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "openssl");
    ProcessResult r = RunProcess(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  const std::vector<std::string> ec{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  ASSERT_NO_FATAL_FAILURE(openssl(with({"req", "-x509"}, with(ec, {"-days", "365", "-subj", "/CN=Test Intermediate",
                                                                  "-keyout", (ca / "ca.key").string(), "-out",
                                                                  (ca / "ca.pem").string()}))));
  ASSERT_NO_FATAL_FAILURE(openssl(with({"req"}, with(ec, {"-subj", "/CN=web.test", "-keyout", (ca / "leaf.key").string(),
                                                         "-out", (ca / "leaf.csr").string()}))));
  ASSERT_NO_FATAL_FAILURE(openssl({"x509", "-req", "-in", (ca / "leaf.csr").string(), "-CA", (ca / "ca.pem").string(),
                                   "-CAkey", (ca / "ca.key").string(), "-CAcreateserial", "-days", "90", "-out",
                                   (ca / "leaf.pem").string()}));
  seam::testing::WriteFile(ca / "fullchain.pem", seam::testing::ReadFile(ca / "leaf.pem") +
                                                     seam::testing::ReadFile(ca / "ca.pem"));
  // The mistake: nginx loads the leaf alone.
  nginx_.Repoint(ca / "leaf.pem", ca / "leaf.key");
  WriteConfig(seam::testing::ReadFile(ConfigPath()) + "settle_ms = 300\n");
  const int reloads_before = nginx_.Reloads();

  ProcessResult import = Seamctl({"cert", "import", kSeam, "--cert", (ca / "fullchain.pem").string(), "--key",
                                  (ca / "leaf.key").string()});
  EXPECT_EQ(import.exit_code, 2) << import.out << import.err;
  EXPECT_TRUE(Contains(import.err, "is serving rev 1 incompletely after ")) << import.err;
  EXPECT_TRUE(Contains(import.err, "without 1 of the 1 intermediate certificate(s) of the chain on record")) << import.err;
  EXPECT_EQ(nginx_.Reloads(), reloads_before + 1);
  ASSERT_EQ(Served(), CertificateFileSha256(ca / "leaf.pem"));  // the right leaf, alone

  int code = -1;
  nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 1) << report.dump(2);
  EXPECT_EQ(SideOf(report, "served")["verdict"], "lagging") << report.dump(2);
  EXPECT_TRUE(Contains(SideOf(report, "served")["detail"].get<std::string>(), "cannot verify it")) << report.dump(2);

  // Passes do not reload again: nothing changed since the reload that did not help.
  for (int i = 0; i < 2; ++i) {
    ProcessResult repair = Seamctl({"repair"});
    EXPECT_NE(repair.exit_code, 0) << repair.out << repair.err;
    EXPECT_TRUE(Contains(repair.err, "did not help")) << repair.out << repair.err;
    EXPECT_TRUE(Contains(repair.err, "then run `seamctl repair --force web-tls`")) << repair.err;
  }
  EXPECT_EQ(nginx_.Reloads(), reloads_before + 1);
  const std::vector<nlohmann::json> events = LogEvents();
  EXPECT_EQ(std::count_if(events.begin(), events.end(),
                          [](const nlohmann::json& e) { return e["type"] == "HookIneffective"; }),
            1);

  // The configuration fixed, `repair --force` reloads: the whole chain is served.
  nginx_.Repoint(Root() / "tls/server.pem", Root() / "tls/server.key");
  ProcessResult forced = Seamctl({"repair", "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.out << forced.err;
  EXPECT_EQ(nginx_.Reloads(), reloads_before + 2);
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
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

// certbot's layout behind nginx, with the pem side as the seam's authority: what certbot renews
// is adopted and nginx reloaded onto it; seam never writes into live/ or archive/.
class CertbotNginxTest : public SeamctlTest {
 protected:
  void SetUp() override {
    seam::testing::WriteFile(Root() / "renew.sh", kCertbotRenewScript);
    ASSERT_EQ(Renew().exit_code, 0);
    ASSERT_EQ(nginx_.Start(), "");
    WriteConfig(Config("disk"));
    ProcessResult init = Seamctl({"init"});
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
    // The first certificate certbot obtained: the authority's value, adopted by the first repair.
    ProcessResult first = Seamctl({"repair"});
    ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
    ASSERT_EQ(Served(), Disk());
  }

  std::string Config(const std::string& authority) const { return CertbotSeamToml(nginx_, authority); }
  ProcessResult Renew(const std::string& how = "") { return RunCertbotRenew(Root(), how); }
  std::map<std::string, std::string> Layout() const { return CertbotLayout(Root()); }
  std::vector<std::string> Types() {
    std::vector<std::string> out;
    for (const nlohmann::json& e : LogEvents()) out.push_back(e["type"]);
    return out;
  }
  std::string Disk() { return CertificateFileSha256(Root() / "live/web/fullchain.pem"); }
  std::string Served() { return ServedSha256(nginx_.port()); }
  bool ServedWithin2s(const std::string& leaf) { return ServedWithin(nginx_.port(), leaf, std::chrono::seconds(2)); }

  NginxServer nginx_{Root() / "nginx", Root() / "live/web/fullchain.pem", Root() / "live/web/privkey.pem"};
};

TEST_F(CertbotNginxTest, ARenewalIsAdoptedAndNginxReloadedNeverReverted) {
  EXPECT_EQ(Types().front(), "CertificateAdopted");
  const std::string first = Disk();
  ASSERT_EQ(Renew().exit_code, 0);
  const std::map<std::string, std::string> renewed = Layout();
  ASSERT_NE(Disk(), first);
  EXPECT_EQ(Served(), first);  // renewed on disk, the old one still served

  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_TRUE(ServedWithin2s(Disk())) << Served();
  EXPECT_EQ(Layout(), renewed);  // nothing in archive/ or live/ rewritten
  const std::vector<nlohmann::json> events = LogEvents();
  const auto adopted = std::count_if(events.begin(), events.end(),
                                     [](const nlohmann::json& e) { return e["type"] == "CertificateAdopted"; });
  EXPECT_EQ(adopted, 2);
  const nlohmann::json* last = nullptr;
  for (const nlohmann::json& e : events) {
    if (e["type"] == "CertificateAdopted") last = &e;
  }
  ASSERT_NE(last, nullptr);
  EXPECT_EQ((*last)["details"]["side"], "disk");
  EXPECT_EQ((*last)["details"]["reason"], "authority");
  EXPECT_EQ((*last)["details"]["sans"], "web.test");
  EXPECT_EQ((*last)["details"]["leaf_sha256"], Disk());
  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  // Another pass changes nothing: the renewal is the log's now.
  const std::size_t count = events.size();
  EXPECT_EQ(Seamctl({"repair"}).exit_code, 0);
  EXPECT_EQ(LogEvents().size(), count);
  EXPECT_EQ(Layout(), renewed);
}

// certbot's --deploy-hook "seamctl wrap …" form: the renewal runs under the seam's lock.
TEST_F(CertbotNginxTest, UnderWrapARenewalIsAdoptedAndNginxReloaded) {
  const std::string first = Disk();
  ProcessResult wrapped = Seamctl({"wrap", "web-tls", "--", "/bin/sh", "renew.sh"});
  EXPECT_EQ(wrapped.exit_code, 0) << wrapped.out << wrapped.err;
  EXPECT_NE(Disk(), first);
  EXPECT_TRUE(ServedWithin2s(Disk())) << Served();
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
}

// A renewal whose key does not match its certificate is not adopted, not overwritten, and
// nginx keeps serving the last good certificate.
TEST_F(CertbotNginxTest, ABrokenRenewalIsNeitherAdoptedNorOverwritten) {
  const std::string first = Disk();
  ASSERT_EQ(Renew("mismatch").exit_code, 0);
  const std::map<std::string, std::string> broken = Layout();
  const std::size_t count = LogEvents().size();
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 2) << repair.out << repair.err;
  EXPECT_TRUE(Contains(repair.err, "side disk of seam web-tls holds a certificate that cannot be adopted: the private "
                                   "key is not the key of the chain's leaf certificate"))
      << repair.err;
  EXPECT_EQ(Layout(), broken);
  EXPECT_EQ(Served(), first);
  const std::vector<std::string> types = Types();
  EXPECT_EQ(types.front(), "CertificateAdopted");  // the first certificate, and no other
  EXPECT_EQ(std::count(types.begin(), types.end(), "CertificateAdopted"), 1);
  EXPECT_GE(LogEvents().size(), count);  // drift records at most
  int code = -1;
  const nlohmann::json report = CheckJson(&code);
  EXPECT_EQ(code, 1) << report.dump(2);
  EXPECT_EQ(SideOf(report, "disk")["verdict"], "foreign");
}

// With the log as the authority, a write into certbot's layout is refused (never through its
// links), naming the way out; nothing on disk changes.
TEST_F(CertbotNginxTest, WithTheLogAsAuthorityARenewalIsNeverWrittenOverThroughTheLinks) {
  WriteConfig(Config("log"));
  ASSERT_EQ(Renew().exit_code, 0);
  const std::map<std::string, std::string> renewed = Layout();
  // The drift stays (exit 1), with the reason beside the side.
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 1) << repair.out << repair.err;
  EXPECT_TRUE(Contains(repair.out, "[skipped: " + (Root() / "live/web/fullchain.pem").string() +
                                       " is a symlink to ../../archive/web/fullchain2.pem"))
      << repair.out;
  EXPECT_TRUE(Contains(repair.out, "make this side the seam's `authority`")) << repair.out;
  EXPECT_EQ(Layout(), renewed);
}

// An observe-only side cannot be the authority: it shows a certificate, not its key.
TEST_F(CertbotNginxTest, AnEndpointCannotBeTheAuthority) {
  WriteConfig(Config("served"));
  ProcessResult check = Seamctl({"check"});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_TRUE(Contains(check.err, "authority side `served` is observe-only (tls-endpoint)")) << check.err;
}

// Under authority = "log", a pair written over as `foreign` is kept sealed in its SideRepaired
// and `seamctl restore` brings it back byte for byte; the key never reaches any output.
TEST_F(NginxCertTest, APairOverwrittenAsForeignCanBeRestoredByteForByte) {
  ASSERT_EQ(Seamctl({"cert", "issue", kSeam, "--self-signed", "--cn", "web.test"}).exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(MakeCertificate("theirs.test", Root() / "tls/server.pem", Root() / "tls/server.key"));
  const std::string chain = seam::testing::ReadFile(Root() / "tls/server.pem");
  const std::string key = seam::testing::ReadFile(Root() / "tls/server.key");
  ProcessResult repair = Seamctl({"repair"});
  ASSERT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  ASSERT_NE(seam::testing::ReadFile(Root() / "tls/server.pem"), chain);
  std::int64_t seq = 0;
  for (const nlohmann::json& e : LogEvents()) {
    if (e["type"] == "SideRepaired" && e["details"]["side"] == "disk") seq = e["seq"];
  }
  ASSERT_GT(seq, 0);

  ProcessResult restore = Seamctl({"restore", kSeam, "--event", std::to_string(seq), "--to", "kept"});
  ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
  EXPECT_TRUE(Contains(restore.out, "web-tls: restored the pair side disk held before SideRepaired (seq " +
                                        std::to_string(seq) + ") wrote over it (sha256:" +
                                        CertificateFileSha256(Root() / "kept/chain.pem").substr(0, 16) + "...)"))
      << restore.out;
  EXPECT_EQ(seam::testing::ReadFile(Root() / "kept/chain.pem"), chain);
  EXPECT_EQ(seam::testing::ReadFile(Root() / "kept/key.pem"), key);
  EXPECT_EQ(fs::status(Root() / "kept/key.pem").permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  const std::string key_body = key.substr(40, 32);
  EXPECT_FALSE(Contains(restore.out + restore.err + repair.out + repair.err, key_body));
  EXPECT_FALSE(Contains(seam::testing::ReadFile(DbFile()), key_body));
  EXPECT_FALSE(Contains(Seamctl({"log", kSeam}).out, key_body));

  // Never over existing files; not an event of this seam; an event that keeps no pair.
  ProcessResult again = Seamctl({"restore", kSeam, "--event", std::to_string(seq), "--to", "kept"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_TRUE(Contains(again.err, "kept/chain.pem exists; restore writes new files only")) << again.err;
  EXPECT_EQ(seam::testing::ReadFile(Root() / "kept/key.pem"), key);
  ProcessResult applied = Seamctl({"restore", kSeam, "--event", std::to_string(seq + 1), "--to", "other"});
  EXPECT_EQ(applied.exit_code, 2);
  EXPECT_TRUE(Contains(applied.err, "keeps no pair")) << applied.err;
  EXPECT_FALSE(fs::exists(Root() / "other"));
  ProcessResult past = Seamctl({"restore", kSeam, "--event", "100000", "--to", "other"});
  EXPECT_EQ(past.exit_code, 2);
  EXPECT_TRUE(Contains(past.err, "event 100000 is past the log's head")) << past.err;
  // A version of the seam itself: its own chain and key.
  ProcessResult version = Seamctl({"restore", kSeam, "--event", "1", "--to", "v1"});
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_TRUE(Contains(version.out, "restored version 1 of the seam (CertificateIssued, seq 1)")) << version.out;
}

// acme.sh's --install-cert and step's `ca renew` write the files in place (`cat new > file`,
// key before chain), then run the command they are given: the recipe gives them
// `seamctl repair SEAM` with the pem side as the authority. acme.sh's renewal is a new key and
// certificate; step's renews the certificate for the same key.
constexpr char kInPlaceRenewScript[] = R"sh(#!/bin/sh
set -e
cd "$(dirname "$0")"
if [ "$1" = same-key ]; then
  openssl req -x509 -key tls/server.key -days 90 -subj /CN=web.test -addext subjectAltName=DNS:web.test \
    -out new.pem 2>/dev/null
  cat new.pem > tls/server.pem
else
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 90 -subj /CN=web.test \
    -addext subjectAltName=DNS:web.test -keyout new.key -out new.pem 2>/dev/null
  cat new.key > tls/server.key
  cat new.pem > tls/server.pem
fi
shift
exec "$@"
)sh";

TEST_F(NginxCertTest, InPlaceRenewalsThatRunSeamctlRepairAreAdoptedAndServed) {
  std::string config = seam::testing::ReadFile(ConfigPath());
  config.replace(config.find("entity = \"web\"\n"), 15, "entity = \"web\"\nauthority = \"disk\"\n");
  WriteConfig(config);
  ProcessResult first = Seamctl({"repair"});  // adopts what is on disk, as acme.sh left it
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  seam::testing::WriteFile(Root() / "renew.sh", kInPlaceRenewScript);
  for (const std::string how : {"new-key", "same-key"}) {
    const std::string before = Disk();
    ProcessOptions options;
    options.cwd = Root();
    ProcessResult renewed = RunProcess({"/bin/sh", "renew.sh", how, SEAMCTL_PATH, "-c", ConfigPath().string(), "repair",
                                        kSeam},
                                       options);
    EXPECT_EQ(renewed.exit_code, 0) << how << ": " << renewed.out << renewed.err;
    EXPECT_NE(Disk(), before) << how;
    EXPECT_TRUE(ServedWithin2s(Disk())) << how;
  }
  std::vector<std::string> types;
  for (const nlohmann::json& e : LogEvents()) types.push_back(e["type"]);
  EXPECT_EQ(std::count(types.begin(), types.end(), "CertificateAdopted"), 3);
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
}

}  // namespace
}  // namespace seam::e2e
