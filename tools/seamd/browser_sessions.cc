#include "tools/seamd/browser_sessions.h"

#include <algorithm>
#include <optional>

#include "core/crypto.h"

namespace seam::seamd {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::string> BrowserSessions::Open(Clock::time_point now) {
  SEAM_ASSIGN_OR_RETURN(Secret random, RandomBytes(32));
  std::string cookie = Hex(random.Reveal());
  for (auto it = ends_.begin(); it != ends_.end();) it = it->second <= now ? ends_.erase(it) : std::next(it);
  if (ends_.size() >= kMax) {
    ends_.erase(std::min_element(ends_.begin(), ends_.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; }));
  }
  ends_[Sha256Hex(cookie)] = now + kLifetime;
  return cookie;
}

bool BrowserSessions::Valid(std::string_view cookie_header, Clock::time_point now) {
  const std::string name = std::string(kCookie) + "=";
  for (std::size_t at = 0; at < cookie_header.size();) {
    std::size_t end = cookie_header.find(';', at);
    if (end == std::string_view::npos) end = cookie_header.size();
    std::string_view pair = cookie_header.substr(at, end - at);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.substr(0, name.size()) == name) {
      // Looked up by digest: the map's comparisons never run over a live cookie's bytes.
      const auto it = ends_.find(Sha256Hex(pair.substr(name.size())));
      if (it != ends_.end() && it->second > now) return true;
    }
    at = end + 1;
  }
  return false;
}

std::optional<std::string> FormToken(std::string_view body) {
  for (std::size_t at = 0; at <= body.size();) {
    std::size_t end = body.find('&', at);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view pair = body.substr(at, end - at);
    if (pair.substr(0, 6) == "token=") {
      std::string out;
      for (std::size_t i = 6; i < pair.size(); ++i) {
        if (pair[i] == '+') {
          out += ' ';
        } else if (pair[i] == '%') {
          if (i + 2 >= pair.size()) return std::nullopt;
          const int hi = HexValue(pair[i + 1]), lo = HexValue(pair[i + 2]);
          if (hi < 0 || lo < 0) return std::nullopt;
          out += static_cast<char>(hi * 16 + lo);
          i += 2;
        } else {
          out += pair[i];
        }
      }
      return out;
    }
    at = end + 1;
  }
  return std::nullopt;
}

}  // namespace seam::seamd
