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
    WriteConfig("[daemon]\nlisten = \"127.0.0.1:" + std::to_string(listen_port_) + "\"\n\n" + R"([[seam]]
name = "web-tls"
kind = "certificate"
entity = "web"
authority = "disk"
order = ["disk", "served"]
interval = "1s"
[seam.sides.disk]
plugin = "pem-file"
cert_path = "live/web/fullchain.pem"
key_path = "live/web/privkey.pem"
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

  ProcessResult Renew(const std::string& how = "") {
    ProcessOptions options;
    options.cwd = Root();
    std::vector<std::string> argv{"/bin/sh", "renew.sh"};
    if (!how.empty()) argv.push_back(how);
    return RunProcess(argv, options);
  }
  std::map<std::string, std::string> Layout() const {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(Root() / "archive")) {
      if (e.is_regular_file()) out[e.path().string()] = ReadFile(e.path());
    }
    for (const auto& e : fs::directory_iterator(Root() / "live/web")) {
      out[e.path().string()] = e.is_symlink() ? "-> " + fs::read_symlink(e.path()).string() : "NOT A LINK";
    }
    return out;
  }
  long Adoptions() {
    const std::vector<nlohmann::json> events = LogEvents();
    return std::count_if(events.begin(), events.end(),
                         [](const nlohmann::json& e) { return e["type"] == "CertificateAdopted"; });
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

}  // namespace
}  // namespace seam::e2e
