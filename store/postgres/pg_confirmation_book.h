#pragma once
// PgConfirmationBook: the ConfirmationBook (core/confirmation_book.h) of the PostgreSQL store, in
// its seam_confirmations table, so every host's agent narrows drift brackets with what any host
// confirmed. Reads are cached; Confirm only updates the cache; Flush upserts what changed in one
// statement (a time never moves backwards, whoever flushes last).

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "core/confirmation_book.h"
#include "core/status.h"

namespace seam::pg {

class Connection;

class PgConfirmationBook final : public ConfirmationBook {
 public:
  explicit PgConfirmationBook(std::unique_ptr<Connection> conn);
  ~PgConfirmationBook() override;

  std::int64_t LastInSync(const std::string& stream, const std::string& side) override;
  void Confirm(const std::string& stream, const std::string& side, std::int64_t at_us) override;
  Status Flush() override;

 private:
  struct Entry {
    std::int64_t at_us = 0;
    bool dirty = false;
  };
  std::unique_ptr<Connection> conn_;
  std::map<std::pair<std::string, std::string>, Entry> cache_;
  std::string read_error_;  // the first failed read since the last Flush, reported by Flush
};

}  // namespace seam::pg
