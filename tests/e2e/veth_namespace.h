#pragma once
// A network namespace of a test's own, joined to this host's namespace by a veth pair
// (../shared/REAL-PEERS.md): an agent started in it reaches a server on this host over that
// link only, and setting the link down is a partition (packets vanish, no RST: this kernel has
// no netem). Names and a /30 subnet unique to this process and `index`, since ctest runs tests
// in parallel; the namespace (and the pair with it) is deleted on destruction.
//
// Needs root (CAP_NET_ADMIN): Create says so when it cannot make them; nothing is skipped.

#include <string>
#include <vector>

namespace seam::e2e {

class VethNamespace {
 public:
  VethNamespace() = default;
  ~VethNamespace();
  VethNamespace(const VethNamespace&) = delete;
  VethNamespace& operator=(const VethNamespace&) = delete;

  // Makes the namespace and the pair, addresses them and brings them up; "" on success, else
  // the failing `ip` command's output. `index`: 0-63, a second namespace of the same process.
  std::string Create(int index = 0);
  // The host's end of the link up or down (a partition); "" on success.
  std::string SetLink(bool up);

  const std::string& ns() const { return ns_; }
  const std::string& host_addr() const { return host_addr_; }  // this host's end of the pair
  const std::string& ns_addr() const { return ns_addr_; }
  // The /16 holding every namespace of this process ("10.A.B.0/16" style), for pg_hba.
  const std::string& clients() const { return clients_; }
  // `argv` to run in the namespace: ip netns exec NS ARGV...
  std::vector<std::string> Exec(const std::vector<std::string>& argv) const;

  static constexpr char kIp[] = "/usr/sbin/ip";

 private:
  std::string ns_, host_if_, ns_if_, host_addr_, ns_addr_, clients_;
  bool made_ = false;
};

}  // namespace seam::e2e
