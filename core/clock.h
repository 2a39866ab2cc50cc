#pragma once
// Clock: where seam gets "now". Injected everywhere so tests can use FakeClock.
// Times are UTC microseconds since the Unix epoch (the unit of Event::time_us).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace seam {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t NowMicros() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t NowMicros() const override;
};

// Thread-compatible (not thread-safe): tests advance it from one thread.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t start_micros) : now_(start_micros) {}
  std::int64_t NowMicros() const override { return now_; }
  void Advance(std::int64_t micros) { now_ += micros; }
  void Set(std::int64_t micros) { now_ = micros; }

 private:
  std::int64_t now_;
};

// RFC 3339 UTC with microseconds: "2026-11-26T18:43:07.123456Z".
std::string FormatTimeMicros(std::int64_t micros);

// An RFC 3339 (section 5.6) date-time in Unix microseconds, or nullopt: "T"/"Z" in either case
// (5.6 NOTE), a fraction of any length (digits past microseconds dropped), "Z" or a numeric
// offset; second 60 (a leap second) counts as the next second's start. FormatTimeMicros's
// output parses back to the same value.
std::optional<std::int64_t> ParseTimeMicros(std::string_view text);

}  // namespace seam
