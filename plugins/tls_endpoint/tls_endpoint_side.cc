#include "plugins/tls_endpoint/tls_endpoint_side.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/x509.h"
#include "plugins/tls_endpoint/tls_probe.h"

namespace seam {
namespace {

bool IsIpAddress(const std::string& s) {
  in6_addr buf{};
  return ::inet_pton(AF_INET, s.c_str(), &buf) == 1 || ::inet_pton(AF_INET6, s.c_str(), &buf) == 1;
}

bool IsDnsName(const std::string& s) {
  return !s.empty() && s.size() <= 253 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '.' || c == '_';
         });
}

class TlsEndpointSide final : public Side {
 public:
  explicit TlsEndpointSide(TlsProbeOptions probe) : probe_(std::move(probe)) {
    const bool v6 = probe_.host.find(':') != std::string::npos;
    where_ = "tls-endpoint " + (v6 ? "[" + probe_.host + "]" : probe_.host) + ":" + std::to_string(probe_.port);
  }

  using Side::Observe;
  Observation Observe(Deadline deadline) override {
    const WaitBudget budget = BudgetFor(probe_.timeout, deadline);
    if (budget.Expired()) return Observation::Unreadable(where_ + ": " + DeadlineReason(budget));
    return ObservationOf(FetchPeerChain(Within(budget)), budget);
  }
  bool ObservesAsync() const override { return true; }
  // The caller keeps the side alive until `done` has been called (core/side.h).
  void ObserveAsync(Deadline deadline, std::function<void(Observation)> done) override {
    const WaitBudget budget = BudgetFor(probe_.timeout, deadline);
    if (budget.Expired()) return done(Observation::Unreadable(where_ + ": " + DeadlineReason(budget)));
    FetchPeerChainAsync(Within(budget), [this, budget, done = std::move(done)](Result<PeerChain> chain) {
      done(ObservationOf(std::move(chain), budget));
    });
  }
  // The probe with its deadlines cut to the budget.
  TlsProbeOptions Within(const WaitBudget& budget) const {
    TlsProbeOptions probe = probe_;
    probe.timeout = budget.allowed;
    probe.connect_timeout = std::min(probe.connect_timeout, budget.allowed);
    return probe;
  }
  Observation ObservationOf(Result<PeerChain> chain, const WaitBudget& budget) const {
    if (!chain.ok() && budget.Overran()) return Observation::Unreadable(where_ + ": " + DeadlineReason(budget));
    return ObservationOf(std::move(chain));
  }
  Observation ObservationOf(Result<PeerChain> chain) const {
    if (!chain.ok()) return Observation::Unreadable(where_ + ": " + chain.status().message());
    Result<CertificateInfo> info = ParseCertificateDer(chain->front());
    if (!info.ok()) return Observation::Unreadable(where_ + ": the served certificate: " + info.status().message());
    Record fields;
    fields.emplace("leaf_sha256", Secret(info->leaf_sha256));
    fields.emplace("not_after", Secret(std::to_string(info->not_after)));
    // Carried, not compared: the rest of the served chain (what a missing intermediate shows in).
    std::string rest;
    std::int64_t rest_not_after = 0;
    for (std::size_t i = 1; i < chain->size(); ++i) {
      Result<CertificateInfo> next = ParseCertificateDer((*chain)[i]);
      if (!next.ok()) continue;  // what is served beyond the leaf is reported as far as it parses
      rest += (rest.empty() ? "" : ",") + next->leaf_sha256;
      if (rest_not_after == 0 || next->not_after < rest_not_after) rest_not_after = next->not_after;
    }
    fields.emplace("chain_rest_sha256", Secret(rest));
    if (rest_not_after != 0) fields.emplace("chain_not_after", Secret(std::to_string(rest_not_after)));
    // The rest of the chain is part of the marker: serving the missing intermediate is a change.
    return Observation::Value(std::move(fields),
                              ChangeMarker{"tls:" + info->leaf_sha256 + (rest.empty() ? "" : "+" + rest)});
  }
  std::vector<std::string> Fields() const override { return {"leaf_sha256", "not_after"}; }
  Status Write(const Record&, const ChangeMarker&) override { return ObserveOnly(); }
  Status Remove(const ChangeMarker&) override { return ObserveOnly(); }
  // Nothing to check: operations skip sides that are not Writable().
  Status CheckWritable() override { return Status::Ok(); }
  bool Writable() const override { return false; }
  std::vector<FilePlace> FilePlaces() const override { return {{where_.substr(where_.find(' ') + 1), "served certificate"}}; }
  std::optional<Endpoint> WatchEndpoint() const override { return Endpoint{probe_.host, std::to_string(probe_.port)}; }
  std::string Describe() const override {
    return where_ + (probe_.server_name.empty() || probe_.server_name == probe_.host
                         ? std::string()
                         : " (server name " + probe_.server_name + ")");
  }

 private:
  Status ObserveOnly() const {
    return Status::FailedPrecondition(where_ + " is observe-only; its repair is on_repair (e.g. reload the server)");
  }

  TlsProbeOptions probe_;
  std::string where_;  // "tls-endpoint HOST:PORT"
};

class Taker {
 public:
  explicit Taker(SideOptions& options) : options_(options) {}
  Status Error(const std::string& key, const std::string& why) const {
    return Status::InvalidArgument(options_.Where(options_.LineOf(key)) + ": key `" + key + "` " + why);
  }
  // A string of digits in [min, max]; `fallback` when absent. A TOML integer is refused with a
  // hint: SideOptions hands plugins strings, and every plugin takes its numbers as strings.
  Result<std::uint64_t> Number(const std::string& key, std::optional<std::uint64_t> fallback, std::uint64_t min,
                               std::uint64_t max, const std::string& example) {
    const std::string want = "must be a string of digits from " + std::to_string(min) + " to " +
                             std::to_string(max) + ", e.g. " + key + " = \"" + example + "\"";
    Result<std::optional<std::string>> text = options_.TakeString(key, false);
    if (!text.ok()) return Error(key, want);  // given, but not as a string
    if (!text->has_value()) {
      if (fallback) return *fallback;
      return options_.TakeString(key, true).status();  // the usual "missing required key", with its hint
    }
    const std::string& t = **text;
    if (t.empty() || t.size() > 12 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Error(key, want + ", got \"" + t + "\"");
    }
    const std::uint64_t n = std::stoull(t);
    if (n < min || n > max) return Error(key, want + ", got " + t);
    return n;
  }

 private:
  SideOptions& options_;
};

}  // namespace

Result<std::unique_ptr<Side>> MakeTlsEndpointSide(SideOptions& options) {
  // `plugin` itself is not among the options, so the table's line is the closest one.
  if (options.kind().kind != "certificate") {
    return Status::InvalidArgument(options.Where() + ": plugin `tls-endpoint` observes a served certificate; it is "
                                   "for seams of kind `certificate`, not `" + options.kind().kind + "`");
  }
  Taker take(options);
  TlsProbeOptions probe;
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> host, options.TakeString("host", true));
  probe.host = std::move(*host);
  if (probe.host.size() > 2 && probe.host.front() == '[' && probe.host.back() == ']') {
    probe.host = probe.host.substr(1, probe.host.size() - 2);
  }
  const bool is_ip = IsIpAddress(probe.host);
  if (!is_ip && !IsDnsName(probe.host)) {
    return take.Error("host", "must be a DNS name or an IP address, got \"" + probe.host + "\"");
  }
  SEAM_ASSIGN_OR_RETURN(std::uint64_t port, take.Number("port", std::nullopt, 1, 65535, "443"));
  probe.port = static_cast<std::uint16_t>(port);

  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> server_name, options.TakeString("server_name", false));
  if (server_name) {
    if (!IsDnsName(*server_name) || IsIpAddress(*server_name)) {
      return take.Error("server_name", "must be a DNS name (SNI does not carry addresses), got \"" + *server_name + "\"");
    }
    probe.server_name = std::move(*server_name);
  } else if (!is_ip) {
    probe.server_name = probe.host;
  }

  constexpr std::uint64_t kMaxMs = 600'000;
  SEAM_ASSIGN_OR_RETURN(std::uint64_t connect_ms, take.Number("connect_timeout_ms", 2000, 1, kMaxMs, "2000"));
  SEAM_ASSIGN_OR_RETURN(std::uint64_t timeout_ms, take.Number("timeout_ms", 2000, 1, kMaxMs, "2000"));
  probe.connect_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(connect_ms));
  probe.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeout_ms));
  SEAM_RETURN_IF_ERROR(options.RejectUnknown());
  return std::unique_ptr<Side>(std::make_unique<TlsEndpointSide>(std::move(probe)));
}

}  // namespace seam
