#include "ledger/identity/denial_log.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/test_event_log.h"
#include "ledger/testing/wait_until.h"

namespace vellum {
namespace ledger {
namespace identity {
namespace {

using ::testing::HasSubstr;

class DenialLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = TestEventLog::Open("example.com/denials");
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    options_.burst = 2;
    options_.per_second = 0;  // No refill: what is recorded depends on the count alone.
    options_.summary_interval = absl::Hours(1);
    options_.clock = [this] {
      absl::MutexLock lock(&mu_);
      return now_;
    };
  }

  // Records `denial` and waits for its answer.
  void Record(const Denial& denial) {
    absl::Notification answered;
    denials_->Record(denial, [&] { answered.Notify(); });
    ASSERT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(30)));
  }

  static Denial From(std::string source, std::string principal = "") {
    Denial d;
    d.principal = std::move(principal);
    d.authenticated_by = d.principal.empty() ? "" : "token";
    d.permission = "entries.append";
    d.method = "POST";
    d.path = "/v1/entries";
    d.source_address = std::move(source);
    d.reason = "alice lacks permission entries.append";
    d.http_status = 403;
    return d;
  }

  absl::Mutex mu_;
  absl::Time now_ = absl::FromUnixSeconds(1767225600);
  std::unique_ptr<TestEventLog> log_;
  DenialLog::Options options_;
  std::unique_ptr<DenialLog> denials_;
};

TEST_F(DenialLogTest, RecordsInDetailAsTheLimitAllowsAndSummarizesTheRest) {
  denials_ = std::make_unique<DenialLog>(&log_->events(), options_);
  for (int i = 0; i < 5; ++i) Record(From("10.0.0.1", "alice"));
  Record(From("10.0.0.2"));
  EXPECT_EQ(denials_->not_recorded(), 3u);
  std::vector<AuditEvent> logged = log_->Logged();
  ASSERT_EQ(logged.size(), 3u);
  const AuditEvent& first = logged[0];
  EXPECT_EQ(first.action(), ACTION_ACCESS_DENIED_BY_LEDGER);
  EXPECT_EQ(first.observer().adapter(), "vellum");
  EXPECT_EQ(first.id().source(), "vellum");
  EXPECT_EQ(first.outcome().result(), Outcome::RESULT_DENIED);
  EXPECT_EQ(first.outcome().reason(), "alice lacks permission entries.append");
  EXPECT_EQ(first.actor().subject(), "alice");
  EXPECT_EQ(first.context().labels().at("vellum.authenticated_by"), "token");
  EXPECT_FALSE(first.has_provenance());
  EXPECT_EQ(first.context().source_ip(), "10.0.0.1");
  EXPECT_EQ(first.context().labels().at("vellum.permission"), "entries.append");
  EXPECT_EQ(first.context().labels().at("vellum.method"), "POST");
  EXPECT_EQ(first.context().labels().at("vellum.path"), "/v1/entries");
  EXPECT_EQ(first.context().labels().at("vellum.http_status"), "403");
  EXPECT_NE(logged[0].id().source_id(), logged[1].id().source_id());
  EXPECT_EQ(logged[2].context().source_ip(), "10.0.0.2");
  EXPECT_FALSE(logged[2].has_provenance());

  denials_->Summarize();
  logged = log_->Logged();
  ASSERT_EQ(logged.size(), 4u);
  EXPECT_EQ(logged[3].context().labels().at(kNotRecordedLabel), "3");
  EXPECT_THAT(logged[3].outcome().reason(), HasSubstr("3 denied requests since"));
  // Nothing new: no summary.
  denials_->Summarize();
  EXPECT_EQ(log_->Logged().size(), 4u);
  // The last count is written when the log is destroyed.
  Record(From("10.0.0.1"));
  denials_.reset();
  logged = log_->Logged();
  ASSERT_EQ(logged.size(), 5u);
  EXPECT_EQ(logged[4].context().labels().at(kNotRecordedLabel), "1");
}

TEST_F(DenialLogTest, TheSummaryThreadWritesOnItsInterval) {
  options_.summary_interval = absl::Milliseconds(20);
  options_.burst = 0;
  denials_ = std::make_unique<DenialLog>(&log_->events(), options_);
  Record(From("10.0.0.1"));
  EXPECT_TRUE(WaitUntil([&] { return log_->local().sequencer()->Head()->size == 1; }, absl::Seconds(30),
                        absl::Milliseconds(5)));
  EXPECT_EQ(log_->Logged()[0].context().labels().at(kNotRecordedLabel), "1");
}

TEST_F(DenialLogTest, SourcesPastTheLimitShareOneBucket) {
  options_.burst = 1;
  options_.max_sources = 2;
  denials_ = std::make_unique<DenialLog>(&log_->events(), options_);
  Record(From("a"));
  Record(From("b"));
  Record(From("c"));  // The shared bucket's one token.
  Record(From("d"));  // Counted.
  EXPECT_EQ(denials_->not_recorded(), 1u);
  EXPECT_EQ(log_->Logged().size(), 3u);
  // With refill, a source whose bucket is full again is forgotten to make room.
  {
    absl::MutexLock lock(&mu_);
    now_ += absl::Hours(1);
  }
  options_.per_second = 1;
  denials_.reset();  // Writes the summary of "d".
  denials_ = std::make_unique<DenialLog>(&log_->events(), options_);
  Record(From("a"));
  Record(From("b"));
  {
    absl::MutexLock lock(&mu_);
    now_ += absl::Seconds(10);
  }
  Record(From("e"));  // "a" and "b" are full again: forgotten, and "e" gets its own bucket.
  Record(From("f"));
  EXPECT_EQ(denials_->not_recorded(), 0u);
}

TEST_F(DenialLogTest, CallerTextIsBoundedAndSanitized) {
  denials_ = std::make_unique<DenialLog>(&log_->events(), options_);
  Denial d = From(std::string(2000, '1'), std::string(2000, 'p'));
  d.path = "/v1/\xff\xfe" + std::string(3000, 'x');
  Record(d);
  std::vector<AuditEvent> logged = log_->Logged();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].context().source_ip().size(), kMaxAttemptTextBytes);
  EXPECT_EQ(logged[0].actor().subject().size(), kMaxAttemptTextBytes);
  EXPECT_THAT(logged[0].actor().subject(), ::testing::EndsWith("[truncated from 2000 bytes]"));
  EXPECT_EQ(logged[0].context().labels().at("vellum.path").substr(0, 6), "/v1/??");
}

TEST_F(DenialLogTest, SummariesNameTheSourcesAndTheMetricsCount) {
  denials_ = std::make_unique<DenialLog>(&log_->events(), options_);
  for (int i = 0; i < 4; ++i) Record(From("10.0.0.1"));
  denials_->Summarize();
  std::vector<AuditEvent> logged = log_->Logged();
  ASSERT_EQ(logged.size(), 3u);
  EXPECT_EQ(logged[2].context().labels().at("vellum.not_recorded_from.10.0.0.1"), "2");
  std::string metrics;
  denials_->RenderMetrics(&metrics);
  EXPECT_THAT(metrics, HasSubstr("vellum_denied_requests_total 4\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_denied_requests_recorded_total 2\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_denied_requests_not_recorded_total 2\n"));
}

}  // namespace
}  // namespace identity
}  // namespace ledger
}  // namespace vellum
