#include "tools/discover/discover.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <iterator>
#include <thread>

#include "tools/discover/file_reader.h"
#include "tools/discover/parse_choice.h"
#include "tools/discover/served_certificates.h"

namespace seam::discover {

Result<Findings> Discover(const DiscoverOptions& options, const KeyRing& keys) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<TlsProbeOptions> servers;
  for (const std::string& given : options.probe_tls) {
    Result<TlsProbeOptions> server = ParseEndpoint(given);
    if (!server.ok()) return server.status();
    servers.push_back(*server);
  }
  Result<Walk> walk = WalkTrees(options.walk);
  if (!walk.ok()) return walk.status();
  unsigned threads = options.threads ? options.threads : std::min(4u, std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(1, walk->files.size())));
  std::vector<Share> shares(threads);
  // Runs `read(reader, i)` for i in [0, n) on the pool, each worker into its own share.
  auto run = [&](std::size_t n, const std::function<void(FileReader&, std::size_t)>& read) {
    std::atomic<std::size_t> next{0};
    auto work = [&](Share& share) {
      FileReader reader(options, keys, share);
      for (std::size_t i; (i = next.fetch_add(1)) < n;) read(reader, i);
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, std::ref(shares[t]));
    work(shares[0]);
    for (std::thread& t : pool) t.join();
  };
  // Phase 1: every file read once; parsed at once, or its words kept.
  run(walk->files.size(), [&](FileReader& r, std::size_t i) { r.Read(walk->files[i], i); });
  // Phase 2: the files whose words are somewhere else too, or which have siblings, parsed.
  std::vector<Deferred> deferred;
  for (Share& s : shares) std::move(s.deferred.begin(), s.deferred.end(), std::back_inserter(deferred));
  const std::vector<const Deferred*> chosen = ChooseToParse(deferred, shares, walk->files);
  run(chosen.size(), [&](FileReader& r, std::size_t i) { r.Read(walk->files[chosen[i]->file], chosen[i]->file, chosen[i]); });

  Findings out;
  out.warnings = std::move(walk->warnings);
  out.stats.walk = walk->stats;
  out.stats.files = walk->files.size();
  out.stats.lone = deferred.size() - chosen.size();
  for (Share& s : shares) {
    std::move(s.places.begin(), s.places.end(), std::back_inserter(out.places));
    std::move(s.warnings.begin(), s.warnings.end(), std::back_inserter(out.warnings));
    Merge(out.stats, s.stats);
  }
  ProbeServers(options, servers, keys, out);
  std::sort(out.places.begin(), out.places.end(),
            [](const Place& a, const Place& b) { return std::tie(a.file, a.locator) < std::tie(b.file, b.locator); });
  std::sort(out.warnings.begin(), out.warnings.end(),
            [](const WalkWarning& a, const WalkWarning& b) { return a.path < b.path; });
  out.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace seam::discover
