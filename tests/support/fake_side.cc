#include "tests/support/fake_side.h"

#include <thread>

namespace seam::testing {

FakeSide::FakeSide(std::string name, std::vector<std::string> fields)
    : name_(std::move(name)), fields_(std::move(fields)) {}

void FakeSide::Hold(Record record) {
  std::lock_guard<std::mutex> lock(mu_);
  held_ = std::move(record);
  answers_absent_ = false;
  ++generation_;
}

void FakeSide::HoldNothing() {
  std::lock_guard<std::mutex> lock(mu_);
  held_.reset();
  answers_absent_ = false;
  ++generation_;
}

void FakeSide::AnswerAbsent() {
  std::lock_guard<std::mutex> lock(mu_);
  held_.reset();
  answers_absent_ = true;
  ++generation_;
}

void FakeSide::SetRestartMarker(std::string marker) {
  std::lock_guard<std::mutex> lock(mu_);
  restart_marker_ = std::move(marker);
}

std::optional<Record> FakeSide::held() const {
  std::lock_guard<std::mutex> lock(mu_);
  return held_;
}

void FakeSide::FailNextObserve(std::string reason, int times) {
  std::lock_guard<std::mutex> lock(mu_);
  for (int i = 0; i < times; ++i) observe_failures_.push_back(reason);
}

void FakeSide::FailNextWrite(Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  write_failure_ = std::move(status);
}

void FakeSide::KeepOnNextWrite(Record instead) {
  std::lock_guard<std::mutex> lock(mu_);
  keep_instead_ = std::move(instead);
}

void FakeSide::SetObserveDelay(std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  observe_delay_ = delay;
}

int FakeSide::observes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return observes_;
}

int FakeSide::writes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return writes_;
}

int FakeSide::removes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return removes_;
}

ChangeMarker FakeSide::MarkerLocked() const { return ChangeMarker{name_ + "#" + std::to_string(generation_)}; }

Observation FakeSide::Observe(Deadline deadline) {
  std::chrono::milliseconds delay;
  {
    std::lock_guard<std::mutex> lock(mu_);
    delay = observe_delay_;
  }
  const WaitBudget budget = BudgetFor(delay, deadline);
  // Outside the lock: a test may change the delay meanwhile.
  if (budget.allowed.count() > 0) std::this_thread::sleep_for(budget.allowed);
  std::lock_guard<std::mutex> lock(mu_);
  ++observes_;
  if (budget.cut) return Observation::Unreadable(Describe() + ": " + DeadlineReason(budget));
  if (!observe_failures_.empty()) {
    Observation o = Observation::Unreadable(Describe() + ": " + observe_failures_.front());
    observe_failures_.pop_front();
    return o;
  }
  Record mapped;
  if (held_) {
    for (const std::string& f : fields_) {
      if (auto it = held_->find(f); it != held_->end()) mapped.emplace(f, it->second);
    }
  }
  Observation o;
  if (mapped.empty()) {
    o = answers_absent_ ? Observation::Absent(MarkerLocked()) : Observation::Missing(MarkerLocked());
  } else {
    for (const std::string& f : carried_) {
      if (auto it = held_->find(f); it != held_->end()) mapped.emplace(f, it->second);
    }
    o = Observation::Value(std::move(mapped), MarkerLocked());
  }
  o.restart_marker = restart_marker_;
  return o;
}

Status FakeSide::CheckExpectedLocked(const ChangeMarker& expected, const char* doing) {
  if (!writable_) return Status::FailedPrecondition(Describe() + " is observe-only");
  if (!(expected == MarkerLocked())) {
    return Status::FailedPrecondition(Describe() + " changed since it was observed; not " + doing);
  }
  if (write_failure_) {
    Status failed = std::move(*write_failure_);
    write_failure_.reset();
    return failed;
  }
  return Status::Ok();
}

Status FakeSide::Write(const Record& record, const ChangeMarker& expected) {
  std::lock_guard<std::mutex> lock(mu_);
  SEAM_RETURN_IF_ERROR(CheckExpectedLocked(expected, "writing"));
  Record next = held_.value_or(Record{});
  for (const std::string& f : fields_) {
    if (auto it = record.find(f); it != record.end()) next.insert_or_assign(f, it->second);
  }
  if (keep_instead_) {
    next = std::move(*keep_instead_);
    keep_instead_.reset();
  }
  held_ = std::move(next);
  ++generation_;
  ++writes_;
  return Status::Ok();
}

Status FakeSide::Remove(const ChangeMarker& expected) {
  std::lock_guard<std::mutex> lock(mu_);
  SEAM_RETURN_IF_ERROR(CheckExpectedLocked(expected, "removing"));
  if (held_) {
    for (const std::string& f : fields_) held_->erase(f);
  }
  answers_absent_ = true;
  ++generation_;
  ++removes_;
  return Status::Ok();
}

}  // namespace seam::testing
