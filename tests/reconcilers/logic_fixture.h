#pragma once
// The fixture of the reconciler logic suites: a token seam whose sides are FakeSides, over a
// MemEventStore, a FakeClock and a scripted hook runner. Fast and deterministic; the same
// behaviour on real files and processes is proven by the e2e suites.

#include <gtest/gtest.h>

#include <functional>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/hook_runner.h"
#include "reconcilers/reconcile_pass.h"
#include "reconcilers/seam_context.h"
#include "reconcilers/token/token_operations.h"
#include "tests/support/fake_side.h"
#include "tests/support/mem_event_store.h"

namespace seam::testing {

// Runs no process: counts the calls per side and fails the ones it is told to.
class ScriptedHooks final : public HookRunner {
 public:
  Status RunOnRepair(const SeamConfig& /*seam*/, const SideConfig& side) override {
    ++calls[side.name];
    if (auto it = failures.find(side.name); it != failures.end()) return Status::IoError(it->second);
    if (auto it = effects.find(side.name); it != effects.end()) it->second();
    return Status::Ok();
  }
  std::map<std::string, int> calls;
  std::map<std::string, std::string> failures;  // side -> why its hook fails
  std::map<std::string, std::function<void()>> effects;  // side -> what its hook does when it works
};

class LogicTest : public ::testing::Test {
 protected:
  LogicTest() : keys_(Secret(std::string(kKeyFileBytes, 'k'))), clock_(1'800'000'000'000'000) {
    seam_.name = "s";
    seam_.kind = "token";
    seam_.entity = "e";
    AddSide("a");
    AddSide("b");
  }

  // A FakeSide named `name`, written after the ones added before (the seam's `order`).
  FakeSide& AddSide(const std::string& name, std::vector<std::string> on_repair = {}) {
    auto side = std::make_shared<FakeSide>(name);
    fakes_[name] = side;
    SideConfig config;
    config.name = name;
    config.plugin = "fake";
    config.side = side;
    config.fields = {"token"};
    config.on_repair = std::move(on_repair);
    seam_.sides.push_back(std::move(config));
    return *side;
  }
  FakeSide& Fake(const std::string& name) { return *fakes_.at(name); }
  SideConfig& Config(const std::string& name) {
    for (SideConfig& s : seam_.sides) {
      if (s.name == name) return s;
    }
    throw std::out_of_range(name);
  }

  SeamContext Ctx() { return SeamContext{store_, keys_, clock_, actor_, &hooks_, nullptr}; }

  // Issues the seam's first token (written to every side) and returns it.
  std::string Issue() {
    SeamContext ctx = Ctx();
    Result<OperationReport> issued = IssueToken(ctx, seam_);
    EXPECT_TRUE(issued.ok()) << issued.status().ToString();
    EXPECT_TRUE(issued.ok() && issued->AllSidesWritten());
    return TokenOn("a");
  }
  // One reconcile pass; a pass that fails as a whole fails the test and gives an empty report.
  SeamReport Pass(PassMode mode = PassMode::kRepair, const PassOptions& options = {}) {
    SeamContext ctx = Ctx();
    Result<SeamReport> pass = RunPass(ctx, seam_, mode, {}, options);
    EXPECT_TRUE(pass.ok()) << pass.status().ToString();
    return pass.ok() ? std::move(pass).value() : SeamReport{};
  }

  std::vector<std::string> Types() {
    std::vector<std::string> out;
    for (const Event& e : Events()) out.push_back(e.type);
    return out;
  }
  // The seam's events; a read error fails the test and gives none.
  std::vector<Event> Events() {
    Result<std::vector<Event>> events = store_.ReadStream(seam_.stream());
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? std::move(events).value() : std::vector<Event>{};
  }

  static Record Token(const std::string& value) { return Record{{"token", Secret(value)}}; }
  std::string TokenOn(const std::string& side) {
    std::optional<Record> held = Fake(side).held();
    if (!held || held->count("token") == 0) return "";
    return std::string(held->at("token").Reveal());
  }

  MemEventStore store_;
  KeyRing keys_;
  FakeClock clock_;
  std::string actor_ = "test";  // who the passes run as ("seamd:…" spends seamd's repair budget)
  ScriptedHooks hooks_;
  SeamConfig seam_;
  std::map<std::string, std::shared_ptr<FakeSide>> fakes_;
};

}  // namespace seam::testing
