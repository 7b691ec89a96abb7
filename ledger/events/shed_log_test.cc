#include "ledger/events/shed_log.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/test_event_log.h"
#include "ledger/events/server_event.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1767225600);

class ShedLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = TestEventLog::Open("example.com/shed");
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    options_.summary_interval = absl::Hours(1);
    options_.clock = [this] {
      absl::MutexLock lock(&mu_);
      return now_;
    };
    shed_ = std::make_unique<ShedLog>(&log_->events(), options_);
  }

  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

  absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_) = kStart;
  std::unique_ptr<TestEventLog> log_;
  ShedLog::Options options_;
  std::unique_ptr<ShedLog> shed_;
};

TEST_F(ShedLogTest, NothingIsWrittenWhenNothingWasShed) {
  shed_->Summarize();
  Advance(absl::Hours(5));
  shed_->Summarize();
  shed_.reset();
  EXPECT_EQ(log_->local().sequencer()->Head()->size, 0u);
}

TEST_F(ShedLogTest, OneSummaryPerAdapterWithItsCountsAndWindow) {
  for (int i = 0; i < 3; ++i) shed_->RecordShed("github", ShedReason::kRateLimit);
  for (int i = 0; i < 2; ++i) shed_->RecordShed("github", ShedReason::kQueueFull);
  shed_->RecordShed("mlflow", ShedReason::kBodyTooLarge);
  shed_->RecordShed("mlflow", ShedReason::kHeaderTooLarge);
  Advance(absl::Seconds(60));
  shed_->Summarize();
  std::vector<AuditEvent> logged = log_->Logged();
  ASSERT_EQ(logged.size(), 2u);
  const AuditEvent& github = logged[0];
  EXPECT_EQ(github.action(), ACTION_INGEST_SHED);
  EXPECT_EQ(github.id().source(), kServerSource);
  EXPECT_EQ(github.outcome().result(), Outcome::RESULT_FAILURE);
  const auto& labels = github.context().labels();
  EXPECT_EQ(labels.at("vellum.adapter"), "github");
  EXPECT_EQ(labels.at("vellum.shed.rate_limit"), "3");
  EXPECT_EQ(labels.at("vellum.shed.queue_full"), "2");
  EXPECT_FALSE(labels.contains("vellum.shed.body_too_large"));
  EXPECT_EQ(labels.at("vellum.window_start"), "2026-01-01T00:00:00+00:00");
  EXPECT_EQ(labels.at("vellum.window_end"), "2026-01-01T00:01:00+00:00");
  EXPECT_THAT(github.outcome().reason(),
              HasSubstr("5 deliveries to /v1/ingest/github were refused at the server's limits"));
  EXPECT_EQ(logged[1].context().labels().at("vellum.adapter"), "mlflow");
  EXPECT_EQ(logged[1].context().labels().at("vellum.shed.body_too_large"), "1");
  EXPECT_EQ(logged[1].context().labels().at("vellum.shed.header_too_large"), "1");
  std::string metrics;
  shed_->RenderMetrics(&metrics);
  EXPECT_THAT(metrics, HasSubstr("vellum_ingest_shed_total{reason=\"rate_limit\"} 3\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_ingest_shed_total{reason=\"queue_full\"} 2\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_ingest_shed_summaries_total 2\n"));

  // The next window starts where this one ended; the last is written on destruction.
  shed_->Summarize();
  EXPECT_EQ(log_->Logged().size(), 2u);
  Advance(absl::Seconds(30));
  shed_->RecordShed("github", ShedReason::kRateLimit);
  shed_.reset();
  logged = log_->Logged();
  ASSERT_EQ(logged.size(), 3u);
  EXPECT_EQ(logged[2].context().labels().at("vellum.shed.rate_limit"), "1");
  EXPECT_EQ(logged[2].context().labels().at("vellum.window_start"), "2026-01-01T00:01:00+00:00");
}

TEST_F(ShedLogTest, AdapterNamesAreBounded) {
  options_.max_adapters = 2;
  shed_ = std::make_unique<ShedLog>(&log_->events(), options_);
  shed_->RecordShed("github", ShedReason::kRateLimit);
  shed_->RecordShed(std::string(500, 'a'), ShedReason::kRateLimit);
  for (int i = 0; i < 10; ++i) shed_->RecordShed(absl::StrCat("x", i), ShedReason::kQueueFull);
  shed_->RecordShed("github", ShedReason::kRateLimit);
  shed_->Summarize();
  std::vector<AuditEvent> logged = log_->Logged();
  ASSERT_EQ(logged.size(), 3u);
  EXPECT_EQ(logged[0].context().labels().at("vellum.adapter"), "(other)");
  EXPECT_EQ(logged[0].context().labels().at("vellum.shed.queue_full"), "10");
  EXPECT_EQ(logged[1].context().labels().at("vellum.adapter"), std::string(64, 'a'));
  EXPECT_EQ(logged[2].context().labels().at("vellum.adapter"), "github");
  EXPECT_EQ(logged[2].context().labels().at("vellum.shed.rate_limit"), "2");
}

TEST(ShedReasonTest, NamesAreTheHttpServersAndTheQueues) {
  for (const char* name :
       {"rate_limit", "body_too_large", "header_too_large", "bad_forwarded_for", "queue_full"}) {
    absl::optional<ShedReason> reason = ShedReasonNamed(name);
    ASSERT_TRUE(reason.has_value()) << name;
    EXPECT_EQ(ShedReasonName(*reason), name);
  }
  EXPECT_FALSE(ShedReasonNamed("connection_limit").has_value());
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
