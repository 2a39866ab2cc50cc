#include "core/config_split.h"

#include <algorithm>
#include <utility>

#include "core/config_parse.h"

namespace seam {
namespace {

using config_internal::ParseContext;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

enum class LineKind { kContent, kSeamHeader, kSeamSubHeader, kOtherHeader };

// What a line looks like on its own: "[[seam]]", "[seam.…]" / "[[seam.…]]", another header, or
// anything else. A header is the whole line but for blanks and a comment, so `["a"],` inside a
// multi-line array is content.
LineKind Classify(std::string_view line) {
  line = Trim(line);
  if (line.empty() || line.front() != '[') return LineKind::kContent;
  const bool array = line.size() > 1 && line[1] == '[';
  const std::string_view open = array ? "[[" : "[";
  const std::string_view close = array ? "]]" : "]";
  const std::size_t end = line.find(close, open.size());
  if (end == std::string_view::npos) return LineKind::kContent;
  const std::string_view rest = Trim(line.substr(end + close.size()));
  if (!rest.empty() && rest.front() != '#') return LineKind::kContent;
  const std::string_view name = Trim(line.substr(open.size(), end - open.size()));
  if (array && name == "seam") return LineKind::kSeamHeader;
  if (name.starts_with("seam.")) return LineKind::kSeamSubHeader;
  return LineKind::kOtherHeader;
}

// Calls fn(number, line) for each line (1-based, with its line break), without a vector of
// them: the one-seam path walks a 10,000-seam text three times.
template <typename Fn>
void ForEachLine(std::string_view text, Fn&& fn) {
  std::size_t at = 0;
  int number = 0;
  while (at < text.size()) {
    const std::size_t nl = text.find('\n', at);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    fn(++number, text.substr(at, end - at));
    at = end;
  }
}

// The text's lines, each with its line break (the check needs them by number).
std::vector<std::string_view> LinesOf(std::string_view text) {
  std::vector<std::string_view> lines;
  ForEachLine(text, [&](int, std::string_view line) { lines.push_back(line); });
  return lines;
}

// `text` with the lines inside `runs` blanked, except those of `keep` (when given).
std::string BlankRuns(std::string_view text, const std::vector<LineRange>& runs, const LineRange* keep) {
  std::string out;
  out.reserve(text.size());
  std::size_t run = 0;
  ForEachLine(text, [&](int number, std::string_view line) {
    while (run < runs.size() && runs[run].end <= number) ++run;
    const bool in_run = run < runs.size() && runs[run].first <= number;
    const bool kept = keep != nullptr && keep->first <= number && number < keep->end;
    if (!in_run || kept) {
      out += line;
    } else if (line.ends_with('\n')) {
      out += '\n';
    }
  });
  return out;
}

std::string RunText(const std::vector<std::string_view>& lines, const LineRange& run) {
  std::string out;
  for (int n = run.first; n < run.end; ++n) out += lines[static_cast<std::size_t>(n - 1)];
  return out;
}

std::string Lines(const LineRange& run) {
  return "lines " + std::to_string(run.first) + "-" + std::to_string(run.end - 1);
}

// The check that makes the lexical split trustworthy for this text (see the header): `root` is
// the whole parse, consumed. The runs, or why they do not hold (first failure only).
struct Checked {
  std::vector<SeamLines> seams;
  std::string why_not;
};
Checked CheckRuns(const ParseContext& ctx, std::string_view text, const std::vector<LineRange>& runs,
                  toml::table root) {
  toml::array* whole = root.get("seam") != nullptr ? root.get("seam")->as_array() : nullptr;
  if (whole == nullptr || whole->empty()) return {{}, "no [[seam]] tables"};
  if (whole->size() != runs.size()) {
    return {{}, std::to_string(runs.size()) + " lines look like a [[seam]] header, but the config has " +
                    std::to_string(whole->size()) + " seams"};
  }
  toml::array seams = std::move(*whole);
  root.erase("seam");

  Result<toml::table> outside = config_internal::ParseToml(ctx, BlankRuns(text, runs, nullptr));
  if (!outside.ok() || !(*outside == root)) {
    return {{}, "the lines outside the seams do not parse to `hook_path`, [store], [daemon] and [agent] alone (a table between a "
                "[[seam]] and its [seam.…] tables?)"};
  }
  const std::vector<std::string_view> lines = LinesOf(text);
  Checked checked;
  checked.seams.reserve(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    Result<toml::table> alone = config_internal::ParseToml(ctx, RunText(lines, runs[i]));
    const toml::array* one =
        alone.ok() && alone->size() == 1 && alone->get("seam") != nullptr ? alone->get("seam")->as_array() : nullptr;
    const toml::table* mine = one != nullptr && one->size() == 1 ? one->get(0)->as_table() : nullptr;
    const toml::table* expected = seams.get(i)->as_table();
    std::optional<std::string> name = expected != nullptr ? (*expected)["name"].value<std::string>() : std::nullopt;
    if (mine == nullptr || expected == nullptr || !(*mine == *expected) || !name) {
      return {{}, Lines(runs[i]) + " do not parse to that seam alone (a multi-line value holding a header line?)"};
    }
    checked.seams.push_back(SeamLines{std::move(*name), runs[i]});
  }
  return checked;
}

}  // namespace

std::vector<LineRange> SeamRuns(std::string_view text) {
  std::vector<LineRange> runs;
  int open = 0;  // first line of the run being read, 0 when none
  int last = 0;
  ForEachLine(text, [&](int number, std::string_view line) {
    last = number;
    if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);  // a UTF-8 BOM
    const LineKind kind = Classify(line);
    if (kind == LineKind::kSeamHeader || kind == LineKind::kOtherHeader) {
      if (open != 0) runs.push_back(LineRange{open, number});
      open = kind == LineKind::kSeamHeader ? number : 0;
    }
  });
  if (open != 0) runs.push_back(LineRange{open, last + 1});
  return runs;
}

Result<SplitConfig> ParseConfigAndSplit(const std::string& text, const std::filesystem::path& file,
                                        const ConfigSchema& schema) {
  const ParseContext ctx{file.string(), file.parent_path(), &schema};
  SEAM_RETURN_IF_ERROR(config_internal::CheckSize(ctx, text.size()));
  SEAM_ASSIGN_OR_RETURN(toml::table root, config_internal::ParseToml(ctx, text));
  SplitConfig split;
  SEAM_ASSIGN_OR_RETURN(split.config, config_internal::BuildConfig(ctx, root, file));
  Checked checked = CheckRuns(ctx, text, SeamRuns(text), std::move(root));
  split.seams = std::move(checked.seams);
  split.why_not_split = std::move(checked.why_not);
  return split;
}

Result<Config> ParseConfigSubset(const std::string& text, const std::filesystem::path& file,
                                 const ConfigSchema& schema, const std::vector<LineRange>& runs,
                                 const LineRange* seam) {
  if (seam != nullptr && std::find(runs.begin(), runs.end(), *seam) == runs.end()) {
    return Status::InvalidArgument(file.string() + ": lines " + std::to_string(seam->first) + "-" +
                                   std::to_string(seam->end - 1) + " are not one seam's table");
  }
  return ParseConfig(BlankRuns(text, runs, seam), file, schema);
}

}  // namespace seam
