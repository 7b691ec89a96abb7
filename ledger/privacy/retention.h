#ifndef VELLUM_LEDGER_PRIVACY_RETENTION_H_
#define VELLUM_LEDGER_PRIVACY_RETENTION_H_

// Retention rules (docs/privacy.md, "Retention"): which class of events a rule governs, how the
// rules in force may change, and the body of POST /v1/retention.

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/events/audit_event.pb.h"

namespace vellum {
namespace ledger {

inline constexpr size_t kMaxRetentionRules = 64;
inline constexpr size_t kMaxRetentionRuleNameBytes = 128;
inline constexpr uint32_t kMaxRetentionDays = 36500;
inline constexpr size_t kMaxRetentionRequestBytes = 64 * 1024;
inline constexpr size_t kMaxRetentionReasonBytes = 2048;

// Checks a rule list: at most kMaxRetentionRules; each name 1 to kMaxRetentionRuleNameBytes of
// printable ASCII and unique; keep_days 0 (purged at the next run) to
// kMaxRetentionDays; actions defined and not
// ACTION_UNSPECIFIED; adapters non-empty strings; at most 64 actions and 64 adapters a rule.
// InvalidArgument naming `path` and the rule's index.
absl::Status CheckRetentionRules(const RetentionRules& rules, absl::string_view path);

// The rule that governs `event`: the first whose class it is in, or nullptr.
const RetentionRule* GoverningRule(const RetentionRules& rules, const AuditEvent& event);

// Whether `next` may replace `in_force` without a retention.admin override: it keeps every
// event's sealed values at least as long. That is so when `next` has no rules (everything is
// kept until erased), or the same rules in the same order with the same classes and no
// keep_days shorter. FailedPrecondition otherwise, naming the first difference.
absl::Status CheckLengthensOnly(const RetentionRules& in_force, const RetentionRules& next);

// Parses the body of POST /v1/retention: {"rules": [{"name": ..., "actions": [...],
// "adapters": [...], "keepDays": N}], "reason": "..."}: the rules as CheckRetentionRules wants
// them and a reason of 1 to kMaxRetentionReasonBytes. InvalidArgument naming the key; the
// parser's own message, which may quote the input, is not passed on.
absl::StatusOr<RetentionRules> ParseRetentionRequest(absl::string_view json);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_PRIVACY_RETENTION_H_
