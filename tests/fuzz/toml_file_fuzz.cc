// toml-file side: a TOML document and a JSON pointer into it (first line: the pointer), observed
// and written on a real file by the side itself (tests/fuzz/file_side_check.h says what is
// checked).
#include "plugins/toml_file/toml_file_side.h"
#include "tests/fuzz/file_side_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const seam::fuzz::FileSideCase kCase = seam::fuzz::PointerSide("config.toml", seam::MakeTomlFileSide);
  return seam::fuzz::FuzzFileSide(kCase, data, size);
}
