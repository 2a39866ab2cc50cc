#include "tests/fuzz/fuzz_support.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>

namespace seam::fuzz {

std::string_view TakeLine(std::string_view& in) {
  const std::size_t nl = in.find('\n');
  const std::string_view line = in.substr(0, nl);
  in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
  return line;
}

namespace {

std::filesystem::path& Scratch() {
  static std::filesystem::path dir;
  return dir;
}

void RemoveScratch() {
  std::error_code ec;
  if (!Scratch().empty()) std::filesystem::remove_all(Scratch(), ec);
}

}  // namespace

const std::filesystem::path& ScratchDir() {
  std::filesystem::path& dir = Scratch();
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    const std::filesystem::path base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    dir = base / ("seam-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::atexit(RemoveScratch);
  }
  return dir;
}

void WriteScratch(const std::filesystem::path& file, std::string_view bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) FuzzFail("cannot write the scratch file " + file.string());
}

std::string ReadScratch(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void FuzzFail(const std::string& what) {
  std::fprintf(stderr, "fuzz: property broken: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace seam::fuzz
