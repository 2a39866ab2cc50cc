#include "reconcilers/generate_value.h"

#include <string>

#include "core/crypto.h"
#include "reconcilers/token/token_kind.h"

namespace seam {

std::string_view AlphabetChars(std::string_view alphabet) {
  static const std::string kBase64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  static const std::string kHex = "0123456789abcdef";
  static const std::string kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  static const std::string kPrintable = [] {
    std::string s;
    for (char c = 0x21; c <= 0x7e; ++c) s += c;
    return s;
  }();
  if (alphabet == "base64url") return kBase64Url;
  if (alphabet == "hex") return kHex;
  if (alphabet == "alnum") return kAlnum;
  if (alphabet == "ascii-printable") return kPrintable;
  return {};
}

Result<Secret> GenerateValue(const SeamConfig::Format& format) {
  if (!format.given) return token::NewTokenValue();
  const std::string_view chars = AlphabetChars(format.alphabet);
  if (chars.empty() || format.length < 1) {
    return Status::InvalidArgument("[seam.format]: unknown alphabet `" + format.alphabet + "`");
  }
  // A byte b is used only below the largest multiple of the alphabet's size, so b % size is
  // uniform; the rest are drawn again.
  const unsigned n = static_cast<unsigned>(chars.size());
  const unsigned limit = 256u - 256u % n;
  std::string out;
  out.reserve(static_cast<std::size_t>(format.length));
  while (out.size() < static_cast<std::size_t>(format.length)) {
    SEAM_ASSIGN_OR_RETURN(Secret bytes, RandomBytes(static_cast<std::size_t>(format.length) * 2));
    for (const char c : bytes.Reveal()) {
      const auto b = static_cast<unsigned char>(c);
      if (b >= limit) continue;
      out += chars[b % n];
      if (out.size() == static_cast<std::size_t>(format.length)) break;
    }
  }
  return Secret(std::move(out));  // moved, not copied: no plaintext left behind
}

}  // namespace seam
