#include "tools/discover/value_shape.h"

#include <array>
#include <cstdint>
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

constexpr std::array<char, 256> LowerTable() {
  std::array<char, 256> t{};
  for (std::size_t c = 0; c < 256; ++c) t[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return t;
}
constexpr std::array<char, 256> kLower = LowerTable();

// The secret-naming words, lower-case, as the pre-scan looks for them (prefixes of the words
// KeyNamesSecret takes).
constexpr std::string_view kHints[] = {"token", "secret", "pass", "pwd", "key", "auth", "cred", "private",
                                       "cookie", "session", "salt", "signature", "bearer", "dsn", "sha256",
                                       "digest", "hash"};
constexpr std::array<bool, 256> HintStarts() {
  std::array<bool, 256> t{};
  for (std::string_view h : kHints) {
    t[static_cast<unsigned char>(h.front())] = true;
    t[static_cast<unsigned char>(h.front() - 'a' + 'A')] = true;
  }
  return t;
}
constexpr std::array<bool, 256> kHintStart = HintStarts();

// Whether a hint word starts at `i` of `line` (ASCII case-insensitive); its length, else 0.
std::size_t HintAt(std::string_view line, std::size_t i) {
  if (!kHintStart[static_cast<unsigned char>(line[i])]) return 0;
  const char first = kLower[static_cast<unsigned char>(line[i])];
  for (std::string_view h : kHints) {
    if (h.front() != first || line.size() - i < h.size()) continue;
    std::size_t k = 1;
    while (k < h.size() && kLower[static_cast<unsigned char>(line[i + k])] == h[k]) ++k;
    if (k == h.size()) return h.size();
  }
  return 0;
}

bool IsKeyChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || c == '-' || c == '.';
}

// The name written before `begin` on the line (`api_key` of `"api_key": "…"`, `API_TOKEN` of
// `API_TOKEN=…`, `password` of `  password: …`), "" when none.
std::string_view KeyBefore(std::string_view line, std::size_t begin) {
  std::size_t end = begin;
  while (end > 0 && std::string_view(" \t\"':=").find(line[end - 1]) != std::string_view::npos) --end;
  std::size_t start = end;
  while (start > 0 && IsKeyChar(line[start - 1])) --start;
  return line.substr(start, end - start);
}

// What LooksRandom asks of a word's characters, cheaply: 20 or more, letters and digits.
bool MayBeRandom(std::string_view t) {
  if (t.size() < kMinRandomBytes) return false;
  bool letter = false, digit = false;
  for (char c : t) {
    letter = letter || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    digit = digit || (c >= '0' && c <= '9');
  }
  return letter && digit;
}

// A run of 20 token characters ending at `end` of the text `line` starts: a token, or for
// `KEY=value` in one run (base64 has '=' only at its end), the value.
void EmitRun(std::string_view line, std::size_t begin, std::size_t end, std::size_t number, Lexed& out) {
  const std::string_view t = line.substr(begin, end - begin);
  const std::size_t eq = t.find('=');
  if (eq != std::string_view::npos && eq + 1 < t.size() && t[eq + 1] != '=') {
    if (MayBeRandom(t.substr(eq + 1))) out.tokens.push_back({t.substr(eq + 1), number, t.substr(0, eq)});
  } else if (MayBeRandom(t)) {
    out.tokens.push_back({t, number, KeyBefore(line, begin)});
  }
}

// A separator at `sep` of `line` after a key naming a secret: its value, one word, then nothing
// but closing quotes and the end of the line, a comment or what ends a member (`,` `}` `]`).
// Several words are prose, or a value no word of which tells it.
void EmitValue(std::string_view line, std::size_t sep, std::size_t number, Lexed& out) {
  // Other characters (`p@ss!w0rd`, an escape, a quote inside the value) may be written
  // differently in each file format, and split the value into words: only a parse tells it.
  std::size_t written = 0;
  bool other = false;
  for (std::size_t k = sep + 1; k < line.size(); ++k) {
    const auto u = static_cast<unsigned char>(line[k]);
    if (u == '#' && (line[k - 1] == ' ' || line[k - 1] == '\t')) break;  // a comment
    if (u == ' ' || u == '\t' || u == '"' || u == '\'' || u == '\r') continue;
    ++written;
    other = other || (kValueChar[u] && !kTokenChar[u]);
  }
  if (other && written >= kMinSecretBytes) out.uncertain = true;
  std::size_t j = sep;
  while (j < line.size() && std::string_view(" \t\"':=").find(line[j]) != std::string_view::npos) ++j;
  const std::size_t begin = j;
  while (j < line.size() && kValueChar[static_cast<unsigned char>(line[j])]) ++j;
  while (j < line.size() && line[j] == '=') ++j;  // base64 padding
  const std::size_t end = j;
  while (j < line.size() && std::string_view(" \t\"';\r").find(line[j]) != std::string_view::npos) ++j;
  const bool alone = j == line.size() || line[j] == '#' || line[j] == '}' || line[j] == ']' || line[j] == ',';
  if (alone && end - begin >= kMinSecretBytes) out.tokens.push_back({line.substr(begin, end - begin), number, KeyBefore(line, begin)});
}

constexpr std::uint8_t kClassToken = 1, kClassSeparator = 2, kClassKeyStart = 4, kClassNewline = 8;
constexpr std::array<std::uint8_t, 256> Classes() {
  std::array<std::uint8_t, 256> t{};
  for (std::size_t c = 0; c < 256; ++c) t[c] = kTokenChar[c] ? kClassToken : 0;
  t[':'] |= kClassSeparator;
  t['='] |= kClassSeparator;
  t['{'] |= kClassKeyStart;
  t['['] |= kClassKeyStart;
  t[','] |= kClassKeyStart;
  t['\n'] |= kClassNewline;
  return t;
}
constexpr std::array<std::uint8_t, 256> kClass = Classes();

}  // namespace

// One pass over the bytes. Runs of token characters are counted in the hot loop; a secret-naming
// word is looked for only in keys, what stands before a ':' or '=' since the line's start or a
// `{ [ ,`, and the line's end is found only for a key that names one.
Lexed Lex(std::string_view bytes) {
  Lexed out;
  constexpr std::string_view kPem = "-----BEGIN ";  // PEM armour starts a line
  out.pem = bytes.starts_with(kPem);
  std::size_t line_start = 0, key_start = 0, number = 1, run = 0;
  const std::size_t n = bytes.size();
  for (std::size_t i = 0; i <= n; ++i) {
    const std::uint8_t cls = i < n ? kClass[static_cast<unsigned char>(bytes[i])] : kClassNewline;
    if (cls == kClassToken) {
      ++run;
      continue;
    }
    if (cls & kClassToken) {
      ++run;  // '=': part of a run (padding, KEY=value) and a separator
    } else {
      if (run >= kMinRandomBytes) EmitRun(bytes.substr(line_start, i - line_start), i - run - line_start, i - line_start, number, out);
      run = 0;
    }
    if (cls & kClassNewline) {
      line_start = key_start = i + 1;
      ++number;
      if (!out.pem && i + 1 < n && bytes[i + 1] == '-') out.pem = bytes.substr(i + 1).starts_with(kPem);
    } else if (cls & kClassKeyStart) {
      key_start = i + 1;
    } else if (cls & kClassSeparator) {
      bool named = false;
      const std::string_view key = bytes.substr(key_start, i - key_start);
      for (std::size_t k = 0; k < key.size() && !named; ++k) named = HintAt(key, k) > 0;
      key_start = i + 1;
      if (named) {
        std::size_t line_end = bytes.find('\n', i);
        if (line_end == std::string_view::npos) line_end = n;
        EmitValue(bytes.substr(line_start, line_end - line_start), i - line_start, number, out);
      }
    }
  }
  return out;
}

}  // namespace seam::discover
