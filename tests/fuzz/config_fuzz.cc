// seam.toml, loaded as `seamctl check` loads it: toml++'s parse, every table checked, every side
// built by its plugin's factory (tools/common/builtin_sides.h), then the one-seam split
// (core/config_split.h): when ParseConfigAndSplit says the split holds for a text, each seam's
// lines alone must parse to that seam and nothing else (a broken promise is a finding: the
// config index would hand a command the wrong seam).
//
// Two input forms. Plain bytes are the file. An input starting with byte 0x01 is structure-aware:
// its lines are values slotted, escaped, into a valid skeleton (a store, a seam with two sides
// and a [[notify]]), so the fuzzer spends its time in the checks behind the TOML parse instead of
// on the parse's first error.
#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/config_split.h"
#include "core/side_registry.h"
#include "tests/fuzz/fuzz_support.h"
#include "tools/common/builtin_sides.h"

namespace {

using seam::fuzz::FuzzFail;

// A TOML basic string holding `s` (every byte kept: control bytes and non-ASCII escaped).
std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == 0x7f) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string Skeleton(std::string_view in) {
  constexpr std::size_t kSlots = 14;
  std::array<std::string, kSlots> v;
  for (std::size_t i = 0; i < kSlots && !in.empty(); ++i) v[i] = std::string(seam::fuzz::TakeLine(in));
  std::string text = "[store]\npath = " + Quoted(v[0]) + "\n";
  text += "\n[[seam]]\nname = " + Quoted(v[1]) + "\nkind = " + Quoted(v[2]) + "\nentity = " + Quoted(v[3]) +
          "\nrepair = " + Quoted(v[4]) + "\n";
  text += "[seam.sides." + Quoted(v[5]) + "]\nplugin = " + Quoted(v[6]) + "\npath = " + Quoted(v[7]) +
          "\npointer = " + Quoted(v[8]) + "\n";
  text += "[seam.sides." + Quoted(v[9]) + "]\nplugin = " + Quoted(v[10]) + "\n" + Quoted(v[11]) + " = " +
          Quoted(v[12]) + "\n";
  text += "\n[[notify]]\ncommand = [\"/bin/true\"]\non = [" + Quoted(v[13]) + "]\n";
  return text + std::string(in);  // the rest: more TOML after the skeleton
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static seam::SideRegistry* registry = [] {
    auto* r = new seam::SideRegistry;
    seam::RegisterBuiltinSides(*r);
    return r;
  }();
  static const seam::ConfigSchema schema{seam::BuiltinKinds(), registry};

  std::string_view in = seam::fuzz::AsText(data, size);
  const std::string text = !in.empty() && in[0] == '\x01' ? Skeleton(in.substr(1)) : std::string(in);
  const std::filesystem::path file = seam::fuzz::ScratchDir() / "seam.toml";

  seam::Result<seam::SplitConfig> split = seam::ParseConfigAndSplit(text, file, schema);
  if (!split.ok()) {
    if (split.status().message().empty()) FuzzFail("a config refused without a message");
    return 0;
  }
  std::vector<seam::LineRange> runs;
  for (const seam::SeamLines& s : split->seams) runs.push_back(s.lines);
  for (const seam::SeamLines& s : split->seams) {
    seam::Result<seam::Config> one = seam::ParseConfigSubset(text, file, schema, runs, &s.lines);
    if (!one.ok()) FuzzFail("seam " + s.name + "'s lines alone do not load: " + one.status().ToString());
    if (one->seams.size() != 1 || one->seams[0].name != s.name) {
      FuzzFail("seam " + s.name + "'s lines alone load to another config");
    }
  }
  if (!split->seams.empty()) {
    seam::Result<seam::Config> none = seam::ParseConfigSubset(text, file, schema, runs, nullptr);
    if (!none.ok() || !none->seams.empty()) FuzzFail("the lines outside every seam do not load alone");
  }
  return 0;
}
