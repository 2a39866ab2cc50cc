#pragma once
// Runs SQL on a SQLite file (created when absent), for tests that make another program's
// database: the gateway's pairings, a settings table, a hostile schema.

#include <filesystem>
#include <string>

namespace seam::testing {

// "" on success, else SQLite's message.
std::string ExecSqlite(const std::filesystem::path& db, const std::string& sql);

}  // namespace seam::testing
