#pragma once
// What every fuzz target shares. A target is one file, `NAME_fuzz.cc`, defining libFuzzer's
// entry point over the real code path it fuzzes; tests/fuzz/CMakeLists.txt builds it twice:
// with clang's libFuzzer (the `fuzz` preset, `tools/dev fuzz`) and with the normal compiler
// against replay_main.cc, which feeds it every input of its corpus (tests/fuzz/corpus/NAME/)
// as a ctest case, so `tools/dev test` and the ASan build keep every finding fixed.
//
// A target reports a broken property (a write that said yes but reads back otherwise, a refusal
// that changed the file) through FuzzFail: a crash, as libFuzzer counts findings.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace seam::fuzz {

// The input as text (bytes, not necessarily UTF-8).
inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Removes and returns the first line of `in` (without its '\n'); all of `in` when it has none.
std::string_view TakeLine(std::string_view& in);

// A directory of this process's own under $TMPDIR (tools/dev fuzz points it at a tmpfs, so
// fsync does not cap the speed), created on first use and removed at exit.
const std::filesystem::path& ScratchDir();

// Replaces `file`'s content with `bytes` (no fsync: scratch).
void WriteScratch(const std::filesystem::path& file, std::string_view bytes);

// The whole content of `file`; "" when it cannot be read.
std::string ReadScratch(const std::filesystem::path& file);

// A broken property: prints `what` to stderr and aborts.
[[noreturn]] void FuzzFail(const std::string& what);

}  // namespace seam::fuzz
