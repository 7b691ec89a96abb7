#include "api/server/http_limits.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/source_address.h"

namespace vellum {
namespace api {

absl::Status ApplyHttpLimits(const config::Http& http, HttpServer::Options* options,
                             BodyLimits* body_limits) {
  if (http.has_max_connections()) options->max_connections = http.max_connections();
  SourceLimiter::Options& source = options->source_limits;
  if (http.has_max_connections_per_source()) {
    source.max_connections_per_source = http.max_connections_per_source();
  }
  if (http.has_requests_per_second_per_source()) {
    source.requests_per_second = http.requests_per_second_per_source();
  }
  if (http.has_request_burst_per_source()) source.request_burst = http.request_burst_per_source();
  if (http.has_header_timeout_ms()) {
    options->header_timeout = absl::Milliseconds(http.header_timeout_ms());
  }
  if (http.has_request_timeout_ms()) {
    options->request_timeout = absl::Milliseconds(http.request_timeout_ms());
  }
  if (http.has_idle_timeout_ms()) {
    options->idle_timeout = absl::Milliseconds(http.idle_timeout_ms());
  }
  absl::StatusOr<TrustedProxies> proxies = TrustedProxies::Parse(
      std::vector<std::string>(http.trusted_proxies().begin(), http.trusted_proxies().end()));
  if (!proxies.ok()) return proxies.status();
  options->trusted_proxies = *std::move(proxies);
  const config::BodyLimits& body = http.body_limits();
  if (body.has_entry()) body_limits->entry = body.entry();
  if (body.has_batch()) body_limits->batch = body.batch();
  if (body.has_event()) body_limits->event = body.event();
  if (body.has_event_batch()) body_limits->event_batch = body.event_batch();
  if (body.has_ingest()) body_limits->ingest = body.ingest();
  if (body.has_signed_ingest()) body_limits->signed_ingest = body.signed_ingest();
  if (body.has_other()) body_limits->other = body.other();
  options->max_body_bytes =
      std::max({body_limits->entry, body_limits->batch, body_limits->event,
                body_limits->event_batch, body_limits->ingest, body_limits->signed_ingest,
                body_limits->privacy, body_limits->policy, body_limits->gate,
                body_limits->admission, body_limits->other});
  return absl::OkStatus();
}

}  // namespace api
}  // namespace vellum
