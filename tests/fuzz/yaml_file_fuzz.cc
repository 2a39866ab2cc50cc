// yaml-file side: a YAML stream and a JSON pointer into its first document (first line: the
// pointer), observed and written on a real file by the side itself (tests/fuzz/file_side_check.h
// says what is checked).
#include "plugins/yaml_file/yaml_file_side.h"
#include "tests/fuzz/file_side_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const seam::fuzz::FileSideCase kCase = seam::fuzz::PointerSide("config.yaml", seam::MakeYamlFileSide);
  return seam::fuzz::FuzzFileSide(kCase, data, size);
}
