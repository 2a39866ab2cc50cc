#include "core/side.h"

#include <algorithm>

namespace seam {

WaitBudget BudgetFor(std::chrono::milliseconds timeout, Deadline deadline) {
  WaitBudget b;
  b.allowed = timeout;
  b.deadline = deadline;
  if (deadline == kNoDeadline) return b;
  const auto left = std::chrono::floor<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left < timeout) {
    b.allowed = std::max(left, std::chrono::milliseconds(0));
    b.cut = true;
  }
  return b;
}

std::string DeadlineReason(const WaitBudget& budget) {
  return "no answer by the deadline (" + std::to_string(budget.allowed.count()) + " ms)";
}

}  // namespace seam
