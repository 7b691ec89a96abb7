#ifndef VELLUM_API_EVENTS_EVENT_SEARCH_CLIENT_H_
#define VELLUM_API_EVENTS_EVENT_SEARCH_CLIENT_H_

// The client side of GET /v1/events (docs/api.md, "Events"): reading a server's answer and
// checking its proofs. Pure functions of their arguments, thread-safe and safe on untrusted input.

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/events/events_api.pb.h"
#include "proof/note.h"

namespace vellum {
namespace api {

// Parses an answer to GET /v1/events in proto3 JSON, strictly (unknown fields are refused).
// Fails with InvalidArgument.
absl::StatusOr<EventSearchResponse> ParseEventSearchResponse(absl::string_view json);

// Checks an answer asked for with proof=1: its checkpoint is signed by `log_verifier` and has the
// answer's tree_size, and each event's entry (EncodeEntry) has the answer's leaf hash and is
// included at its index in that checkpoint's tree by its proof. Fails with InvalidArgument naming
// the event and what disagrees.
// Each event's opened values are checked too (VerifyOpenedFields).
absl::Status VerifyEventSearchResponse(const EventSearchResponse& page,
                                       const NoteVerifier& log_verifier);

// Checks that each opened value of `match` recomputes, with its salt and path
// (ledger/privacy/commitment.h), the commitment of a sealed item of the entry's event with the
// same path and pseudonym, each item used once. Fails with InvalidArgument naming the event and
// the path.
absl::Status VerifyOpenedFields(const EventMatch& match);

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_EVENTS_EVENT_SEARCH_CLIENT_H_
