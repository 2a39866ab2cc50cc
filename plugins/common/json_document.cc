#include "plugins/common/json_document.h"

#include <algorithm>
#include <new>
#include <optional>
#include <set>
#include <vector>

#include "plugins/common/wipe.h"

namespace seam {
namespace {

// Line and column as nlohmann counts them: `byte` characters were consumed, the column is the
// count since the last newline among them.
std::string Position(std::string_view text, std::size_t byte) {
  std::string_view seen = text.substr(0, std::min(byte, text.size()));
  auto newlines = static_cast<std::size_t>(std::count(seen.begin(), seen.end(), '\n'));
  std::size_t last_nl = seen.rfind('\n');
  std::size_t column = last_nl == std::string_view::npos ? byte : byte - (last_nl + 1);
  return "line " + std::to_string(newlines + 1) + ", column " + std::to_string(column);
}

// Deepest nesting of arrays and objects, counting brackets outside strings. nlohmann parses,
// destroys and dumps recursively, so a deep enough file (a few MiB of "[") overflows the stack.
std::size_t NestingDepth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// Offset of the opening quote of the `n`th (0-based, in document order) object key. Only
// called on text the parser accepted up to past that key, where a string followed by `:` is
// exactly a key.
std::size_t NthKeyOffset(std::string_view text, std::size_t n) {
  std::size_t start = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!in_string) {
      if (c == '"') {
        in_string = true;
        start = i;
      }
      continue;
    }
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c != '"') continue;
    in_string = false;
    std::size_t j = text.find_first_not_of(" \t\r\n", i + 1);
    if (j != std::string_view::npos && text[j] == ':' && n-- == 0) return start;
  }
  return text.size();
}

// A key seen twice in one object: its text and its index among all keys in document order.
struct DuplicateKey {
  std::string key;
  std::size_t index = 0;
};

}  // namespace

Result<Json> ParseJsonDocument(const std::filesystem::path& path, std::string_view text) {
  const std::string shown = path.string();
  if (text.empty()) return Status::FailedPrecondition(shown + " is empty, not JSON");
  // nlohmann stops at a NUL byte as if the input ended there, which would accept (and a write
  // would then drop) anything after it, e.g. the zero-filled tail a crash can leave.
  if (std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return Status::FailedPrecondition(shown + ": invalid JSON at " + Position(text, nul + 1) +
                                      " (a NUL byte)");
  }
  if (NestingDepth(text) > kJsonMaxDepth) {
    return Status::FailedPrecondition(shown + ": JSON nested deeper than " +
                                      std::to_string(kJsonMaxDepth) + " levels");
  }
  // The keys of every open object (arrays get an unused set, so that ends pop evenly).
  std::vector<std::set<std::string>> open;
  std::size_t keys_seen = 0;
  std::optional<DuplicateKey> duplicate;
  auto track = [&](int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start: open.emplace_back(); break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        if (!open.empty()) open.pop_back();
        break;
      case Json::parse_event_t::key: {
        const auto& key = parsed.get_ref<const std::string&>();
        if (!duplicate && !open.empty() && !open.back().insert(key).second) {
          duplicate = DuplicateKey{key, keys_seen};
        }
        ++keys_seen;
        break;
      }
      case Json::parse_event_t::value: break;
    }
    return true;  // keep everything: the tree is the same as without the callback
  };
  Json doc;
  try {
    doc = Json::parse(text, track);
  } catch (const Json::parse_error& e) {
    return Status::FailedPrecondition(shown + ": invalid JSON at " + Position(text, e.byte));
  } catch (const Json::out_of_range&) {
    return Status::FailedPrecondition(shown + ": invalid JSON: a number is out of range");
  } catch (const Json::exception&) {
    return Status::FailedPrecondition(shown + ": invalid JSON");
  } catch (const std::bad_alloc&) {
    return Status::FailedPrecondition(shown + ": out of memory while parsing");
  }
  if (duplicate) {
    WipeJson(doc);
    // dump() quotes and escapes the key; keys are valid UTF-8 once parsed.
    return Status::FailedPrecondition(shown + ": duplicate key " + Json(duplicate->key).dump() +
                                      " at " + Position(text, NthKeyOffset(text, duplicate->index) + 1));
  }
  return doc;
}

void WipeJson(Json& j) noexcept {
  // Recursion is bounded: parsed trees nest at most kJsonMaxDepth levels, and the side adds
  // only the objects its pointer names.
  if (j.is_string()) {
    WipeString(j.get_ref<std::string&>());
  } else if (j.is_object() || j.is_array()) {
    for (auto it = j.begin(); it != j.end(); ++it) WipeJson(it.value());
  }
}

}  // namespace seam
