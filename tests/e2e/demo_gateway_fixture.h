#pragma once
// DemoGatewayTest: SeamdTest with the real demo-gateway (tools/demo_gateway) as a child process
// on 127.0.0.1. For binaries built with DEMO_GATEWAY_PATH (tests/e2e/CMakeLists.txt).

#include <signal.h>

#include <string>
#include <vector>

#include "tests/e2e/http_request.h"
#include "tests/e2e/seamd_fixture.h"

namespace seam::e2e {

// SeamdTest with a real demo-gateway (tools/demo_gateway) on 127.0.0.1, its database in
// gateway/gateway.db; restarted on the same port.
class DemoGatewayTest : public SeamdTest {
 protected:
  // Starts it (`extra`: more arguments, e.g. --restore FILE) and waits for its port file.
  void StartGateway(const std::vector<std::string>& extra = {}) {
    fs::create_directories(Root() / "gateway");
    fs::remove(Root() / "gateway/port");
    std::vector<std::string> argv = {DEMO_GATEWAY_PATH, "--listen", "127.0.0.1:" + std::to_string(port_),
                                     "--db", (Root() / "gateway/gateway.db").string(), "--port-file",
                                     (Root() / "gateway/port").string(), "--quiet"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    std::string error;
    ASSERT_TRUE(gateway_.Start(argv, Root(), Root() / "gateway/stdout.log", {}, {}, &error)) << error;
    ASSERT_TRUE(WaitFor([&] { return !ReadFile(Root() / "gateway/port").empty(); }))
        << ReadFile(Root() / "gateway/stdout.log");
    port_ = std::stoi(ReadFile(Root() / "gateway/port"));
  }
  void StopGateway() {
    gateway_.Signal(SIGKILL);
    gateway_.Wait(kDeadline);
  }
  void TearDown() override {
    SeamdTest::TearDown();
    if (gateway_.running()) StopGateway();
  }
  // One request to the gateway, as an admin's curl would send it; the status code (0: none).
  int Request(boost::beast::http::verb method, const std::string& path, const std::string& bearer = "",
              const std::string& body = "") const {
    return Http(static_cast<unsigned short>(port_), method, path, bearer, body).status;
  }

  DaemonProcess gateway_;
  int port_ = 0;
};

}  // namespace seam::e2e
