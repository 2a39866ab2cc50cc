#pragma once
// When SeamRunner (tools/seamd/seam_runner.h) runs a seam's next pass: the debounce of queued
// requests, the poll interval with jitter, and the back-off after failed passes. Pure
// functions of the times they are given, so they are tested in simulated time; the runner
// feeds them LoopClock's time and arms its timers with what they return.

#include <chrono>
#include <optional>
#include <random>

#include "tools/seamd/loop_clock.h"

namespace seam::seamd::pass_schedule {

using Clock = LoopClock;
using std::chrono::milliseconds;

// The longest a burst of requests may hold back a queued pass.
inline constexpr std::chrono::microseconds kDebounceCap{5000};
// Back-off after failed passes doubles from the base and stops growing here.
inline constexpr milliseconds kBackoffCap{5 * 60 * 1000};
// The base of that back-off for a seam that is not polled (files only).
inline constexpr milliseconds kFileRetryBase{1000};

// A request at `now` with `delay` joins the pass queued since `queued_since` and armed for
// `armed`; returns when that pass is to run now. A debounced request (delay > 0, a file event)
// pushes it back so the pass sees the end of a burst (truncate, then write), but never past
// kDebounceCap after the burst began; an immediate one (delay 0) pulls it in to `now`. Neither
// ever moves it the other way.
Clock::time_point Retarget(Clock::time_point now, std::chrono::microseconds delay, Clock::time_point queued_since,
                           Clock::time_point armed);

// The wait before the next pass after one ended: the poll interval for a polled seam; after
// `failures` consecutive failed passes the base (interval, or kFileRetryBase) doubled per
// failure up to kBackoffCap. nullopt: a file-only seam whose last pass succeeded waits for
// events alone. Without jitter (Jittered adds it).
std::optional<milliseconds> NextWait(bool polled, milliseconds interval, int failures);

// `base` with +-10% jitter, so many seams started together do not poll in step.
milliseconds Jittered(milliseconds base, std::mt19937_64& rng);

}  // namespace seam::seamd::pass_schedule
