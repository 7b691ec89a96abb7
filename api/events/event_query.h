#ifndef VELLUM_API_EVENTS_EVENT_QUERY_H_
#define VELLUM_API_EVENTS_EVENT_QUERY_H_

#include <cstddef>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/events/event_query.h"

namespace vellum {
namespace api {

inline constexpr size_t kDefaultEventSearchLimit = 100;
inline constexpr size_t kMaxEventSearchLimit = 1000;

// Parses the query string of GET /v1/events (docs/api.md) into a search, strictly: the parameters
// actor, principal (provenance.principal), model, version (needs model), action (an Action name such as ACTION_DEPLOY), outcome (a
// result name such as RESULT_DENIED), since and until (RFC 3339, since before until), limit
// (1..1000, default 100), page_token (from a previous answer: the page's cursor in decimal),
// order (newest, the default, or oldest) and proof (0 or 1), each at most once, with the rules
// of QueryParams. Strings are non-empty, valid UTF-8 and at most 1,024 bytes. Fails with
// InvalidArgument naming the parameter; safe on untrusted input.
absl::StatusOr<ledger::EventSearchRequest> ParseEventSearch(absl::string_view query);

// The search's filters, order, limit and page as one line ("actor=ps1_...&action=ACTION_DEPLOY"),
// for the record of an unsealed read; times in microseconds since the Unix epoch.
std::string DescribeSearch(const ledger::EventSearchRequest& request);

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_EVENTS_EVENT_QUERY_H_
