#include "tools/discover/served_certificates.h"

#include <optional>

#include "tools/discover/pem_extract.h"

namespace seam::discover {
namespace {

bool IsAddress(const std::string& host) {
  return host.find(':') != std::string::npos || host.find_first_not_of("0123456789.") == std::string::npos;
}

}  // namespace

Result<TlsProbeOptions> ParseEndpoint(const std::string& given) {
  TlsProbeOptions o;
  const std::size_t colon = given.rfind(':');
  const auto bad = [&given] {
    return Status::InvalidArgument("--probe-tls " + given + ": not HOST:PORT (a v6 address in brackets: [::1]:443)");
  };
  if (colon == std::string::npos || colon == 0 || colon + 1 == given.size()) return bad();
  o.host = given.substr(0, colon);
  if (o.host.front() == '[') {
    if (o.host.back() != ']' || o.host.size() < 3) return bad();
    o.host = o.host.substr(1, o.host.size() - 2);
  } else if (o.host.find(':') != std::string::npos) {
    return bad();
  }
  const std::string port = given.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return bad();
  const int n = std::stoi(port);
  if (n < 1 || n > 65535) return bad();
  o.port = static_cast<std::uint16_t>(n);
  if (!IsAddress(o.host)) o.server_name = o.host;
  return o;
}

void ProbeServers(const DiscoverOptions& options, const std::vector<TlsProbeOptions>& servers, const KeyRing& keys,
                  Findings& out) {
  for (std::size_t i = 0; i < servers.size(); ++i) {
    const std::string& where = options.probe_tls[i];
    Result<PeerChain> chain = FetchPeerChain(servers[i]);
    if (!chain.ok()) {
      ++out.stats.unreadable;
      out.warnings.push_back({where, chain.status().message()});
      continue;
    }
    if (std::optional<PemItem> item = ReadCertificateDer(chain->front())) {
      Place p;
      p.file = where;
      p.format = Format::kTls;
      p.why = Why::kCertificate;
      p.locator = "served certificate";
      p.mac = keys.FingerprintMac("certificate\n" + item->der);
      p.link_mac = keys.FingerprintMac("public key\n" + item->public_key);
      p.detail = item->detail;
      p.ca = item->ca;
      out.places.push_back(std::move(p));
    }
  }
}

}  // namespace seam::discover
