// The EventStore contract (tests/store/event_store_contract.h) on MemEventStore, the in-memory
// store unit tests of logic use (tests/support/mem_event_store.h): it must behave like the real
// one for those tests to mean anything.
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "tests/store/event_store_contract.h"
#include "tests/support/mem_event_store.h"

namespace seam {
namespace {

class MemHarness {
 public:
  std::unique_ptr<EventStore> Open() { return std::make_unique<MemEventStore>(log_); }

  void Tamper(std::int64_t seq, const std::function<void(Event&)>& edit) {
    ASSERT_TRUE(MemEventStore(log_).TamperForTest(seq, edit)) << "no event seq " << seq;
  }

 private:
  std::shared_ptr<MemLog> log_ = MemEventStore().log();
};

INSTANTIATE_TYPED_TEST_SUITE_P(Mem, EventStoreContract, ::testing::Types<MemHarness>);

// --- what MemEventStore promises beyond the contract --------------------------------------------

TEST(MemEventStoreTest, WatchIsCalledOnTheAppendersThreadBeforeAppendReturns) {
  MemEventStore watcher;
  MemEventStore writer(watcher.log());
  std::vector<std::int64_t> heads;
  auto watch = watcher.WatchAppends(0, [&](std::int64_t head) { heads.push_back(head); });
  ASSERT_TRUE(watch.ok()) << watch.status().ToString();

  ASSERT_TRUE(writer.Append("token/a", 0, {ContractDraft("Issued"), ContractDraft("Rotated")}).ok());
  EXPECT_EQ(heads, (std::vector<std::int64_t>{2}));
  ASSERT_TRUE(writer.Append("token/a", 2, {ContractDraft("Revoked")}).ok());
  EXPECT_EQ(heads, (std::vector<std::int64_t>{2, 3}));
}

TEST(MemEventStoreTest, WatchOnAHeadAlreadyPastIsCalledBeforeWatchAppendsReturns) {
  MemEventStore store;
  ASSERT_TRUE(store.Append("token/a", 0, {ContractDraft("Issued")}).ok());
  std::vector<std::int64_t> heads;

  auto watch = store.WatchAppends(0, [&](std::int64_t head) { heads.push_back(head); });

  ASSERT_TRUE(watch.ok()) << watch.status().ToString();
  EXPECT_EQ(heads, (std::vector<std::int64_t>{1}));
}

TEST(MemEventStoreTest, TamperForTestOfAMissingSeqIsFalseAndCallsNothing) {
  MemEventStore store;
  ASSERT_TRUE(store.Append("token/a", 0, {ContractDraft("Issued")}).ok());

  const bool tampered = store.TamperForTest(2, [](Event&) { ADD_FAILURE() << "edit called"; });

  EXPECT_FALSE(tampered);
  EXPECT_TRUE(store.Verify()->intact);
}

}  // namespace
}  // namespace seam
