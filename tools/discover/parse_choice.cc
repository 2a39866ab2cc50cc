#include "tools/discover/parse_choice.h"

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "tools/discover/grouping.h"

namespace seam::discover {

std::vector<const Deferred*> ChooseToParse(const std::vector<Deferred>& deferred, const std::vector<Share>& shares,
                                           const std::vector<WalkedFile>& files) {
  std::unordered_map<std::string, int> seen;
  std::unordered_set<std::string> links;
  // (pattern, name) -> the files holding a word or place under that name there.
  std::map<std::pair<std::string, std::string>, std::set<std::string>> siblings;
  for (const Share& s : shares)
    for (const Place& p : s.places) {
      ++seen[p.mac];
      if (!p.link_mac.empty()) links.insert(p.link_mac);
      for (const std::string& pattern : SiblingPatterns(p.file)) siblings[{pattern, p.key_name}].insert(p.file);
    }
  for (const Deferred& d : deferred) {
    for (const auto& [mac, link] : d.words) {
      ++seen[mac];
      links.insert(link);
    }
    for (const std::string& pattern : SiblingPatterns(files[d.file].path))
      for (const std::string& key : d.keys) siblings[{pattern, key}].insert(files[d.file].path);
  }
  std::vector<const Deferred*> out;
  for (const Deferred& d : deferred) {
    bool parse = false;
    for (const auto& [mac, link] : d.words)
      parse = parse || seen[mac] >= 2 || seen.count(link) > 0 || links.count(mac) > 0;
    for (const std::string& pattern : SiblingPatterns(files[d.file].path))
      for (const std::string& key : d.keys) parse = parse || (!key.empty() && siblings[{pattern, key}].size() >= 2);
    if (parse) out.push_back(&d);
  }
  return out;
}

}  // namespace seam::discover
