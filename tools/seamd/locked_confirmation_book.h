#pragma once
// LockedConfirmationBook: a ConfirmationBook (core/confirmation_book.h) that the passes on
// seamd's workers and the loop's flush may use at once: every call is serialised by a mutex
// around the store's own book (which is thread-compatible only).

#include <memory>
#include <mutex>
#include <string>

#include "core/confirmation_book.h"

namespace seam::seamd {

class LockedConfirmationBook final : public ConfirmationBook {
 public:
  explicit LockedConfirmationBook(std::unique_ptr<ConfirmationBook> book) : book_(std::move(book)) {}

  std::int64_t LastInSync(const std::string& stream, const std::string& side) override {
    std::lock_guard<std::mutex> lock(mu_);
    return book_->LastInSync(stream, side);
  }
  void Confirm(const std::string& stream, const std::string& side, std::int64_t at_us) override {
    std::lock_guard<std::mutex> lock(mu_);
    book_->Confirm(stream, side, at_us);
  }
  Status Flush() override {
    std::lock_guard<std::mutex> lock(mu_);
    return book_->Flush();
  }

 private:
  std::mutex mu_;
  std::unique_ptr<ConfirmationBook> book_;
};

}  // namespace seam::seamd
