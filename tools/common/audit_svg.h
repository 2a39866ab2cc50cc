#pragma once
// Internal to audit_html.cc: the SVG timeline of one seam's audit JSON, and the small helpers
// both files use (escaping, tolerant JSON field access, RFC 3339 parsing, colours).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seam::audit_html {

using Json = nlohmann::ordered_json;

// Escapes for HTML/SVG text and double- or single-quoted attribute values; control characters
// other than newline and tab become spaces.
std::string Esc(std::string_view s);

// Tolerant field access: a missing field, a null, or a value of another type reads as empty.
std::string Str(const Json& j, const char* key);
std::optional<std::int64_t> Int(const Json& j, const char* key);
std::optional<std::int64_t> Time(const Json& j, const char* key);  // RFC 3339 -> UTC µs
const Json& Arr(const Json& j, const char* key);                    // empty array unless array
const Json& Obj(const Json& j, const char* key);                    // null unless object
std::vector<std::string> Strings(const Json& j, const char* key);

// "2026-11-26T18:43:07Z": a time label without the microseconds.
std::string ShortTime(std::int64_t us);

// The verdict class name ("lagging", "foreign", "missing"; anything else is "drift") and its
// solid and light colours.
std::string VerdictClass(const std::string& verdict);
const char* VerdictColour(const std::string& verdict_class);
const char* VerdictLight(const std::string& verdict_class);
inline constexpr const char* kInSyncColour = "#2e9e5b";
inline constexpr const char* kReachedColour = "#1b2631";
inline constexpr const char* kMissedColour = "#d62828";
inline constexpr const char* kRepairColour = "#1d6fb8";
inline constexpr const char* kAdoptionColour = "#117a65";
inline constexpr const char* kRestartColour = "#34495e";
inline constexpr const char* kFlappingColour = "#b9770e";
inline constexpr const char* kUnreadableColour = "#95a5a6";

// <pattern id="hatch-VERDICT">s for the uncertain brackets: once per page, shared by every SVG.
std::string HatchPatterns();

// The <svg class="timeline"> of one seam whose first_event_at is known.
std::string TimelineSvg(const Json& seam);

}  // namespace seam::audit_html
