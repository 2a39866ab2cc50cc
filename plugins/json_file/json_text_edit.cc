#include "plugins/json_file/json_text_edit.h"

#include <vector>

#include "plugins/common/wipe.h"

namespace seam {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t SkipSpace(std::string_view t, std::size_t i) {
  while (i < t.size() && IsSpace(t[i])) ++i;
  return i;
}

// The end of the string starting at `i` (a '"'), past its closing quote.
std::size_t SkipString(std::string_view t, std::size_t i) {
  for (++i; i < t.size(); ++i) {
    if (t[i] == '\\') {
      ++i;
    } else if (t[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// The end of the value starting at `i`. Iterative: the depth of a valid document is bounded
// already, but no stack is spent on it either way.
std::size_t SkipValue(std::string_view t, std::size_t i) {
  if (i >= t.size()) return std::string_view::npos;
  if (t[i] == '"') return SkipString(t, i);
  if (t[i] != '{' && t[i] != '[') {
    while (i < t.size() && !IsSpace(t[i]) && t[i] != ',' && t[i] != '}' && t[i] != ']') ++i;
    return i;
  }
  std::size_t depth = 0;
  for (; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '"') {
      i = SkipString(t, i);
      if (i == std::string_view::npos) return i;
      --i;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

struct Member {
  std::size_t key_begin, key_end, value_begin, value_end;
  std::string key;  // decoded
};

// The members of the object starting at `at` ('{'), and where its '}' is.
bool ReadMembers(std::string_view t, std::size_t at, std::vector<Member>& out, std::size_t& close) {
  std::size_t i = SkipSpace(t, at + 1);
  if (i < t.size() && t[i] == '}') {
    close = i;
    return true;
  }
  while (i < t.size() && t[i] == '"') {
    Member m;
    m.key_begin = i;
    m.key_end = SkipString(t, i);
    if (m.key_end == std::string_view::npos) return false;
    const std::string_view raw = t.substr(i + 1, m.key_end - i - 2);
    if (raw.find('\\') == std::string_view::npos) {
      m.key = std::string(raw);
    } else {
      const Json key = Json::parse(t.substr(i, m.key_end - i), nullptr, false);
      if (!key.is_string()) return false;
      m.key = key.get<std::string>();
    }
    i = SkipSpace(t, m.key_end);
    if (i >= t.size() || t[i] != ':') return false;
    m.value_begin = SkipSpace(t, i + 1);
    m.value_end = SkipValue(t, m.value_begin);
    if (m.value_end == std::string_view::npos) return false;
    out.push_back(std::move(m));
    i = SkipSpace(t, out.back().value_end);
    if (i < t.size() && t[i] == '}') {
      close = i;
      return true;
    }
    if (i >= t.size() || t[i] != ',') return false;
    i = SkipSpace(t, i + 1);
  }
  return false;
}

std::string Quoted(std::string_view key) { return Json(std::string(key)).dump(); }

}  // namespace

std::optional<std::string> EditJsonText(std::string_view text, const JsonPointer& pointer,
                                        std::optional<std::string_view> value) {
  std::size_t at = SkipSpace(text, 0);
  for (std::size_t i = 0; i < pointer.tokens.size(); ++i) {
    if (at >= text.size() || text[at] != '{') return std::nullopt;
    std::vector<Member> members;
    std::size_t close = 0;
    if (!ReadMembers(text, at, members, close)) return std::nullopt;
    const Member* found = nullptr;
    std::size_t k = 0;
    for (; k < members.size(); ++k) {
      if (members[k].key == pointer.tokens[i]) {
        found = &members[k];
        break;
      }
    }
    const bool last = i + 1 == pointer.tokens.size();
    std::string out;
    auto splice = [&](std::size_t begin, std::size_t end, std::string_view with) {
      AppendWiping(out, text.substr(0, begin));
      AppendWiping(out, with);
      AppendWiping(out, text.substr(end));
      return out;
    };
    if (!value) {
      if (found == nullptr) return std::string(text);  // nothing to remove
      if (!last) {
        at = found->value_begin;
        continue;
      }
      if (members.size() == 1) return splice(at + 1, close, "");
      if (k > 0) return splice(members[k - 1].value_end, found->value_end, "");
      return splice(found->key_begin, members[1].key_begin, "");
    }
    // The colon as this object (or the nearest one written) spells it: ": " or ":".
    const std::string colon =
        members.empty() ? std::string(": ")
                        : std::string(text.substr(members.back().key_end, members.back().value_begin - members.back().key_end));
    // What is written at this level: the value itself, or the objects still missing around it.
    auto nested = [&](std::size_t from) {
      std::string inner(*value);
      for (std::size_t j = pointer.tokens.size(); j-- > from + 1;) {
        std::string wrapped = "{" + Quoted(pointer.tokens[j]) + colon;
        AppendWiping(wrapped, inner);
        wrapped += "}";
        WipeString(inner);
        inner = std::move(wrapped);
      }
      return inner;
    };
    if (found != nullptr) {
      if (last) {
        std::string with = nested(i);
        splice(found->value_begin, found->value_end, with);
        WipeString(with);
        return out;
      }
      at = found->value_begin;
      continue;
    }
    // Absent: a new member after the last one, separated as the last one is from the one before
    // it (or from the '{'), with the same colon.
    std::string entry = Quoted(pointer.tokens[i]) + colon;
    std::string inner = nested(i);
    AppendWiping(entry, inner);
    WipeString(inner);
    if (members.empty()) {
      splice(at + 1, at + 1, entry);
    } else {
      const Member& tail = members.back();
      std::string before = ",";
      if (members.size() >= 2) {
        const Member& prev = members[members.size() - 2];
        const std::size_t comma = text.find(',', prev.value_end);
        before = std::string(text.substr(prev.value_end, comma - prev.value_end)) + "," +
                 std::string(text.substr(comma + 1, tail.key_begin - comma - 1));
      } else {
        // One member: its lines if the object spans lines, else ", " (or "," when compact).
        const std::string_view gap = text.substr(at + 1, tail.key_begin - at - 1);
        before += gap.find('\n') != std::string_view::npos ? std::string(gap)
                                                             : std::string(colon.size() > 1 ? " " : "");
      }
      std::string with = before;
      AppendWiping(with, entry);
      splice(tail.value_end, tail.value_end, with);
      WipeString(with);
    }
    WipeString(entry);
    return out;
  }
  return std::nullopt;
}

}  // namespace seam
