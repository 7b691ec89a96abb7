#ifndef VELLUM_API_INGEST_CLOUDEVENTS_H_
#define VELLUM_API_INGEST_CLOUDEVENTS_H_

#include <memory>

#include "absl/status/statusor.h"
#include "api/ingest/adapter.h"

namespace vellum {
namespace api {
namespace ingest {

inline constexpr absl::string_view kCloudEventsAdapter = "cloudevents";

// The KServe / Seldon inference logger adapter (docs/events.md#cloudevents): a CloudEvents 1.0
// event in binary mode (attributes in Ce-* headers, the body is the event data) or structured
// mode (Content-Type application/cloudevents+json, attributes and data in one JSON object).
// Inference requests become ACTION_INFER events; inference responses yield no event. The
// inference payload is never stored or echoed: the event holds only the SHA-256 of the body. The
// actor is the client's identity from the X-Forwarded-Client-Cert entry in the Ce-Metadata
// extension, where present. The source has no signature: authenticate the caller first.
std::unique_ptr<Adapter> NewCloudEventsAdapter();

}  // namespace ingest
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_INGEST_CLOUDEVENTS_H_
