#ifndef VELLUM_TOOLS_SERVER_CLIENT_H_
#define VELLUM_TOOLS_SERVER_CLIENT_H_

// The commands that talk to a server's dynamic endpoints (vellum events, holds verify, gate
// check, policy replay): --server with the TLS flags, and the bearer token of --token-file.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/client/http_client.h"
#include "api/events/events_api.pb.h"
#include "tools/command_line.h"

namespace vellum {
namespace cli {

// `text` percent-encoded for a query parameter's value (unreserved characters kept).
std::string PercentEncode(absl::string_view text);

class ServerClient {
 public:
  // From --server (required), --token-file (optional) and the TLS flags.
  static absl::StatusOr<ServerClient> Open(const CommandLine& line);

  // One exchange, with the bearer token.
  absl::StatusOr<api::HttpResponse> Send(absl::string_view method, absl::string_view target,
                                         absl::string_view body = "",
                                         absl::string_view content_type = "") const;

  // One answer of GET /v1/events to `target`. DataLoss when the server's answer is malformed;
  // the server's refusal with its code otherwise.
  absl::StatusOr<api::EventSearchResponse> SearchPage(const std::string& target) const;

 private:
  std::unique_ptr<api::HttpClient> client_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

// The exit for a failed SearchPage: an answer that is not one is invalid (1), anything else an
// error (2). Prints "vellum <command>: <message>".
int FailSearch(absl::string_view command, const absl::Status& status);

}  // namespace cli
}  // namespace vellum

#endif  // VELLUM_TOOLS_SERVER_CLIENT_H_
