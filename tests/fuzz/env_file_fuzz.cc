// env-file side: a dotenv, systemd EnvironmentFile or docker --env-file file (first line: the
// variable, then optionally a space and the dialect), observed and written on a real file by
// the side itself (tests/fuzz/file_side_check.h says what is checked).
#include "plugins/env_file/env_file_side.h"
#include "tests/fuzz/file_side_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const seam::fuzz::FileSideCase kCase{
      "app.env",
      [](std::string_view locator, seam::SideOptions& options) {
        const std::size_t space = locator.find(' ');
        options.Set("variable", seam::OptionValue{std::string(locator.substr(0, space)), 3});
        if (space != std::string_view::npos) {
          options.Set("dialect", seam::OptionValue{std::string(locator.substr(space + 1)), 4});
        }
        return true;
      },
      seam::MakeEnvFileSide};
  return seam::fuzz::FuzzFileSide(kCase, data, size);
}
