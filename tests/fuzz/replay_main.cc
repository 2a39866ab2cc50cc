// The fuzz targets built with the normal compiler (no libFuzzer): `fuzz_NAME CORPUS...` feeds
// the target every file under the given directories (and files), in name order, once each.
// ctest runs it over tests/fuzz/corpus/NAME (tools/dev test, and under ASan + UBSan), so the
// seeds and every input a fuzzer found keep passing. A crash or a sanitizer report fails the
// case; so does an input taking over 10 s (libFuzzer's runs flag over 1 s; a debug ASan build
// is slower) and an empty corpus (a replay of nothing proves nothing).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg = argv[i];
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      for (const fs::directory_entry& e : fs::recursive_directory_iterator(arg)) {
        if (e.is_regular_file()) inputs.push_back(e.path());
      }
    } else if (fs::is_regular_file(arg, ec)) {
      inputs.push_back(arg);
    } else {
      std::fprintf(stderr, "%s: no such corpus: %s\n", argv[0], arg.c_str());
      return 2;
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "%s: the corpus is empty: nothing replayed\n", argv[0]);
    return 1;
  }
  std::sort(inputs.begin(), inputs.end());
  using Clock = std::chrono::steady_clock;
  Clock::duration slowest{};
  fs::path slowest_input;
  for (const fs::path& input : inputs) {
    std::ifstream in(input, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "%s: cannot read %s\n", argv[0], input.c_str());
      return 2;
    }
    // An exactly sized heap buffer, as libFuzzer passes: under ASan a read one byte past the
    // input is caught here too (a std::string has a NUL and often spare room after its bytes).
    const std::unique_ptr<std::uint8_t[]> exact(new std::uint8_t[bytes.size()]);
    std::copy(bytes.begin(), bytes.end(), exact.get());
    const auto start = Clock::now();
    LLVMFuzzerTestOneInput(exact.get(), bytes.size());
    const auto took = Clock::now() - start;
    if (took > slowest) {
      slowest = took;
      slowest_input = input;
    }
    if (took > std::chrono::seconds(10)) {
      std::fprintf(stderr, "%s: %s took %lld ms (a hang: over 10 s)\n", argv[0], input.c_str(),
                   static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
      return 1;
    }
  }
  std::printf("replayed %zu inputs; slowest %lld ms (%s)\n", inputs.size(),
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count()),
              slowest_input.filename().c_str());
  return 0;
}
