// tls-endpoint: real TLS servers on 127.0.0.1 (tls_test_server.h) serving certificates from a
// test CA made in the test, a server reload, and servers that refuse, hang or speak no TLS.

#include "plugins/tls_endpoint/tls_endpoint_side.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

#include "tests/plugins/pem_file/cert_fixture.h"
#include "tests/plugins/tls_endpoint/tls_test_server.h"
#include "tests/support/records.h"

namespace seam::testing {
namespace {

using State = Observation::State;
using Mode = TlsTestServer::Mode;

class TlsEndpointTest : public ::testing::Test {
 protected:
  using Keys = std::initializer_list<std::pair<const char*, OptionValue>>;
  static OptionValue S(std::string s) { return OptionValue{std::move(s), 0}; }

  SideOptions Options(Keys keys, KindFields kind = CertificateKind()) {
    SideOptions o("seam.toml", dir_.path(), "gateway-tls", "served", 30);
    o.SetKind(std::move(kind));
    int line = 31;
    for (const auto& [key, value] : keys) {
      OptionValue v = value;
      v.line = line++;
      o.Set(key, std::move(v));
    }
    return o;
  }
  std::unique_ptr<Side> Make(Keys keys) {
    SideOptions o = Options(keys);
    auto side = MakeTlsEndpointSide(o);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    return side.ok() ? std::move(side).value() : nullptr;
  }
  std::unique_ptr<Side> MakeFor(std::uint16_t port, const std::string& timeout_ms = "2000") {
    return Make({{"host", S("127.0.0.1")}, {"port", S(std::to_string(port))}, {"timeout_ms", S(timeout_ms)}});
  }
  std::string FactoryError(Keys keys, KindFields kind = CertificateKind()) {
    SideOptions o = Options(keys, std::move(kind));
    auto side = MakeTlsEndpointSide(o);
    EXPECT_FALSE(side.ok());
    return side.ok() ? std::string() : side.status().message();
  }
  static std::string Unreadable(Side& side) {
    Observation o = side.Observe();
    EXPECT_EQ(o.state, State::kUnreadable);
    EXPECT_FALSE(Contains(o.reason, "\n")) << o.reason;
    return o.reason;
  }

  TempDir dir_;
  TestCa ca_{dir_.path(), "ca"};
};

TEST_F(TlsEndpointTest, ObservesTheServedCertificate) {
  PemPair pair = IssuePair(ca_, "gateway");
  TlsTestServer server(Mode::kTls, pair.chain, pair.key);
  auto side = MakeFor(server.port());
  EXPECT_EQ(side->Fields(), (std::vector<std::string>{"leaf_sha256", "not_after"}));
  EXPECT_FALSE(side->Writable());
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o, "leaf_sha256"), LeafSha256(pair.chain));
  Result<CertificateInfo> info = ParseCertificateChain(pair.chain);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(FieldText(o, "not_after"), std::to_string(info->not_after));
  EXPECT_EQ(FieldText(o, "key_matches"), "<absent>");
  // Carried: the rest of the served chain (here the CA after the leaf) and its earliest expiry.
  ASSERT_EQ(info->rest_sha256.size(), 1U);
  EXPECT_EQ(FieldText(o, "chain_rest_sha256"), info->rest_sha256.front());
  EXPECT_EQ(FieldText(o, "chain_not_after"), std::to_string(info->rest_not_after));
  EXPECT_EQ(o.marker.opaque, "tls:" + LeafSha256(pair.chain) + "+" + info->rest_sha256.front());
  EXPECT_EQ(side->Describe(), "tls-endpoint 127.0.0.1:" + std::to_string(server.port()));
  // An address: no SNI (it carries names only).
  EXPECT_EQ(server.ServerNames(), std::vector<std::string>{""});
}

// A server that sends the leaf alone (the ingress-nginx#9305 kind of mistake) says so: no rest.
TEST_F(TlsEndpointTest, ALeafServedWithoutItsIntermediateHasNoChainRest) {
  PemPair pair = IssuePair(ca_, "gateway");
  const std::string leaf_only = pair.chain.substr(0, pair.chain.find("-----END CERTIFICATE-----") + 26);
  TlsTestServer server(Mode::kTls, leaf_only, pair.key);
  Observation o = MakeFor(server.port())->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o, "leaf_sha256"), LeafSha256(pair.chain));
  EXPECT_EQ(FieldText(o, "chain_rest_sha256"), "");
  EXPECT_EQ(FieldText(o, "chain_not_after"), "<absent>");
  // Serving the intermediate later is a change of what the side holds.
  EXPECT_EQ(o.marker.opaque, "tls:" + LeafSha256(pair.chain));
}

TEST_F(TlsEndpointTest, SeesTheNewCertificateAfterTheServerReloads) {
  PemPair old_pair = IssuePair(ca_, "old");
  PemPair new_pair = IssuePair(ca_, "new");
  TlsTestServer server(Mode::kTls, old_pair.chain, old_pair.key);
  auto side = MakeFor(server.port());
  Observation before = side->Observe();
  ASSERT_EQ(before.state, State::kValue) << before.reason;
  EXPECT_EQ(FieldText(before, "leaf_sha256"), LeafSha256(old_pair.chain));

  // Renewed files alone change nothing that is served...
  EXPECT_EQ(side->Observe().marker, before.marker);
  // ...the reload does.
  server.Reload(new_pair.chain, new_pair.key);
  Observation after = side->Observe();
  ASSERT_EQ(after.state, State::kValue) << after.reason;
  EXPECT_EQ(FieldText(after, "leaf_sha256"), LeafSha256(new_pair.chain));
  EXPECT_NE(after.marker, before.marker);
}

TEST_F(TlsEndpointTest, VerificationIsOffSoExpiredSelfSignedIsObserved) {
  const std::int64_t now = NowUnix();
  PemPair expired = SelfSignedPair("gw.example.test", 1, now - 30 * 86400);
  TlsTestServer server(Mode::kTls, expired.chain, expired.key);
  Observation o = MakeFor(server.port())->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o, "leaf_sha256"), LeafSha256(expired.chain));
  EXPECT_EQ(FieldText(o, "not_after"), std::to_string(now - 29 * 86400));
}

TEST_F(TlsEndpointTest, SendsTheServerName) {
  PemPair pair = IssuePair(ca_, "gateway");
  TlsTestServer server(Mode::kTls, pair.chain, pair.key);
  const std::string port = std::to_string(server.port());
  // A name: SNI is the host by default ("localhost" may resolve to ::1 first, where nothing
  // listens; the next address is tried).
  Observation by_host = Make({{"host", S("localhost")}, {"port", S(port)}})->Observe();
  ASSERT_EQ(by_host.state, State::kValue) << by_host.reason;
  auto named = Make({{"host", S("127.0.0.1")}, {"port", S(port)}, {"server_name", S("gw.example.test")}});
  EXPECT_EQ(named->Describe(), "tls-endpoint 127.0.0.1:" + port + " (server name gw.example.test)");
  ASSERT_EQ(named->Observe().state, State::kValue);
  EXPECT_EQ(server.ServerNames(), (std::vector<std::string>{"localhost", "gw.example.test"}));
}

TEST_F(TlsEndpointTest, RefusedConnectionIsUnreadable) {
  const std::uint16_t port = UnusedLoopbackPort();
  EXPECT_EQ(Unreadable(*MakeFor(port)), "tls-endpoint 127.0.0.1:" + std::to_string(port) + ": connection refused");
}

TEST_F(TlsEndpointTest, ServerThatNeverAnswersTimesOut) {
  TlsTestServer server(Mode::kHang);
  auto side = MakeFor(server.port(), "300");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Unreadable(*side),
            "tls-endpoint 127.0.0.1:" + std::to_string(server.port()) + ": TLS handshake timed out after 300 ms");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

// A caller's deadline before the timeout ends the probe then, blocking or not, and says so.
TEST_F(TlsEndpointTest, ADeadlineBeforeTheTimeoutEndsTheProbeAndSaysSo) {
  TlsTestServer server(Mode::kHang);
  auto side = MakeFor(server.port(), "20000");
  const std::string where = "tls-endpoint 127.0.0.1:" + std::to_string(server.port()) + ": ";
  const auto start = std::chrono::steady_clock::now();
  Observation blocking = side->Observe(start + std::chrono::milliseconds(300));
  EXPECT_EQ(blocking.state, State::kUnreadable);
  EXPECT_EQ(blocking.reason.rfind(where + "no answer by the deadline (", 0), 0u) << blocking.reason;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));

  std::promise<Observation> answer;
  std::future<Observation> got = answer.get_future();
  side->ObserveAsync(std::chrono::steady_clock::now() + std::chrono::milliseconds(300),
                     [&answer](Observation o) { answer.set_value(std::move(o)); });
  ASSERT_EQ(got.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  Observation async = got.get();
  EXPECT_EQ(async.reason.rfind(where + "no answer by the deadline (", 0), 0u) << async.reason;
  EXPECT_EQ(side->Observe(std::chrono::steady_clock::now()).reason, where + "no answer by the deadline (0 ms)");
}

// ObserveAsync answers on the network thread with what Observe reports: the served certificate,
// and a hanging server's timeout.
TEST_F(TlsEndpointTest, ObserveAsyncReportsWhatObserveReports) {
  PemPair pair = IssuePair(ca_, "gateway");
  TlsTestServer served(Mode::kTls, pair.chain, pair.key);
  TlsTestServer hanging(Mode::kHang);
  for (std::uint16_t port : {served.port(), hanging.port()}) {
    auto side = MakeFor(port, "300");
    ASSERT_TRUE(side->ObservesAsync());
    std::promise<Observation> answer;
    std::future<Observation> got = answer.get_future();
    side->ObserveAsync(kNoDeadline, [&answer](Observation o) { answer.set_value(std::move(o)); });
    ASSERT_EQ(got.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    Observation async = got.get();
    Observation sync = side->Observe();
    EXPECT_EQ(async.state, sync.state);
    EXPECT_EQ(async.reason, sync.reason);
    EXPECT_EQ(async.marker, sync.marker);
    EXPECT_EQ(FieldText(async, "leaf_sha256"), FieldText(sync, "leaf_sha256"));
  }
}

TEST_F(TlsEndpointTest, ServerThatSpeaksNoTlsIsUnreadable) {
  TlsTestServer server(Mode::kGarbage);
  std::string why = Unreadable(*MakeFor(server.port()));
  EXPECT_TRUE(Contains(why, "tls-endpoint 127.0.0.1:" + std::to_string(server.port()) + ": TLS handshake failed: "))
      << why;
  EXPECT_TRUE(Contains(why, "wrong version number")) << why;
}

TEST_F(TlsEndpointTest, UnresolvableNameIsUnreadable) {
  auto side = Make({{"host", S("no-such-host.invalid")}, {"port", S("443")}, {"connect_timeout_ms", S("1000")}});
  std::string why = Unreadable(*side);
  EXPECT_TRUE(Contains(why, "tls-endpoint no-such-host.invalid:443: cannot resolve no-such-host.invalid: ")) << why;
}

TEST_F(TlsEndpointTest, WriteAndRemoveAreRefusedAndCheckWritableIsOk) {
  auto side = MakeFor(443);
  const std::string want = "tls-endpoint 127.0.0.1:443 is observe-only; its repair is on_repair (e.g. reload the server)";
  PemPair pair = IssuePair(ca_, "gateway");
  Record record;
  record.emplace("chain", Secret(pair.chain));
  record.emplace("key", Secret(pair.key));
  Status w = side->Write(record, ChangeMarker{"tls:x"});
  EXPECT_EQ(w.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(w.message(), want);
  Status r = side->Remove(ChangeMarker{"tls:x"});
  EXPECT_EQ(r.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.message(), want);
  EXPECT_TRUE(side->CheckWritable().ok());
}

TEST_F(TlsEndpointTest, Ipv6HostInBrackets) {
  auto side = Make({{"host", S("[::1]")}, {"port", S("8443")}});
  EXPECT_EQ(side->Describe(), "tls-endpoint [::1]:8443");
}

TEST_F(TlsEndpointTest, ConfigErrorsNameTheLine) {
  const std::string where = "seam.toml:";
  const std::string side = ": seam `gateway-tls` side `served`: ";
  // (SideOptions' misspelling hint also points at `port`, two edits from `host`.)
  EXPECT_TRUE(FactoryError({{"port", S("443")}}).starts_with(where + "30" + side + "missing required key `host`"));
  EXPECT_EQ(FactoryError({{"host", S("gw")}}), where + "30" + side + "missing required key `port`");
  const std::string port_want = "key `port` must be a string of digits from 1 to 65535, e.g. port = \"443\"";
  EXPECT_EQ(FactoryError({{"host", S("gw")}, {"port", S("0")}}), where + "32" + side + port_want + ", got 0");
  EXPECT_EQ(FactoryError({{"host", S("gw")}, {"port", S("65536")}}), where + "32" + side + port_want + ", got 65536");
  EXPECT_EQ(FactoryError({{"host", S("gw")}, {"port", S("https")}}), where + "32" + side + port_want + ", got \"https\"");
  // A TOML integer: SideOptions offers plugins strings only, so the hint says to quote it.
  EXPECT_EQ(FactoryError({{"host", S("gw")}, {"port", OptionValue{std::int64_t{443}, 0}}}), where + "32" + side + port_want);
  EXPECT_EQ(FactoryError({{"host", S("gw example")}, {"port", S("443")}}),
            where + "31" + side + "key `host` must be a DNS name or an IP address, got \"gw example\"");
  EXPECT_EQ(FactoryError({{"host", S("gw")}, {"port", S("443")}, {"server_name", S("10.0.0.1")}}),
            where + "33" + side + "key `server_name` must be a DNS name (SNI does not carry addresses), got \"10.0.0.1\"");
  EXPECT_EQ(FactoryError({{"host", S("gw")}, {"port", S("443")}, {"timeout_ms", S("0")}}),
            where + "33" + side + "key `timeout_ms` must be a string of digits from 1 to 600000, e.g. timeout_ms = \"2000\", got 0");
  EXPECT_EQ(FactoryError({{"host", S("gw")}, {"port", S("443")}, {"cert_path", S("c.pem")}}),
            where + "33" + side + "unknown key `cert_path`");
}

TEST_F(TlsEndpointTest, RefusesAnotherKind) {
  EXPECT_EQ(FactoryError({{"host", S("gw")}, {"port", S("443")}}, KindFields{}),
            "seam.toml:30: seam `gateway-tls` side `served`: plugin `tls-endpoint` observes a served certificate; it is "
            "for seams of kind `certificate`, not `token`");
}

}  // namespace
}  // namespace seam::testing
