// pg-test-server start|stop POINTER: the ctest fixture `postgres` (tests/CMakeLists.txt). `start`
// starts one throwaway PostgreSQL (tests/support/throwaway_postgres.h) for the whole test run and
// writes its directory into the file POINTER; every test that needs PostgreSQL finds it through
// $SEAM_TEST_PG_POINTER (a database of its own each). `stop` stops it and removes both. A server
// a killed run left behind is stopped by the next `start`.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "tests/support/throwaway_postgres.h"

namespace {

void StopLeftover(const std::filesystem::path& pointer) {
  std::ifstream in(pointer);
  std::string dir;
  if (!std::getline(in, dir) || dir.empty()) return;
  seam::testing::ThrowawayPostgres old;
  if (old.Attach(dir).empty()) old.StopAttached();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::remove(pointer, ec);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string verb = argc == 3 ? argv[1] : "";
  if (verb != "start" && verb != "stop") {
    std::cerr << "usage: pg-test-server start|stop POINTER_FILE\n";
    return 2;
  }
  const std::filesystem::path pointer = argv[2];
  StopLeftover(pointer);
  if (verb == "stop") return 0;
  seam::testing::ThrowawayPostgres server;
  const std::string error = server.Start();
  if (!error.empty()) {
    std::cerr << "pg-test-server: " << error << "\n";
    return 1;
  }
  std::ofstream(pointer) << server.dir().string() << "\n";
  server.Detach();
  std::cout << "PostgreSQL for the tests: " << server.Url() << "\n";
  return 0;
}
