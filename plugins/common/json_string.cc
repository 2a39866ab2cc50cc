#include "plugins/common/json_string.h"

#include "plugins/common/utf8.h"
#include "plugins/common/wipe.h"

namespace seam {

bool AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  AppendWiping(out, "\"");
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = Utf8SequenceLength(s, i);
    if (len == 0) return false;
    if (c == '"' || c == '\\') {
      const char escaped[2] = {'\\', static_cast<char>(c)};
      AppendWiping(out, std::string_view(escaped, 2));
    } else if (c < 0x20) {
      const char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      AppendWiping(out, std::string_view(escaped, 6));
    } else {
      AppendWiping(out, s.substr(i, len));
    }
    i += len;
  }
  AppendWiping(out, "\"");
  return true;
}


}  // namespace seam
