#include "ledger/events/event_query.h"

#include <algorithm>

#include "ledger/events/event_fields.h"

namespace vellum {
namespace ledger {

EventQuery PageQuery(const EventSearchRequest& request, uint64_t tree_size) {
  EventQuery query = request.query;
  query.begin = 0;
  query.end = tree_size;
  if (request.cursor.has_value()) {
    if (query.newest_first) {
      query.end = std::min(query.end, *request.cursor);
    } else {
      query.begin = *request.cursor;
    }
  }
  return query;
}

uint64_t NextCursor(const EventSearchRequest& request, uint64_t last) {
  return request.query.newest_first ? last : last + 1;
}

bool FieldsMatchQuery(const EventFields& fields, const EventQuery& query) {
  if (query.actor.has_value() && fields.actor != *query.actor) return false;
  if (query.principal.has_value() && fields.principal != *query.principal) return false;
  if (query.model.has_value() && fields.model != *query.model) return false;
  if (query.version.has_value() && fields.version != *query.version) return false;
  if (query.action.has_value() && fields.action != *query.action) return false;
  if (query.outcome.has_value() && fields.outcome != *query.outcome) return false;
  if (query.since_micros.has_value() || query.until_micros.has_value()) {
    if (!fields.logged_time_micros.has_value()) return false;
    const int64_t micros = *fields.logged_time_micros;
    if (query.since_micros.has_value() && micros < *query.since_micros) return false;
    if (query.until_micros.has_value() && micros >= *query.until_micros) return false;
  }
  return true;
}

bool EventMatchesQuery(const AuditEvent& event, const EventQuery& query) {
  // Without a pseudonym function FieldsOfEvent cannot fail.
  absl::StatusOr<EventFields> fields = FieldsOfEvent(event, PseudonymFn());
  return fields.ok() && FieldsMatchQuery(*fields, query);
}

}  // namespace ledger
}  // namespace vellum
