#include "plugins/common/url.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace seam {
namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(prefix.size()), prefix.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

}  // namespace

Result<Url> ParseUrl(std::string_view text) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      return Status::InvalidArgument("must not contain spaces or control characters");
    }
  }
  Url url;
  std::string_view rest;
  if (StartsWithNoCase(text, "https://")) {
    url.https = true;
    rest = text.substr(8);
  } else if (StartsWithNoCase(text, "http://")) {
    rest = text.substr(7);
  } else {
    return Status::InvalidArgument("must start with http:// or https://, got \"" +
                                   std::string(text.substr(0, text.find(':'))) + ":...\"");
  }
  if (rest.find('#') != std::string_view::npos) {
    return Status::InvalidArgument("must not have a fragment (`#...`); the place in the document "
                                   "goes in `pointer`");
  }
  std::size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidArgument("must not hold user information (`user:password@`); send "
                                   "credentials with header_from_env or header_from_file");
  }
  std::string_view host, port;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("has an unclosed `[` in the host");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return Status::InvalidArgument("has text after `]` in the host");
    if (!after.empty()) port = after.substr(1);
    in6_addr addr{};
    if (::inet_pton(AF_INET6, std::string(host).c_str(), &addr) != 1) {
      return Status::InvalidArgument("has an invalid IPv6 address in the host");
    }
    url.host_is_ip = true;
  } else {
    std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (host.empty()) return Status::InvalidArgument("has no host");
    if (!std::all_of(host.begin(), host.end(), IsHostChar)) {
      return Status::InvalidArgument("has an invalid host \"" + std::string(host) + "\"");
    }
    in_addr addr{};
    url.host_is_ip = ::inet_pton(AF_INET, std::string(host).c_str(), &addr) == 1;
  }
  if (host.empty()) return Status::InvalidArgument("has no host");
  const char* default_port = url.https ? "443" : "80";
  if (port.empty()) {
    if (authority.back() == ':') return Status::InvalidArgument("has an empty port");
    port = default_port;
  }
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoul(std::string(port)) == 0 || std::stoul(std::string(port)) > 65535) {
    return Status::InvalidArgument("has an invalid port \"" + std::string(port) + "\" (1..65535)");
  }
  url.host = std::string(host);
  url.port = std::string(port);
  std::string bracketed = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  url.host_header = port == default_port ? bracketed : bracketed + ":" + url.port;
  url.target = target.empty() ? "/" : target.front() == '?' ? "/" + std::string(target) : std::string(target);
  url.shown = std::string(text);
  return url;
}

}  // namespace seam
