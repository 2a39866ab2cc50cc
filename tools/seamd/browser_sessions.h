#pragma once
// Browser sessions of a status listener that requires a token (--token-file, [daemon]
// token_file): a browser cannot send a bearer header, so a person types the token once into the
// form at GET /login and gets a cookie that lets that browser read the pages. The cookie opens
// GET and HEAD only: POST /reconcile still needs the bearer token (no cross-site request can
// trigger a pass). Owned by the listener, used on the event loop's thread only.

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace seam::seamd {

class BrowserSessions {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::hours kLifetime{12};
  static constexpr std::size_t kMax = 64;  // more logins evict the session that ends first
  static constexpr char kCookie[] = "seamd_session";

  // A new session; its cookie value (32 random bytes as hex). Only a digest of it is kept.
  Result<std::string> Open(Clock::time_point now);
  // Whether the Cookie header's value holds a live session's cookie.
  bool Valid(std::string_view cookie_header, Clock::time_point now);

 private:
  std::map<std::string, Clock::time_point> ends_;  // SHA-256 hex of the cookie -> its end
};

// The token from an application/x-www-form-urlencoded body ("token=…", percent-decoded, `+`
// as a space); nullopt when there is none or it is malformed.
std::optional<std::string> FormToken(std::string_view body);

}  // namespace seam::seamd
