#ifndef VELLUM_API_INGEST_SAGEMAKER_H_
#define VELLUM_API_INGEST_SAGEMAKER_H_

#include <memory>

#include "api/ingest/adapter.h"

namespace vellum {
namespace api {
namespace ingest {

inline constexpr absl::string_view kSageMakerAdapter = "sagemaker";

// The Amazon EventBridge adapter for SageMaker Model Registry "SageMaker Model Package State
// Change" events (docs/events.md#sagemaker), delivered by an EventBridge API destination. The
// approval status decides the action. The events carry no actor (CloudTrail does) and no
// signature: authenticate the caller (the API destination's connection) first.
std::unique_ptr<Adapter> NewSageMakerAdapter();

}  // namespace ingest
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_INGEST_SAGEMAKER_H_
