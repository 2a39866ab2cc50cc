// What a probing side is asked about (CandidatesFor over a value seam's fold) and how its answer
// "none of them" is judged. The probe itself, on real programs: tests/plugins/exec_probe; over a
// real log and a real PostgreSQL role: tests/e2e/e2e_probe_test.cc.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crypto.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/probe_candidates.h"
#include "reconcilers/record_state.h"
#include "reconcilers/value/value_events.h"
#include "reconcilers/value/value_kind.h"

namespace seam {
namespace {

class ProbeCandidatesTest : public ::testing::Test {
 protected:
  ProbeCandidatesTest() : keys_(Secret(std::string(32, 'k'))) {}

  void Set(const std::string& value) {
    value::ValueSet set;
    Result<std::string> sealed = keys_.Seal(Secret(value), SealContext("value/db", Next()));
    ASSERT_TRUE(sealed.ok());
    set.sealed_value = *sealed;
    Add(value::kValueSet, value::Encode(set));
  }
  void Unset() { Add(value::kValueUnset, value::Encode(value::ValueUnset{"test"})); }
  // A stream version used by something that sets no value: a side confirming the last intent.
  void Confirm() {
    Add(bookkeeping::kSideApplied, bookkeeping::Encode(bookkeeping::SideApplied{"db", Next() - 1}));
  }

  RecordState State() {
    Result<RecordState> state = Fold(value::ValueKind(), events_, keys_);
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    EXPECT_TRUE(OpenCurrent(*state, keys_).ok());
    return *state;
  }
  // "version:value", newest first.
  std::vector<std::string> Asked(std::size_t older, Transform transform = Transform::kPlain) {
    Result<ProbeCandidates> c = CandidatesFor(State(), transform, keys_, older);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    std::vector<std::string> out;
    if (!c.ok()) return out;
    for (const ProbeCandidate& p : c->newest_first) {
      out.push_back(std::to_string(p.version) + ":" + std::string(p.record.at("value").Reveal()));
    }
    return out;
  }

 private:
  std::int64_t Next() const { return static_cast<std::int64_t>(events_.size()) + 1; }
  void Add(const std::string& type, std::string payload) {
    Event e;
    e.seq = Next();
    e.version = Next();
    e.stream = "value/db";
    e.type = type;
    e.payload = std::move(payload);
    events_.push_back(std::move(e));
  }

 protected:
  KeyRing keys_;
  std::vector<Event> events_;
};

TEST_F(ProbeCandidatesTest, TheIntendedValueFirstThenAtMostOlderEarlierOnes) {
  Set("one");
  Set("two");
  Set("three");
  Set("four");
  EXPECT_EQ(Asked(0), std::vector<std::string>{"4:four"});
  EXPECT_EQ(Asked(2), (std::vector<std::string>{"4:four", "3:three", "2:two"}));
  EXPECT_EQ(Asked(20), (std::vector<std::string>{"4:four", "3:three", "2:two", "1:one"}));
  EXPECT_TRUE(CandidatesFor(State(), Transform::kPlain, keys_, 0)->active);
}

TEST_F(ProbeCandidatesTest, AValueSetTwiceIsAskedAboutOnceAsItsNewestVersion) {
  Set("a");
  Set("b");
  Set("a");
  Set("c");
  // "a" at version 3 only: a rejection of it says nothing of version 1, and the count of
  // earlier ones asked stays honest.
  EXPECT_EQ(Asked(3), (std::vector<std::string>{"4:c", "3:a", "2:b"}));
  Set("c");
  EXPECT_EQ(Asked(1), (std::vector<std::string>{"5:c", "3:a"})) << "the intended value is not asked again";
}

TEST_F(ProbeCandidatesTest, AfterAnUnsetOnlyEarlierValuesAreAsked) {
  Set("one");
  Set("two");
  Unset();
  Result<ProbeCandidates> c = CandidatesFor(State(), Transform::kPlain, keys_, 1);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->active);
  EXPECT_EQ(Asked(1), std::vector<std::string>{"2:two"}) << "older counts from the newest value";
}

TEST_F(ProbeCandidatesTest, EachCandidateCarriesTheRevisionPeopleRead) {
  Set("one");    // version 1, rev 1
  Confirm();     // version 2
  Set("two");    // version 3, rev 2
  Confirm();     // version 4
  Unset();       // version 5, rev 3
  Set("three");  // version 6, rev 4
  Result<ProbeCandidates> c = CandidatesFor(State(), Transform::kPlain, keys_, 5);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->newest_first.size(), 3u);
  EXPECT_EQ(c->newest_first[0].version, 6);
  EXPECT_EQ(c->newest_first[0].revision, 4);
  EXPECT_EQ(c->newest_first[1].version, 3);
  EXPECT_EQ(c->newest_first[1].revision, 2);
  EXPECT_EQ(c->newest_first[2].version, 1);
  EXPECT_EQ(c->newest_first[2].revision, 1);
  const RecordState state = State();
  EXPECT_EQ(state.revision, 4);
  EXPECT_EQ(RevisionAt(state, 3), 2);
  EXPECT_EQ(RevisionAt(state, 4), 0) << "a confirmation sets no value";
}

TEST_F(ProbeCandidatesTest, AskedThroughTheSidesTransform) {
  Set("one");
  EXPECT_EQ(Asked(0, Transform::kSha256Hex), std::vector<std::string>{"1:" + Sha256Hex("one")});
}

TEST_F(ProbeCandidatesTest, NoneAcceptedIsForeignWhileAValueIsIntendedAndNothingHeldOnceUnset) {
  Set("one");
  const SideShape side{Transform::kPlain, {"value"}};
  Observation none = Observation::NoneAccepted("rejects rev 1 (intended)", ChangeMarker{"none-accepted"});
  Judgement j = Judge(State(), side, none, keys_);
  EXPECT_EQ(j.verdict, Verdict::kForeign);
  EXPECT_EQ(j.holds_version, 0);
  EXPECT_EQ(j.detail, "rejects rev 1 (intended)");
  Unset();
  EXPECT_EQ(Judge(State(), side, none, keys_).verdict, Verdict::kInSync) << "nothing intended, nothing accepted";
}

}  // namespace
}  // namespace seam
