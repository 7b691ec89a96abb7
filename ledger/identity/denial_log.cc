#include "ledger/identity/denial_log.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/events/server_event.h"

namespace vellum {
namespace ledger {
namespace identity {
namespace {

AttemptLog::Options AttemptOptions(DenialLog::Options options) {
  AttemptLog::Options attempts;
  attempts.burst = options.burst;
  attempts.per_second = options.per_second;
  attempts.max_sources = options.max_sources;
  attempts.summary_interval = options.summary_interval;
  attempts.clock = std::move(options.clock);
  attempts.source_name = std::move(options.source_name);
  attempts.summary_action = ACTION_ACCESS_DENIED_BY_LEDGER;
  attempts.count_label = kNotRecordedLabel;
  attempts.what = "denied requests";
  attempts.metric = "vellum_denied_requests";
  return attempts;
}

}  // namespace

DenialLog::DenialLog(EventLog* events, Options options)
    : attempts_(events, AttemptOptions(std::move(options))) {}

void DenialLog::Record(const Denial& denial, std::function<void()> done) {
  attempts_.Record(
      denial.source_address,
      [&](absl::Time now) {
        AuditEvent event = NewServerEvent(ACTION_ACCESS_DENIED_BY_LEDGER, now);
        event.mutable_outcome()->set_result(Outcome::RESULT_DENIED);
        auto& labels = *event.mutable_context()->mutable_labels();
        if (!denial.principal.empty()) {
          event.mutable_actor()->set_subject(denial.principal);
          labels["vellum.authenticated_by"] = denial.authenticated_by;
        }
        event.mutable_outcome()->set_reason(denial.reason);
        event.mutable_context()->set_source_ip(denial.source_address);
        if (!denial.permission.empty()) labels["vellum.permission"] = denial.permission;
        labels["vellum.method"] = denial.method;
        labels["vellum.path"] = denial.path;
        labels["vellum.http_status"] = absl::StrCat(denial.http_status);
        return event;
      },
      std::move(done));
}

}  // namespace identity
}  // namespace ledger
}  // namespace vellum
