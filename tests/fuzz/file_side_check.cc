#include "tests/fuzz/file_side_check.h"

#include <string>

#include "tests/fuzz/fuzz_support.h"

namespace seam::fuzz {

FileSideCase PointerSide(const char* file_name, Result<std::unique_ptr<Side>> (*make)(SideOptions&)) {
  return FileSideCase{file_name,
                      [](std::string_view pointer, SideOptions& options) {
                        options.Set("pointer", OptionValue{std::string(pointer), 3});
                        return true;
                      },
                      make};
}

int FuzzFileSide(const FileSideCase& c, const std::uint8_t* data, std::size_t size) {
  std::string_view in = AsText(data, size);
  const std::string_view locator = TakeLine(in);
  const std::filesystem::path file = ScratchDir() / c.file_name;
  WriteScratch(file, in);

  SideOptions options("seam.toml", ScratchDir(), "fuzzed", "side", 1);
  options.Set("path", OptionValue{std::string(c.file_name), 2});
  if (!c.configure(locator, options)) return 0;
  Result<std::unique_ptr<Side>> made = c.make(options);
  if (!made.ok()) {
    // Only the locator may be refused (its messages are the side's own tests'): a refusal of the
    // harness's own options would fuzz nothing, silently.
    const std::string& why = made.status().message();
    if (why.find("pointer") == std::string::npos && why.find("variable") == std::string::npos &&
        why.find("dialect") == std::string::npos) {
      FuzzFail("the harness's own options are refused: " + why);
    }
    return 0;
  }
  Side& side = **made;

  const Observation seen = side.Observe();
  if (seen.state == Observation::State::kUnreadable) {
    if (seen.reason.empty()) FuzzFail("an unreadable observation without a reason");
    return 0;
  }
  const std::string before = ReadScratch(file);
  const std::string value = size % 2 == 0 ? "fuzz-written-value-0123456789"
                                          : "new \"value\" with 'quotes', \\ # $x = ${y} : [a] {b} \t end";
  Record record;
  for (const std::string& field : side.Fields()) record.emplace(field, Secret(value));
  const Status wrote = side.Write(record, seen.marker);
  if (!wrote.ok()) {
    if (ReadScratch(file) != before) FuzzFail("a refused write changed the file: " + wrote.ToString());
    return 0;
  }
  const Observation after = side.Observe();
  if (after.state != Observation::State::kValue) {
    FuzzFail("a write said yes, then the side reads as " +
             std::string(after.state == Observation::State::kMissing ? "missing" : "unreadable: " + after.reason));
  }
  for (const std::string& field : side.Fields()) {
    const Secret* got = after.Field(field);
    if (got == nullptr || got->Reveal() != value) FuzzFail("a write said yes, then field " + field + " reads back otherwise");
  }
  return 0;
}

}  // namespace seam::fuzz
