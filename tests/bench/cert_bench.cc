// Issue 14's figure: how soon nginx serves a renewal while seamd runs. certbot's layout (the
// script tests/e2e/tls_peer.h writes exactly what certbot writes) behind a real nginx, the
// pem-file side the seam's authority, a tls-endpoint side reloading nginx. For each of 20
// renewals (SEAM_BENCH_RENEWALS): the time from the renewal script's exit (the links repointed)
// to nginx presenting the renewed leaf, probed in-process every 5 ms. Goal: every renewal within
// 2 s. Baseline, same run, same machine: a deploy hook that reloads nginx itself at once
// (`nginx -s reload`, then the same probe): the floor of "renewed, then served".

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "core/x509.h"
#include "plugins/tls_endpoint/tls_endpoint_side.h"
#include "reconcilers/certificate/certificate_kind.h"
#include "tests/bench/bench_main.h"
#include "tests/e2e/daemon_process.h"
#include "tests/e2e/process.h"
#include "tests/e2e/tls_peer.h"
#include "tests/support/temp_dir.h"

namespace seam::bench {
namespace {

namespace fs = std::filesystem;
using e2e::NginxServer;
using e2e::ProcessResult;
using std::chrono::milliseconds;

struct RenewalFigures {
  bool ran = false;
  std::string error;
  std::vector<double> seamd_ms;     // renewal -> served, seamd running
  std::vector<double> baseline_ms;  // renewal -> served, nginx reloaded at once by hand
};
RenewalFigures g_renewal;

std::string ReadText(const fs::path& p) {
  std::FILE* f = std::fopen(p.c_str(), "rb");
  if (f == nullptr) return "";
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  std::fclose(f);
  return out;
}

// A tls-endpoint side on nginx, as seam.toml would make it: the probe seamd itself uses.
std::unique_ptr<Side> Endpoint(int port) {
  SideOptions o("bench.toml", ".", "web-tls", "probe", 1);
  o.SetKind(certificate::CertificateKind().fields);
  o.Set("host", OptionValue{std::string("127.0.0.1"), 2});
  o.Set("port", OptionValue{std::to_string(port), 3});
  o.Set("server_name", OptionValue{std::string("web.test"), 4});
  Result<std::unique_ptr<Side>> side = MakeTlsEndpointSide(o);
  return side.ok() ? std::move(side).value() : nullptr;
}

// The leaf SHA-256 the endpoint presents now ("" when the probe fails).
std::string Served(Side& endpoint) {
  Observation o = endpoint.Observe();
  const Secret* leaf = o.Field("leaf_sha256");
  return leaf == nullptr ? "" : std::string(leaf->Reveal());
}

std::string DiskLeaf(const fs::path& dir) {
  Result<CertificateInfo> info = ParseCertificateChain(ReadText(dir / "live/web/fullchain.pem"));
  return info.ok() ? info->leaf_sha256 : "";
}

bool Renew(const fs::path& dir) { return e2e::RunCertbotRenew(dir).exit_code == 0; }

// Milliseconds from now until nginx presents `leaf` (polled every 5 ms), or -1 after 10 s.
double UntilServed(Side& endpoint, const std::string& leaf) {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
    if (Served(endpoint) == leaf) {
      return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  return -1;
}

std::string Measure(RenewalFigures& f, int renewals) {
  testing::TempDir dir;
  std::FILE* script = std::fopen((dir.path() / "renew.sh").c_str(), "w");
  if (script == nullptr) return "cannot write renew.sh";
  std::fputs(e2e::kCertbotRenewScript, script);
  std::fclose(script);
  if (!Renew(dir.path())) return "renew.sh failed";
  NginxServer nginx(dir.path() / "nginx", dir.path() / "live/web/fullchain.pem", dir.path() / "live/web/privkey.pem");
  if (std::string started = nginx.Start(); !started.empty()) return started;
  std::unique_ptr<Side> endpoint = Endpoint(nginx.port());
  if (endpoint == nullptr) return "cannot make the tls-endpoint probe";

  // Baseline: renew, reload nginx at once, probe.
  for (int i = 0; i < renewals; ++i) {
    if (!Renew(dir.path())) return "renew.sh failed";
    const std::string leaf = DiskLeaf(dir.path());
    e2e::ProcessResult reload = e2e::RunProcess({NginxServer::kBinary, "-p", nginx.prefix().string(), "-c",
                                                 nginx.conf().string(), "-s", "reload"});
    if (reload.exit_code != 0) return "nginx -s reload failed: " + reload.err;
    f.baseline_ms.push_back(UntilServed(*endpoint, leaf));
  }

  // seamd: renew, and let seamd adopt and reload.
  std::FILE* config = std::fopen((dir.path() / "seam.toml").c_str(), "w");
  if (config == nullptr) return "cannot write seam.toml";
  std::fputs(e2e::CertbotSeamToml(nginx, "disk").c_str(), config);
  std::fclose(config);
  if (e2e::RunProcess({SEAMCTL_PATH, "-c", (dir.path() / "seam.toml").string(), "init"}).exit_code != 0) {
    return "seamctl init failed";
  }
  e2e::DaemonProcess seamd;
  std::string error;
  if (!seamd.Start({SEAMD_PATH, "-c", (dir.path() / "seam.toml").string(), "--log-level", "info"}, dir.path(),
                   dir.path() / "seamd.log", {}, {"SEAM_CONFIG", "NOTIFY_SOCKET"}, &error)) {
    return error;
  }
  const auto ready_by = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ReadText(dir.path() / "seamd.log").find("ready:") == std::string::npos) {
    if (std::chrono::steady_clock::now() > ready_by) return "seamd not ready after 10 s";
    std::this_thread::sleep_for(milliseconds(10));
  }
  for (int i = 0; i < renewals; ++i) {
    if (!Renew(dir.path())) return "renew.sh failed";
    f.seamd_ms.push_back(UntilServed(*endpoint, DiskLeaf(dir.path())));
  }
  seamd.Signal(SIGTERM);
  seamd.Wait(std::chrono::seconds(10));
  return "";
}

void CertRenewal(benchmark::State& state) {
  const char* env = std::getenv("SEAM_BENCH_RENEWALS");
  const int renewals = env != nullptr ? std::max(1, std::atoi(env)) : 20;
  for (auto _ : state) {
    g_renewal = RenewalFigures{};
    g_renewal.error = Measure(g_renewal, renewals);
    g_renewal.ran = true;
    if (!g_renewal.error.empty()) {
      state.SkipWithError(g_renewal.error.c_str());
      return;
    }
    state.SetIterationTime(*std::max_element(g_renewal.seamd_ms.begin(), g_renewal.seamd_ms.end()) / 1000.0);
  }
}

double At(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5)];
}

}  // namespace

void RegisterCertBenchmarks() {
  benchmark::RegisterBenchmark("cert/renewal_to_served", CertRenewal)
      ->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
}

void PrintCertFigures() {
  const RenewalFigures& f = g_renewal;
  if (!f.ran) return;
  if (!f.error.empty()) {
    std::printf("\ncertificate renewal -> served: not measured: %s\n", f.error.c_str());
    return;
  }
  const auto within = std::count_if(f.seamd_ms.begin(), f.seamd_ms.end(), [](double ms) { return ms >= 0 && ms <= 2000; });
  std::printf("\ncertificate renewal -> served by nginx (%zu renewals in certbot's layout; baseline: nginx -s reload at once by hand)\n",
              f.seamd_ms.size());
  std::printf("  %-8s %12s %14s %8s\n", "", "seamd", "reload (base)", "ratio");
  for (const auto& [name, p] : {std::pair<const char*, double>{"p50", 0.5}, {"p90", 0.9}, {"max", 1.0}}) {
    const double s = At(f.seamd_ms, p);
    const double b = At(f.baseline_ms, p);
    std::printf("  %-8s %9.0f ms %11.0f ms %8.2f\n", name, s, b, s / std::max(b, 1e-3));
  }
  std::printf("  within 2 s: %ld of %zu (goal: all): %s\n", static_cast<long>(within), f.seamd_ms.size(),
              within == static_cast<long>(f.seamd_ms.size()) ? "met" : "NOT met");
  std::printf("  distribution (ms, seamd):");
  std::vector<double> sorted = f.seamd_ms;
  std::sort(sorted.begin(), sorted.end());
  for (double ms : sorted) std::printf(" %.0f", ms);
  std::printf("\n");
}

}  // namespace seam::bench
