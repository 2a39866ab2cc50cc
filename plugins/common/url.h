#pragma once
// The `url` of an HTTP side (http-json, http-probe): http:// or https://, host (name, IPv4 or [IPv6]), optional
// port, target (path and query).

#include <string>
#include <string_view>

#include "core/status.h"

namespace seam {

struct Url {
  bool https = false;
  std::string host;         // as connected to and verified; IPv6 without brackets
  bool host_is_ip = false;  // an IP literal: no SNI, certificate checked against the address
  std::string port;         // digits; 80 or 443 when the url gave none
  std::string host_header;  // the Host header: host, [v6], with ":port" unless the default
  std::string target;       // "/path?query", "/" when the url has no path
  std::string shown;        // the url as given (it never holds userinfo: those are refused)
};

// InvalidArgument with a reason (no location prefix) for: another scheme, userinfo
// ("user:pass@": credentials belong in header_from_env / header_from_file), an empty or
// malformed host, a port that is not 1..65535, a fragment, whitespace or control characters.
Result<Url> ParseUrl(std::string_view text);

}  // namespace seam
