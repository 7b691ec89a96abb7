#include "api/ingest/sagemaker.h"

#include "absl/strings/match.h"
#include "api/ingest/internal/test_samples.h"
#include "gtest/gtest.h"

namespace vellum {
namespace api {
namespace ingest {
namespace {

TEST(SageMakerAdapterTest, ApprovedPackageBecomesApprove) {
  const auto result = NewSageMakerAdapter()->Parse(
      SampleRequest("", "sagemaker-model-package-state-change.json"), absl::Now());
  const ledger::AuditEvent event = SingleEvent(result);
  EXPECT_EQ(event.id().source(), "sagemaker");
  EXPECT_EQ(event.id().source_id(), "f8d3a1c2-7b6e-4d5f-9a8b-0c1d2e3f4a5b");
  EXPECT_EQ(event.observer().source_system(), "aws:123456789012:eu-west-1");
  EXPECT_EQ(event.action(), ledger::ACTION_APPROVE);
  EXPECT_EQ(event.outcome().result(), ledger::Outcome::RESULT_SUCCESS);
  EXPECT_EQ(event.actor().kind(), ledger::Actor::KIND_UNKNOWN);
  EXPECT_EQ(event.target().model_name(), "fraud-scorer");
  EXPECT_EQ(event.target().model_version(), "12");
  EXPECT_EQ(event.target().model_digest(),
            "sha256:5b3f0c0f6a1e2d9c8b7a695847362514a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8");
  EXPECT_EQ(event.target().namespace_(), "123456789012");
  EXPECT_EQ(event.target().environment(), "eu-west-1");
  EXPECT_EQ(event.event_time().seconds(), 1791942909);  // 2026-10-14T01:55:09Z
  EXPECT_EQ(event.context().labels().at("aws.arn"),
            "arn:aws:sagemaker:eu-west-1:123456789012:model-package/fraud-scorer/12");
}

TEST(SageMakerAdapterTest, ApprovalStatusDecidesTheAction) {
  HttpRequest request = SampleRequest("", "sagemaker-model-package-state-change.json");
  const std::string original = request.body;
  request.body.replace(request.body.find("\"Approved\""), 10, "\"Rejected\"");
  EXPECT_EQ(SingleEvent(NewSageMakerAdapter()->Parse(request, absl::Now())).action(),
            ledger::ACTION_REJECT);
  request.body = original;
  request.body.replace(request.body.find("\"Approved\""), 10, "\"PendingManualApproval\"");
  EXPECT_EQ(SingleEvent(NewSageMakerAdapter()->Parse(request, absl::Now())).action(),
            ledger::ACTION_REQUEST_APPROVAL);
  request.body = original;
  request.body.replace(request.body.find("\"Approved\""), 10, "\"Maybe\"");
  EXPECT_EQ(NewSageMakerAdapter()->Parse(request, absl::Now()).status(),
            absl::InvalidArgumentError("sagemaker: got ModelApprovalStatus Maybe, want Approved, "
                                       "Rejected or PendingManualApproval"));
  request.body = original;
  request.body.replace(request.body.find("aws.sagemaker"), 13, "aws.s3");
  EXPECT_EQ(NewSageMakerAdapter()->Parse(request, absl::Now()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ingest
}  // namespace api
}  // namespace vellum
