#include "tests/e2e/veth_namespace.h"

#include <unistd.h>

#include "tests/e2e/process.h"

namespace seam::e2e {
namespace {

// Runs `ip ARGS...`; "" on success, else what it said.
std::string Ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {VethNamespace::kIp};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r = RunProcess(argv);
  if (r.exit_code == 0) return "";
  std::string line = "ip";
  for (const std::string& a : args) line += " " + a;
  return line + ": exit " + std::to_string(r.exit_code) + ": " + r.err + r.out;
}

}  // namespace

VethNamespace::~VethNamespace() {
  if (made_) Ip({"netns", "del", ns_});  // the veth pair goes with it
}

std::string VethNamespace::Create(int index) {
  const int id = static_cast<int>(getpid());
  const std::string tag = std::to_string(id % 100000) + "x" + std::to_string(index);
  ns_ = "seam-ns-" + tag;
  host_if_ = "svh" + tag;  // interface names: 15 characters at most
  ns_if_ = "svn" + tag;
  // 10.A.B.0/16 for this process, a /30 per namespace in it.
  const std::string net = "10." + std::to_string(100 + id % 100) + ".";
  const int block = ((id / 100) % 250) * 64 + index;  // 250 * 64 /30 blocks
  const std::string base = net + std::to_string(block / 64) + ".";
  host_addr_ = base + std::to_string((block % 64) * 4 + 1);
  ns_addr_ = base + std::to_string((block % 64) * 4 + 2);
  clients_ = net + "0.0/16";
  if (std::string e = Ip({"netns", "add", ns_}); !e.empty()) return e + " (network namespaces need root: CAP_NET_ADMIN)";
  made_ = true;
  for (const std::vector<std::string>& step : std::vector<std::vector<std::string>>{
           {"link", "add", host_if_, "type", "veth", "peer", "name", ns_if_},
           {"link", "set", ns_if_, "netns", ns_},
           {"addr", "add", host_addr_ + "/30", "dev", host_if_},
           {"link", "set", host_if_, "up"},
           {"netns", "exec", ns_, kIp, "addr", "add", ns_addr_ + "/30", "dev", ns_if_},
           {"netns", "exec", ns_, kIp, "link", "set", ns_if_, "up"},
           {"netns", "exec", ns_, kIp, "link", "set", "lo", "up"}}) {
    if (std::string e = Ip(step); !e.empty()) return e;
  }
  return "";
}

std::string VethNamespace::SetLink(bool up) { return Ip({"link", "set", host_if_, up ? "up" : "down"}); }

std::vector<std::string> VethNamespace::Exec(const std::vector<std::string>& argv) const {
  std::vector<std::string> out = {kIp, "netns", "exec", ns_};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

}  // namespace seam::e2e
