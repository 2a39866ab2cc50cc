#pragma once
// FakeSide: an in-memory Side (core/side.h) for unit tests of logic (the apply step, the pass
// phases, operations), beside the real-path tests that use real files and servers. What it holds
// is a Record the test sets; a script can make the next observations or writes fail, hold a
// value other than the one written (a read-back that does not confirm), or take time.
// Every call is counted. Thread-safe: a test may change it while a pass runs on another thread.

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/side.h"

namespace seam::testing {

class FakeSide final : public Side {
 public:
  explicit FakeSide(std::string name = "fake", std::vector<std::string> fields = {"token"});

  // What the side holds, as another program would set it (the marker changes).
  void Hold(Record record);
  // Holds nothing, as a side that cannot say why (a missing file): Observation::Missing.
  void HoldNothing();
  // Holds nothing, as a side that was reached and answered "not here" (a 404, an absent
  // member): Observation::Absent. A side seam removed the value from answers so too.
  void AnswerAbsent();
  // The restart marker its observations report ("" by default).
  void SetRestartMarker(std::string marker);
  std::optional<Record> held() const;

  // The next observations are unreadable with `reason` (one per call queued), then normal again.
  void FailNextObserve(std::string reason, int times = 1);
  // The next Write or Remove fails with `status` (writing nothing).
  void FailNextWrite(Status status);
  // The next Write stores `instead` of what it was given (a side that does not keep what it is
  // told: the read-back then does not confirm).
  void KeepOnNextWrite(Record instead);
  // Each Observe takes this long (a slow side).
  void SetObserveDelay(std::chrono::milliseconds delay);
  void SetWritable(bool writable) { writable_ = writable; }
  // Fields reported beside Fields() but not among them, as a pem-file side carries its chain and
  // key: observed when held, never compared.
  void SetCarriedFields(std::vector<std::string> fields) { carried_ = std::move(fields); }
  void SetWatchPaths(std::vector<std::filesystem::path> paths) { watch_ = std::move(paths); }

  int observes() const;
  int writes() const;   // successful Write calls
  int removes() const;  // successful Remove calls

  using Side::Observe;
  // The delay is cut to the deadline, which then makes the observation unreadable.
  Observation Observe(Deadline deadline) override;
  std::vector<std::string> Fields() const override { return fields_; }
  Status Write(const Record& record, const ChangeMarker& expected) override;
  Status Remove(const ChangeMarker& expected) override;
  Status CheckWritable() override { return Status::Ok(); }
  bool Writable() const override { return writable_; }
  std::vector<std::filesystem::path> WatchPaths() const override { return watch_; }
  std::string Describe() const override { return "fake " + name_; }

 private:
  ChangeMarker MarkerLocked() const;
  Status CheckExpectedLocked(const ChangeMarker& expected, const char* doing);

  const std::string name_;
  const std::vector<std::string> fields_;
  bool writable_ = true;
  std::vector<std::string> carried_;
  bool answers_absent_ = false;
  std::string restart_marker_;
  std::vector<std::filesystem::path> watch_;
  mutable std::mutex mu_;
  std::optional<Record> held_;
  std::int64_t generation_ = 0;  // bumped on every change: the change marker
  std::deque<std::string> observe_failures_;
  std::optional<Status> write_failure_;
  std::optional<Record> keep_instead_;
  std::chrono::milliseconds observe_delay_{0};
  int observes_ = 0;
  int writes_ = 0;
  int removes_ = 0;
};

}  // namespace seam::testing
