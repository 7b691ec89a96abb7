#ifndef VELLUM_API_SERVER_HTTP_LIMITS_H_
#define VELLUM_API_SERVER_HTTP_LIMITS_H_

#include "absl/status/status.h"
#include "api/authorizer.h"
#include "api/config/config.pb.h"
#include "api/http_server.h"

namespace vellum {
namespace api {

// Sets the traffic limits of a configuration's `http` section (docs/operations.md, "Limits")
// on `options` and `body_limits`, keeping the defaults for keys it does not give. The server's
// largest body becomes the largest of the endpoints'. The section must have passed the
// configuration loader's checks; a trusted proxy that does not parse is InvalidArgument.
absl::Status ApplyHttpLimits(const config::Http& http, HttpServer::Options* options,
                             BodyLimits* body_limits);

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_SERVER_HTTP_LIMITS_H_
