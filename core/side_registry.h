#pragma once
// SideRegistry: plugin name -> factory. An ordinary object, built in tools/ by one explicit
// Register call per plugin (no static initialisers), so each test can build its own.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/side.h"
#include "core/side_options.h"
#include "core/status.h"

namespace seam {

// Builds a side from its options. Must Take*() every key it knows and end with
// options.RejectUnknown(). Must not do I/O.
using SideFactory = std::function<Result<std::unique_ptr<Side>>(SideOptions& options)>;

class SideRegistry {
 public:
  void Register(const std::string& plugin, SideFactory factory) { factories_[plugin] = std::move(factory); }
  const SideFactory* Find(const std::string& plugin) const {
    auto it = factories_.find(plugin);
    return it == factories_.end() ? nullptr : &it->second;
  }
  std::vector<std::string> Names() const {
    std::vector<std::string> out;
    for (const auto& [name, f] : factories_) out.push_back(name);
    return out;
  }

 private:
  std::map<std::string, SideFactory> factories_;
};

}  // namespace seam
