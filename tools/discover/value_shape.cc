#include "tools/discover/value_shape.h"

#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace seam::discover {
namespace {

constexpr std::size_t kMinSecretBytes = 8;
constexpr std::size_t kMinRandomBytes = 20;
constexpr std::size_t kMaxValueBytes = 8192;
constexpr double kMinBitsPerChar = 3.5;

// The characters of base64, base64url, hex and most generated tokens.
constexpr std::array<bool, 256> TokenChars() {
  std::array<bool, 256> t{};
  for (std::size_t c = '0'; c <= '9'; ++c) t[c] = true;
  for (std::size_t c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (std::size_t c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("+/=_.~-")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kTokenChar = TokenChars();

bool IsSecretWord(std::string_view w) {
  static constexpr std::string_view kWords[] = {
      "token",  "tokens",      "secret", "secrets", "password", "passwd", "pwd",     "pass",
      "passphrase", "key",     "apikey", "credential", "credentials", "auth", "bearer", "private",
      "cookie", "session",     "salt",   "signature", "dsn",   "sha256", "digest",  "hash"};
  for (std::string_view k : kWords)
    if (w == k) return true;
  return false;
}

bool IsHex(std::string_view v) {
  for (char c : v)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool IsPlaceholder(std::string_view v) {
  std::string lower;
  for (char c : v) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static constexpr std::string_view kWords[] = {"changeme", "change-me", "change_me", "password", "secret",
                                                "unset",    "example",   "placeholder", "redacted", "todo",
                                                "xxxxxxxx", "true",      "false",       "null",     "none"};
  for (std::string_view w : kWords)
    if (lower == w) return true;
  if (v.find("${") != std::string_view::npos || v.find("{{") != std::string_view::npos) return true;
  if (v.front() == '<' && v.back() == '>') return true;
  if (v.front() == '/' || v.starts_with("./") || v.starts_with("~/")) return true;  // a path, not a value
  bool same = true, digits = true;
  for (char c : v) {
    same = same && c == v.front();
    digits = digits && (std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-');
  }
  return same || digits;
}

double BitsPerChar(std::string_view v) {
  std::array<int, 256> n{};
  for (char c : v) ++n[static_cast<unsigned char>(c)];
  double bits = 0;
  for (int k : n)
    if (k > 0) {
      const double p = static_cast<double>(k) / static_cast<double>(v.size());
      bits -= p * std::log2(p);
    }
  return bits;
}

bool LooksRandom(std::string_view v) {
  if (v.size() < kMinRandomBytes) return false;
  bool letter = false, digit = false;
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (!kTokenChar[u]) return false;
    letter = letter || std::isalpha(u);
    digit = digit || std::isdigit(u);
  }
  return letter && digit && BitsPerChar(v) >= kMinBitsPerChar;
}

bool LooksPlain(std::string_view v) {
  const std::size_t scheme = v.find("://");
  if (scheme != std::string_view::npos && scheme > 0 && scheme < 16) {
    for (std::size_t i = 0; i < scheme; ++i)
      if (!std::isalpha(static_cast<unsigned char>(v[i])) && v[i] != '+') return false;
    return v.size() > scheme + 3;
  }
  // A host name: labels of letters, digits and '-', at least one dot, a last label of letters.
  if (v.size() < 4 || v.size() > 253) return false;
  std::size_t dots = 0, last = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto u = static_cast<unsigned char>(v[i]);
    if (v[i] == '.') {
      if (i == 0 || i + 1 == v.size() || v[i - 1] == '.') return false;
      ++dots;
      last = i + 1;
    } else if (!std::isalnum(u) && v[i] != '-') {
      return false;
    }
  }
  if (dots == 0) return false;
  for (std::size_t i = last; i < v.size(); ++i)
    if (!std::isalpha(static_cast<unsigned char>(v[i]))) return false;
  return v.size() - last >= 2;
}

}  // namespace

bool KeyNamesSecret(std::string_view key) {
  std::string word;
  char prev = 0;
  auto done = [&word] {
    const bool hit = IsSecretWord(word);
    word.clear();
    return hit;
  };
  for (char c : key) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u)) {
      if (done()) return true;
    } else {
      if (std::isupper(u) && prev && std::islower(static_cast<unsigned char>(prev)) && done()) return true;
      word += static_cast<char>(std::tolower(u));
    }
    prev = c;
  }
  return done();
}

std::optional<Why> Judge(std::string_view key, std::string_view value, bool include_plain) {
  if (value.empty() || value.size() > kMaxValueBytes) return std::nullopt;
  for (char c : value)
    if (c == '\n' || c == '\r' || c == '\0') return std::nullopt;
  if (value.size() == 64 && IsHex(value)) return Why::kDigest;
  if (value.size() >= kMinSecretBytes && KeyNamesSecret(key) && !IsPlaceholder(value)) return Why::kKeyName;
  if (LooksRandom(value) && !IsPlaceholder(value)) return Why::kEntropy;
  if (include_plain && LooksPlain(value)) return Why::kPlain;
  return std::nullopt;
}

std::string AlphabetOf(std::string_view value) {
  bool hex = true, alnum = true, b64url = true, printable = true;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    hex = hex && (std::isdigit(u) || (c >= 'a' && c <= 'f'));
    alnum = alnum && std::isalnum(u);
    b64url = b64url && (std::isalnum(u) || c == '-' || c == '_');
    printable = printable && u >= 0x21 && u <= 0x7e;
  }
  if (hex) return "hex";
  if (alnum) return "alnum";
  if (b64url) return "base64url";
  if (printable) return "ascii-printable";
  return "";
}

namespace {

// A byte that may be part of a value written after a key: not a space, a quote or punctuation
// that separates keys from values.
constexpr std::array<bool, 256> ValueChars() {
  std::array<bool, 256> t{};
  for (std::size_t c = 0x21; c < 0x7f; ++c) t[c] = true;
  for (std::size_t c = 0x80; c < 0x100; ++c) t[c] = true;
  for (char c : std::string_view("\"',:={}[]")) t[static_cast<unsigned char>(c)] = false;
  return t;
}
constexpr std::array<bool, 256> kValueChar = ValueChars();

// The secret-naming words, lower-case, as the pre-scan looks for them (prefixes of the words
// KeyNamesSecret takes).
constexpr std::string_view kHints[] = {"token", "secret", "pass", "pwd", "key", "auth", "cred", "private",
                                       "cookie", "session", "salt", "signature", "bearer", "dsn", "sha256",
                                       "digest", "hash"};

// Whether a hint word starts at `i` of `line` (ASCII case-insensitive); its length, else 0.
std::size_t HintAt(std::string_view line, std::size_t i) {
  const char first = static_cast<char>(std::tolower(static_cast<unsigned char>(line[i])));
  for (std::string_view h : kHints) {
    if (h.front() != first || line.size() - i < h.size()) continue;
    std::size_t k = 1;
    while (k < h.size() && std::tolower(static_cast<unsigned char>(line[i + k])) == h[k]) ++k;
    if (k == h.size()) return h.size();
  }
  return 0;
}

// One line: a run of 20 token characters, or a hint word followed (after the rest of its own
// word and a separator) by 8 value characters in a row.
bool LineWorthParsing(std::string_view line) {
  std::size_t run = 0;
  for (char c : line) {
    if (kTokenChar[static_cast<unsigned char>(c)]) {
      if (++run >= kMinRandomBytes) return true;
    } else {
      run = 0;
    }
  }
  if (line.size() < kMinSecretBytes + 3) return false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const std::size_t hint = HintAt(line, i);
    if (hint == 0) continue;
    std::size_t j = i + hint;
    while (j < line.size() && kValueChar[static_cast<unsigned char>(line[j])]) ++j;  // the rest of the key
    for (std::size_t value_run = 0; j < line.size(); ++j) {
      if (!kValueChar[static_cast<unsigned char>(line[j])]) {
        value_run = 0;
      } else if (++value_run >= kMinSecretBytes) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

bool WorthParsing(std::string_view bytes, bool include_plain) {
  if (include_plain) return true;
  if (bytes.find("-----BEGIN ") != std::string_view::npos) return true;
  for (std::size_t start = 0; start < bytes.size();) {
    std::size_t end = bytes.find('\n', start);
    if (end == std::string_view::npos) end = bytes.size();
    if (LineWorthParsing(bytes.substr(start, end - start))) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace seam::discover
