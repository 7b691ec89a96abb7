#ifndef VELLUM_API_INGEST_GITHUB_H_
#define VELLUM_API_INGEST_GITHUB_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/ingest/adapter.h"

namespace vellum {
namespace api {
namespace ingest {

inline constexpr absl::string_view kGithubAdapter = "github";

struct GithubConfig {
  // The webhook's shared secrets, one or two, none empty (the lines of the file `github` under
  // --ingest-secrets). A delivery is accepted if it is signed with either: two while the sender
  // is switched from the old secret to the new one.
  std::vector<std::string> secrets;
  // Reviewers of deployment_review events, by GitHub login (in any case: logins are
  // case-insensitive): the principal Vellum knows them by (the review's actor, so that the gate
  // compares them with requesters; empty keeps the login) and the groups the gate's
  // approver_groups may name. A known reviewer's review carries `approval` (with the groups):
  // only those count as approvals for the gate.
  struct Reviewer {
    std::string principal;
    std::vector<std::string> groups;
  };
  std::map<std::string, Reviewer> reviewers;
};

// The GitHub webhook adapter for `deployment`, `deployment_status` and `deployment_review`
// events (docs/events.md#github); `ping` is accepted and yields no event. Checks
// `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`. X-GitHub-Event is not signed,
// so the body must have the members of the event it names, and event ids come from the signed
// body, never from the unsigned X-GitHub-Delivery. A delivery signed with any of the secrets is
// accepted. Fails with InvalidArgument if there are not one or two secrets, or one is empty.
absl::StatusOr<std::unique_ptr<Adapter>> NewGithubAdapter(GithubConfig config);

}  // namespace ingest
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_INGEST_GITHUB_H_
