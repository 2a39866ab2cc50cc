#include "plugins/common/stderr_line.h"

#include "plugins/common/json_string.h"
#include "plugins/common/utf8.h"
#include "plugins/common/wipe.h"

namespace seam {
namespace {

constexpr std::size_t kStderrMaxChars = 200;

}  // namespace

bool LooksTokenLike(std::string_view line) {
  constexpr std::size_t kTokenRun = 16;
  std::size_t run = 0;
  for (const char ch : line) {
    const auto c = static_cast<unsigned char>(ch);
    const bool token_char = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '+' || c == '/' || c == '=' || c == '_' || c == '-';
    run = token_char ? run + 1 : 0;
    if (run >= kTokenRun) return true;
  }
  return false;
}

std::string StderrTellingLine(std::string_view err, const std::vector<std::string_view>& secrets,
                            bool withhold_token_like) {
  // The first line with something on it: a leading blank line says nothing. A Python
  // traceback's first line is its header, and the error is its last line.
  std::string_view line, last;
  std::string_view rest = err;
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    std::string_view here = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (here.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (line.empty()) line = here;
    last = here;
  }
  if (line.rfind("Traceback (most recent call last)", 0) == 0) line = last;
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  for (std::string_view secret : secrets) {
    if (secret.empty()) continue;
    std::string escaped;
    const bool encodable = AppendJsonString(escaped, secret);
    // Without its quotes: the program may print it inside a longer string.
    std::string_view bare = encodable ? std::string_view(escaped).substr(1, escaped.size() - 2)
                                      : std::string_view();
    const bool leaks = line.find(secret) != std::string_view::npos ||
                       (!bare.empty() && line.find(bare) != std::string_view::npos);
    WipeString(escaped);
    if (leaks) return "(stderr withheld: it contains the value)";
  }
  if (withhold_token_like && LooksTokenLike(line)) return "(stderr withheld: it may contain a secret)";
  std::string shown;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < line.size(); ++chars) {
    if (chars == kStderrMaxChars) {
      shown += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(line[i]);
    const std::size_t len = Utf8SequenceLength(line, i);
    if (len == 0 || c < 0x20 || c == 0x7f) {
      shown += '?';
      i += 1;
    } else {
      shown.append(line.substr(i, len));
      i += len;
    }
  }
  return shown;
}

}  // namespace seam
