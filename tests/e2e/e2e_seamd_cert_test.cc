// seamd and a certificate renewed by another tool: certbot's layout (a script writing exactly
// what certbot writes) behind a real nginx, the pem-file side the seam's authority. A renewal
// written while seamd runs is adopted and nginx reloaded onto it, and nothing certbot wrote is
// ever reverted. A missing nginx fails these tests.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "core/x509.h"
#include "tests/e2e/http_request.h"
#include "tests/e2e/seamd_fixture.h"
#include "tests/e2e/tls_peer.h"

namespace seam::e2e {
namespace {

constexpr char kCertSeam[] = "web-tls";

class SeamdCertbotNginxTest : public SeamdTest {
 protected:
  void SetUp() override {
    WriteFile(Root() / "renew.sh", kCertbotRenewScript);
    ASSERT_EQ(Renew().exit_code, 0);
    ASSERT_EQ(nginx_.Start(), "");
    listen_port_ = FreeLoopbackPort();
    WriteConfig("[daemon]\nlisten = \"127.0.0.1:" + std::to_string(listen_port_) + "\"\n\n" +
                CertbotSeamToml(nginx_, "disk", "interval = \"1s\"\n"));
    ProcessResult init = Seamctl({"init"});
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  }

  ProcessResult Renew(const std::string& how = "") { return RunCertbotRenew(Root(), how); }
  std::map<std::string, std::string> Layout() const { return CertbotLayout(Root()); }
  long Adoptions() {
    const std::vector<nlohmann::json> events = LogEvents();
    return std::count_if(events.begin(), events.end(),
                         [](const nlohmann::json& e) { return e["type"] == "CertificateAdopted"; });
  }
  // Confirmations of side `side` in the log (SideApplied and SideRepaired).
  long Confirmations(const std::string& side) {
    const std::vector<nlohmann::json> events = LogEvents();
    return std::count_if(events.begin(), events.end(), [&](const nlohmann::json& e) {
      return (e["type"] == "SideApplied" || e["type"] == "SideRepaired") && e["details"]["side"] == side;
    });
  }
  std::string Disk() { return CertificateFileSha256(Root() / "live/web/fullchain.pem"); }
  std::string Served() { return ServedSha256(nginx_.port()); }

  int listen_port_ = 0;
  NginxServer nginx_{Root() / "nginx", Root() / "live/web/fullchain.pem", Root() / "live/web/privkey.pem"};
};

TEST_F(SeamdCertbotNginxTest, ARenewalWrittenWhileSeamdRunsIsAdoptedAndServed) {
  ASSERT_NO_FATAL_FAILURE(StartSeamd({kCertSeam}));
  // The certificate certbot obtained first is the authority's: adopted at start-up.
  ASSERT_TRUE(WaitFor([&] { return Adoptions() == 1; })) << DaemonLog();
  for (int renewal = 2; renewal <= 4; ++renewal) {
    ASSERT_EQ(Renew().exit_code, 0);
    const std::string disk = Disk();
    const std::map<std::string, std::string> renewed = Layout();
    EXPECT_TRUE(WaitFor([&] { return Served() == disk; }, milliseconds(15000)))
        << "renewal " << renewal << ": served " << Served() << ", disk " << disk;
    EXPECT_TRUE(WaitFor([&] { return Adoptions() == renewal; })) << renewal;
    EXPECT_EQ(Layout(), renewed);  // nothing certbot wrote rewritten or re-linked
  }
  // Once seamd's pass has recorded its confirmations, the seam is in sync; the renewals left no
  // error behind (certbot's links repointed one by one are waited out, not reported).
  EXPECT_TRUE(WaitFor([&] { return Seamctl({"check"}).exit_code == 0; })) << Seamctl({"check"}).out;
  EXPECT_FALSE(Contains(DaemonLog(), "cannot be adopted")) << DaemonLog();

  // What an alert rule reads: when each side's certificate and the intended one expire.
  Result<CertificateInfo> info = ParseCertificateChain(ReadFile(Root() / "live/web/fullchain.pem"));
  ASSERT_TRUE(info.ok());
  const std::string expires = std::to_string(info->not_after);
  std::string metrics;
  EXPECT_TRUE(WaitFor([&] {
    metrics = Http(static_cast<unsigned short>(listen_port_), boost::beast::http::verb::get, "/metrics").body;
    return Contains(metrics, "seam_certificate_not_after_seconds{seam=\"web-tls\",side=\"served\"} " + expires);
  })) << metrics;
  EXPECT_TRUE(Contains(metrics, "seam_certificate_not_after_seconds{seam=\"web-tls\",side=\"disk\"} " + expires)) << metrics;
  EXPECT_TRUE(Contains(metrics, "seam_certificate_intended_not_after_seconds{seam=\"web-tls\"} " + expires)) << metrics;
  // The page says it too, under the seam's heading.
  const std::string page = Http(static_cast<unsigned short>(listen_port_), boost::beast::http::verb::get, "/").body;
  const std::string when = FormatUnixTime(info->not_after) + " (in 90 days)";
  EXPECT_TRUE(Contains(page, "<p class=\"expiry\" data-seam=\"web-tls\">expires " + when + " \u00b7 disk " + when +
                                 " \u00b7 served " + when + "</p>"))
      << page.substr(0, 3000);
}

TEST_F(SeamdCertbotNginxTest, ABrokenRenewalIsNeverAdoptedWhileSeamdRuns) {
  ASSERT_NO_FATAL_FAILURE(StartSeamd({kCertSeam}));
  ASSERT_TRUE(WaitFor([&] { return Adoptions() == 1; })) << DaemonLog();
  const std::string first = Served();
  ASSERT_EQ(Renew("mismatch").exit_code, 0);
  const std::map<std::string, std::string> broken = Layout();
  // seamd looks (its watch) and says why it does not adopt.
  EXPECT_TRUE(WaitFor([&] { return Contains(DaemonLog(), "holds a certificate that cannot be adopted"); }))
      << DaemonLog();
  EXPECT_EQ(Adoptions(), 1);
  EXPECT_EQ(Layout(), broken);
  EXPECT_EQ(Served(), first);
  // The next good renewal is adopted and served.
  ASSERT_EQ(Renew().exit_code, 0);
  const std::string disk = Disk();
  EXPECT_TRUE(WaitFor([&] { return Served() == disk; }, milliseconds(15000))) << DaemonLog();
  EXPECT_TRUE(WaitFor([&] { return Adoptions() == 2; }));
}

// nginx restarted onto stale files while seamd was down (a reboot with nginx.conf naming an old
// copy, fixed by hand afterwards but not reloaded): seamd's start-up sees the old certificate
// served and reloads nginx onto the one on disk, without anyone running seamctl. (seamd is down
// meanwhile so that its reload cannot come before the hand fix: a reload that changes nothing is
// not run again until what is served changes, HookIneffective.)
TEST_F(SeamdCertbotNginxTest, NginxRestartedOnStaleFilesIsReloadedBySeamd) {
  ASSERT_NO_FATAL_FAILURE(StartSeamd({kCertSeam}));
  ASSERT_TRUE(WaitFor([&] { return Adoptions() == 1 && Confirmations("served") >= 1; })) << DaemonLog();
  ASSERT_EQ(Renew().exit_code, 0);
  const std::string renewed = Disk();
  // The renewal's own completion (adopted, nginx reloaded, confirmed) is over before nginx is
  // restarted: otherwise its reload would be what brings nginx back, not the drift repair.
  ASSERT_TRUE(WaitFor([&] { return Adoptions() == 2 && Confirmations("served") >= 2; }, milliseconds(15000)))
      << DaemonLog();
  ASSERT_EQ(Served(), renewed);
  const long confirmed = Confirmations("served");

  StopSeamd();
  nginx_.Stop();
  nginx_.Repoint(Root() / "archive/web/fullchain1.pem", Root() / "archive/web/privkey1.pem");
  ASSERT_EQ(nginx_.Start(), "");
  const std::string stale = Served();
  ASSERT_NE(stale, renewed);
  nginx_.Repoint(Root() / "live/web/fullchain.pem", Root() / "live/web/privkey.pem");  // for its next reload
  ASSERT_NO_FATAL_FAILURE(StartSeamd({kCertSeam}));

  EXPECT_TRUE(WaitFor([&] { return Served() == renewed; }, milliseconds(15000))) << DaemonLog();
  EXPECT_TRUE(WaitFor([&] { return Confirmations("served") > confirmed; })) << DaemonLog();
  const std::vector<nlohmann::json> events = LogEvents();
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const nlohmann::json& e) {
    return e["type"] == "SideRepaired" && e["details"]["side"] == "served" &&
           e["details"]["verdict_before"] == "lagging";
  })) << DaemonLog();
  EXPECT_EQ(Adoptions(), 2);  // nothing adopted from what nginx served
}

}  // namespace
}  // namespace seam::e2e
