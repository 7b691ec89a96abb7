#include "ledger/identity/quota.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/metrics/metrics.h"
#include "ledger/refusal.h"

namespace vellum {
namespace ledger {
namespace identity {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

int64_t DayOf(absl::Time now) {
  const int64_t seconds = absl::ToUnixSeconds(now);
  return seconds >= 0 ? seconds / kSecondsPerDay : (seconds - kSecondsPerDay + 1) / kSecondsPerDay;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Quotas>> Quotas::Create(std::vector<QuotaRule> rules) {
  std::vector<Rule> built;
  for (size_t i = 0; i < rules.size(); ++i) {
    QuotaRule& rule = rules[i];
    const std::string where = absl::StrCat("quotas[", i, "]");
    if (rule.principal.empty() == rule.group.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": want exactly one of principal (a name, or * for everyone) and group"));
    }
    if (rule.entries_per_second < 0 || rule.entry_burst < 0) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": got entries_per_second ",
                                                     rule.entries_per_second, " and entry_burst ",
                                                     rule.entry_burst, ", want 0 or more"));
    }
    Rule r;
    if (rule.entries_per_second > 0) {
      KeyedRateLimiter::Options options;
      options.rate = rule.entries_per_second;
      options.burst = rule.entry_burst;
      options.max_keys = kMaxPrincipals;
      r.entries = std::make_unique<KeyedRateLimiter>(options);
    }
    r.rule = std::move(rule);
    built.push_back(std::move(r));
  }
  return std::unique_ptr<Quotas>(new Quotas(std::move(built)));
}

const Quotas::Rule* Quotas::RuleFor(const Principal& caller) const {
  for (const Rule& r : rules_) {
    if (r.rule.principal == "*" || (!r.rule.principal.empty() && r.rule.principal == caller.name)) {
      return &r;
    }
    if (!r.rule.group.empty() &&
        std::find(caller.groups.begin(), caller.groups.end(), r.rule.group) !=
            caller.groups.end()) {
      return &r;
    }
  }
  return nullptr;
}

absl::Status Quotas::Charge(const Principal* caller, uint64_t entries, uint64_t bytes,
                            absl::Time now) {
  if (caller == nullptr) return absl::OkStatus();
  const Rule* r = RuleFor(*caller);
  if (r == nullptr) return absl::OkStatus();
  const std::string covered = r->rule.group.empty()
                                  ? absl::StrCat("principal ", r->rule.principal)
                                  : absl::StrCat("group ", r->rule.group);
  absl::MutexLock lock(&mu_);
  const int64_t today = DayOf(now);
  uint64_t used = 0;
  if (r->rule.bytes_per_day > 0) {
    auto it = bytes_.find(caller->name);
    if (it != bytes_.end() && it->second.day == today) used = it->second.bytes;
    if (bytes > r->rule.bytes_per_day) {
      refused_bytes_++;
      return absl::InvalidArgumentError(absl::StrCat(
          "quota of ", caller->name, " (the rule for ", covered, "): this append holds ", bytes,
          " bytes, more than the ", r->rule.bytes_per_day, " a day allows: split it"));
    }
    if (bytes > r->rule.bytes_per_day - std::min(used, r->rule.bytes_per_day)) {
      refused_bytes_++;
      return WithRetryAfter(
          absl::ResourceExhaustedError(absl::StrCat(
              "quota of ", caller->name, " (the rule for ", covered, "): ", used, " of ",
              r->rule.bytes_per_day, " bytes appended today (UTC), this append holds ", bytes)),
          absl::FromUnixSeconds((today + 1) * kSecondsPerDay) - now);
    }
  }
  if (r->entries != nullptr) {
    const std::string limit =
        absl::StrCat("quota of ", caller->name, " (the rule for ", covered, "): at most ",
                     r->rule.entries_per_second, " entries a second in bursts of ",
                     r->entries->options().burst, ", this append holds ", entries);
    if (static_cast<double>(entries) > r->entries->options().burst) {
      refused_entries_++;
      return absl::InvalidArgumentError(absl::StrCat(limit, ": split it"));
    }
    absl::optional<absl::Duration> wait =
        r->entries->Take(caller->name, now, static_cast<double>(entries));
    if (wait.has_value()) {
      refused_entries_++;
      return WithRetryAfter(absl::ResourceExhaustedError(limit), *wait);
    }
  }
  if (r->rule.bytes_per_day > 0) {
    if (bytes_.size() >= kMaxPrincipals && bytes_.find(caller->name) == bytes_.end()) {
      absl::erase_if(bytes_, [today](const auto& entry) { return entry.second.day != today; });
    }
    // Past the bound with every principal active today, the new one is not counted: the
    // table cannot grow further (documented in docs/security.md).
    if (bytes_.size() < kMaxPrincipals || bytes_.find(caller->name) != bytes_.end()) {
      bytes_[caller->name] = Day{today, used + bytes};
    }
  }
  return absl::OkStatus();
}

void Quotas::RenderMetrics(std::string* out) const {
  constexpr absl::string_view kName = "vellum_quota_refused_total";
  RenderMetricHeader(kName, "counter", "Appends refused at a principal's quota.", out);
  RenderLabeledSample(kName, "limit", "entries", refused_entries_.load(), out);
  RenderLabeledSample(kName, "limit", "bytes", refused_bytes_.load(), out);
}

}  // namespace identity
}  // namespace ledger
}  // namespace vellum
