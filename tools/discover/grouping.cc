#include "tools/discover/grouping.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>

#include "core/crypto.h"

namespace seam::discover {
namespace {

namespace fs = std::filesystem;

std::string Canonical(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return ec ? p.lexically_normal().string() : c.string();
}

// A file by its canonical path; a server (a tls-endpoint's HOST:PORT) as it is written.
std::string Where(const fs::path& file, const std::string& locator) {
  return locator == "served certificate" ? file.string() : Canonical(file);
}

// The folder of the name a side would use.
std::string Folder(const Place& p) { return fs::path(p.via_link.empty() ? p.file : p.via_link).parent_path().string(); }

struct UnionFind {
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  std::size_t Find(std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void Join(std::size_t a, std::size_t b) {
    a = Find(a);
    b = Find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
  std::vector<std::size_t> parent;
};

bool IsValueWhy(Why w) { return w == Why::kKeyName || w == Why::kEntropy || w == Why::kDigest; }

}  // namespace

std::vector<std::string> SiblingPatterns(const std::string& file) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t slash; (slash = file.find('/', start)) != std::string::npos; start = slash + 1)
    parts.push_back(file.substr(start, slash - start));
  parts.push_back(file.substr(start));
  std::vector<std::string> out;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i].empty() || parts[i] == "." || parts[i] == "..") continue;
    std::string pattern;
    for (std::size_t j = 0; j < parts.size(); ++j) {
      if (j) pattern += '/';
      pattern += j == i ? std::string("\x01") : parts[j];
    }
    out.push_back(std::move(pattern));
  }
  return out;
}


void MarkDeclared(std::vector<Place>& places, const Config& config) {
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> kept;
  for (const SeamConfig& seam : config.seams)
    for (const SideConfig& side : seam.sides)
      if (side.side)
        for (const Side::FilePlace& fp : side.side->FilePlaces())
          kept.emplace(std::make_pair(Where(fp.file, fp.locator), fp.locator), std::make_pair(seam.name, side.name));
  if (kept.empty()) return;
  for (Place& p : places) {
    auto it = kept.find({Where(p.file, p.locator), p.locator});
    if (it == kept.end() && !p.via_link.empty()) it = kept.find({Where(p.via_link, p.locator), p.locator});
    if (it == kept.end()) continue;
    p.covered_seam = it->second.first;
    p.covered_side = it->second.second;
  }
  // A certificate beside a declared copy of itself (certbot's cert.pem beside fullchain.pem) is
  // kept by that side: one tool writes both, together.
  std::map<std::pair<std::string, std::string>, const Place*> declared;
  for (const Place& p : places)
    if (p.why == Why::kCertificate && !p.covered_seam.empty()) declared.emplace(std::make_pair(p.mac, Folder(p)), &p);
  for (Place& p : places) {
    if (p.why != Why::kCertificate || !p.covered_seam.empty()) continue;
    auto it = declared.find({p.mac, Folder(p)});
    if (it == declared.end()) continue;
    p.covered_seam = it->second->covered_seam;
    p.covered_side = it->second->covered_side;
  }
}

Grouping GroupPlaces(const std::vector<Place>& places) {
  Grouping out;
  UnionFind uf(places.size());
  std::unordered_map<std::string, std::size_t> by_mac;
  for (std::size_t i = 0; i < places.size(); ++i) {
    auto [it, fresh] = by_mac.emplace(places[i].mac, i);
    if (!fresh) uf.Join(it->second, i);
  }
  for (std::size_t i = 0; i < places.size(); ++i) {
    if (places[i].link_mac.empty()) continue;
    auto it = by_mac.find(places[i].link_mac);
    if (it != by_mac.end()) uf.Join(i, it->second);
  }
  std::map<std::size_t, std::vector<std::size_t>> members;
  for (std::size_t i = 0; i < places.size(); ++i) members[uf.Find(i)].push_back(i);
  for (auto& [root, list] : members) {
    if (list.size() < 2) continue;
    // Copies of a CA certificate with no key beside them are trust anchors shared on purpose
    // (/etc/ssl/certs and its bundle), not a seam.
    if (std::all_of(list.begin(), list.end(), [&](std::size_t i) { return places[i].ca && places[i].format == Format::kPem; }))
      continue;
    Group g;
    g.places = list;
    // A place is a digest when another place of the group has it as its derived form.
    std::set<std::string> links;
    for (std::size_t i : list) {
      const Place& p = places[i];
      g.certificate = g.certificate || p.why == Why::kCertificate || p.why == Why::kPrivateKey;
      if (!p.link_mac.empty()) links.insert(p.link_mac);
    }
    std::string base;
    for (std::size_t i : list) {
      const Place& p = places[i];
      const bool digest = !g.certificate && links.count(p.mac) > 0 && p.why == Why::kDigest;
      g.digest.push_back(digest);
      if (!digest && base.empty()) base = p.mac;
      if (!p.covered_seam.empty()) ++g.declared;
      if (g.certificate && p.why == Why::kCertificate && g.fingerprint.empty()) g.fingerprint = p.detail;
    }
    if (!g.certificate) g.fingerprint = FingerprintOfMac(base.empty() ? places[list.front()].mac : base);
    if (g.certificate && g.fingerprint.empty()) g.fingerprint = "private key";
    out.groups.push_back(std::move(g));
  }

  // Near misses: one locator in sibling files, more than one value among them.
  std::map<std::string, std::vector<std::size_t>> siblings;
  for (std::size_t i = 0; i < places.size(); ++i) {
    if (!IsValueWhy(places[i].why)) continue;
    for (std::string& pattern : SiblingPatterns(places[i].file))
      siblings[pattern + '\n' + places[i].locator].push_back(i);
  }
  for (auto& [key, list] : siblings) {
    std::set<std::string> files, macs;
    for (std::size_t i : list) {
      files.insert(places[i].file);
      macs.insert(places[i].mac);
    }
    if (files.size() < 2 || macs.size() < 2) continue;
    out.near_misses.push_back(NearMiss{places[list.front()].locator, list});
  }
  std::sort(out.near_misses.begin(), out.near_misses.end(),
            [](const NearMiss& a, const NearMiss& b) { return a.places.front() < b.places.front(); });
  return out;
}

}  // namespace seam::discover
