// A config index file (store/sqlite_config_index.h) planted in the state directory by anyone
// who can write there: the input is the whole database file. Read as `seamctl audit SEAM`
// reads it (IndexIsFor, FindIndexedSeam: read-only, defensive, exact schema, value and work
// limits): is it for the key the seeds were written for, where are two seams for that key, and
// one for another key (three opens: each costs a schema check, and speed is coverage). Checked:
// a wrong file is an error naming the file or a miss, within libFuzzer's 1 s; no seam is found
// in an index for another key (for "fuzz-key", IndexIsFor must agree; an index is for one key,
// so no file yields a seam for both).
#include <string>

#include "store/sqlite_config_index.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using seam::fuzz::FuzzFail;
  const std::filesystem::path file = seam::fuzz::ScratchDir() / "config-index.db";
  // What SQLite left beside the last input (a journal, a WAL and its index) would be read with
  // this one: each input is the whole file alone.
  for (const char* suffix : {"-journal", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
  seam::fuzz::WriteScratch(file, seam::fuzz::AsText(data, size));
  const auto named = [&](const seam::Status& status) {
    if (status.message().find(file.string()) == std::string::npos) {
      FuzzFail("an index error that does not name the file: " + status.message());
    }
  };
  const seam::Result<bool> is_for = seam::IndexIsFor(file, "fuzz-key");
  if (!is_for.ok()) named(is_for.status());
  int keys_with_a_seam = 0;
  for (const auto& [key, name] : {std::pair{"fuzz-key", "api-token"}, std::pair{"another-key", "web"}}) {
    const seam::Result<std::optional<seam::LineRange>> found = seam::FindIndexedSeam(file, key, name);
    if (!found.ok()) {
      named(found.status());
    } else if (*found) {
      ++keys_with_a_seam;
      if (std::string(key) == "fuzz-key" && !(is_for.ok() && *is_for)) {
        FuzzFail("a seam found in an index that is not for its key");
      }
    }
  }
  if (keys_with_a_seam == 2) FuzzFail("one index file answered for two keys");
  return 0;
}
