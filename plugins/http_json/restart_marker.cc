#include "plugins/http_json/restart_marker.h"

#include <algorithm>
#include <charconv>

#include "core/clock.h"

namespace seam {

std::optional<std::int64_t> ParseStartTimeUs(std::string_view text) {
  std::optional<std::int64_t> us;
  if (text.size() == 10 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::int64_t secs = 0;
    std::from_chars(text.data(), text.data() + text.size(), secs);
    us = secs * 1'000'000;
  } else {
    us = ParseTimeMicros(text);
  }
  if (!us || *us <= 0) return std::nullopt;
  return us;
}

Result<RestartMarker> ReadRestartMarker(const Json& doc, const JsonPointer& pointer) {
  const std::string what = "restart_marker " + pointer.text;
  const Json* cur = &doc;
  for (std::size_t i = 0; i < pointer.tokens.size(); ++i) {
    if (!cur->is_object()) {
      std::string prefix;
      for (std::size_t k = 0; k < i; ++k) prefix += "/" + EscapeJsonPointerToken(pointer.tokens[k]);
      return Status::FailedPrecondition(what + ": " + (i == 0 ? "the document" : prefix) + " is " +
                                        Described(*cur) + ", not an object");
    }
    auto it = cur->find(pointer.tokens[i]);
    if (it == cur->end()) return RestartMarker{};
    cur = &*it;
  }
  RestartMarker out;
  if (cur->is_null()) return out;
  if (cur->is_string()) {
    out.text = cur->get<std::string>();
  } else if (cur->is_number()) {
    out.text = cur->dump();  // integers as their digits; others in JSON's shortest form
  } else {
    return Status::FailedPrecondition(what + " is " + Described(*cur) + ", not a string or number");
  }
  if (out.text.size() > kMaxRestartMarkerBytes) {
    return Status::FailedPrecondition(what + " is " + std::to_string(out.text.size()) + " bytes, over the " +
                                      std::to_string(kMaxRestartMarkerBytes) + " a marker may have");
  }
  if (!std::all_of(out.text.begin(), out.text.end(), [](char c) { return c >= ' ' && c <= '~'; })) {
    return Status::FailedPrecondition(what + " holds a character that is not printable ASCII");
  }
  out.started_at_us = ParseStartTimeUs(out.text).value_or(0);
  return out;
}

}  // namespace seam
