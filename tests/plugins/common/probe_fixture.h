#pragma once
// ProbeFixture: the probing sides' suites (exec-probe, http-probe) build their side with its
// factory and give it a fixed CandidateSource: what a log would give, recording how many earlier
// values the side asked for. The source from a real log: tests/e2e/e2e_probe*_test.cc.

#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <string>

#include "core/side.h"
#include "core/side_options.h"

namespace seam::testing {

class ProbeFixture : public ::testing::Test {
 protected:
  using Factory = Result<std::unique_ptr<Side>> (*)(SideOptions&);
  ProbeFixture(Factory factory, std::string field) : factory_(factory), field_(std::move(field)) {}

  // The side `options` describe, its source installed; null (and a failure) when refused.
  std::unique_ptr<Side> Make(SideOptions options) {
    auto side = factory_(options);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    if (!side.ok()) return nullptr;
    std::unique_ptr<Side> made = std::move(side).value();
    made->SetCandidateSource([this](std::size_t older) -> Result<ProbeCandidates> {
      asked_older_ = older;
      return candidates_;
    });
    return made;
  }
  // Why the factory refuses `options` ("" and a failure when it does not).
  std::string FactoryError(SideOptions options) {
    auto side = factory_(options);
    EXPECT_FALSE(side.ok());
    return side.ok() ? "" : side.status().message();
  }
  ProbeCandidate Candidate(std::int64_t version, const std::string& value) const {
    return ProbeCandidate{version, Record{{field_, Secret(value)}}};
  }

  ProbeCandidates candidates_;
  std::size_t asked_older_ = 99;  // what the side last asked its source for

 private:
  Factory factory_;
  std::string field_;
};

}  // namespace seam::testing
