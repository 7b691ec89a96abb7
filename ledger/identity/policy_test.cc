#include "ledger/identity/policy.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vellum {
namespace ledger {
namespace identity {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

Principal Named(std::string name, std::vector<std::string> groups = {}) {
  Principal p;
  p.name = std::move(name);
  p.groups = std::move(groups);
  p.authenticated_by = kByOidc;
  return p;
}

Binding B(std::string principal, std::string group, std::vector<std::string> roles,
          std::vector<std::string> models = {}, std::vector<std::string> environments = {},
          bool require_mfa = false) {
  Binding b;
  b.principal = std::move(principal);
  b.group = std::move(group);
  b.roles = std::move(roles);
  b.models = std::move(models);
  b.environments = std::move(environments);
  b.require_mfa = require_mfa;
  return b;
}

// The issue's example configuration.
PolicyOptions Example() {
  PolicyOptions options;
  options.roles["writer"] = {"events.write", "entries.append"};
  options.roles["auditor"] = {"events.read", "log.read", "entries.read"};
  options.bindings = {B("", "ml-writers", {"writer"}),
                      B("", "ml-auditors", {"auditor"}),
                      B("ci-deployer", "", {"writer"})};
  options.anonymous = {"log.read"};
  return options;
}

TEST(PolicyTest, TheIssuesExample) {
  auto policy = Policy::Create(Example());
  ASSERT_TRUE(policy.ok()) << policy.status();
  const Principal writer = Named("alice", {"ml-writers"});
  const Principal auditor = Named("bob", {"ml-auditors"});
  const Principal ci = Named("ci-deployer");
  const Principal stranger = Named("mallory", {"visitors"});
  EXPECT_TRUE((*policy)->Decide(&writer, "events.write").ok());
  EXPECT_TRUE((*policy)->Decide(&ci, "entries.append").ok());
  EXPECT_TRUE((*policy)->Decide(&auditor, "entries.read").ok());
  EXPECT_TRUE((*policy)->Decide(nullptr, "log.read").ok());
  EXPECT_TRUE((*policy)->Decide(&stranger, "log.read").ok());

  absl::Status s = (*policy)->Decide(&writer, "events.read");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "alice lacks permission events.read");
  s = (*policy)->Decide(nullptr, "events.read");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(s.message(), HasSubstr("needs an authenticated caller"));
  EXPECT_EQ((*policy)->Decide(&auditor, "entries.append").code(),
            absl::StatusCode::kPermissionDenied);
  // A principal binding names the principal, not a group of that name.
  const Principal impostor = Named("eve", {"ci-deployer"});
  EXPECT_EQ((*policy)->Decide(&impostor, "entries.append").code(),
            absl::StatusCode::kPermissionDenied);

  EXPECT_THAT((*policy)->PermissionsOf(&writer),
              ElementsAre("entries.append", "events.write", "log.read"));
  EXPECT_THAT((*policy)->PermissionsOf(nullptr), ElementsAre("log.read"));
  auto grants = (*policy)->GrantsOf(writer);
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_EQ(grants[0].role, "writer");
}

TEST(PolicyTest, DefaultRolesExistAndMayBeRedefined) {
  PolicyOptions options;
  options.bindings = {B("r", "", {"reader"}), B("a", "", {"admin"})};
  auto policy = Policy::Create(options);
  ASSERT_TRUE(policy.ok()) << policy.status();
  const Principal r = Named("r"), a = Named("a");
  EXPECT_TRUE((*policy)->Decide(&r, "events.read").ok());
  EXPECT_FALSE((*policy)->Decide(&r, "entries.read").ok());
  EXPECT_TRUE((*policy)->Decide(&a, "admin").ok());

  options.roles["reader"] = {"log.read"};
  policy = Policy::Create(options);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_FALSE((*policy)->Decide(&r, "events.read").ok());
}

TEST(PolicyTest, ScopesLimitGrantsToModelsAndEnvironments) {
  PolicyOptions options;
  options.bindings = {B("deployer", "", {"appender"}, {"fraud-*", "credit-v?"}, {"staging"})};
  auto policy = Policy::Create(options);
  ASSERT_TRUE(policy.ok()) << policy.status();
  const Principal d = Named("deployer");
  EXPECT_TRUE((*policy)->Decide(&d, "events.write", {"fraud-detector", "staging"}).ok());
  EXPECT_TRUE((*policy)->Decide(&d, "events.write", {"credit-v2", "staging"}).ok());
  absl::Status s = (*policy)->Decide(&d, "events.write", {"credit-v10", "staging"});
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("only for other models or environments"));
  EXPECT_FALSE((*policy)->Decide(&d, "events.write", {"fraud-detector", "production"}).ok());
  // A request that names no model is not covered by a limited grant.
  EXPECT_FALSE((*policy)->Decide(&d, "events.write").ok());
  EXPECT_THAT((*policy)->PermissionsOf(&d), Not(Contains("events.write")));
  // The check in front of a handler that learns the scope from the body lets it through...
  Scope any;
  any.any = true;
  EXPECT_TRUE((*policy)->Decide(&d, "events.write", any).ok());
  // ...but not a permission the principal holds for no scope at all.
  EXPECT_FALSE((*policy)->Decide(&d, "events.read", any).ok());
}

TEST(PolicyTest, MfaRequirement) {
  PolicyOptions options;
  options.bindings = {B("", "board", {"governance"}, {}, {}, true),
                      B("", "board", {"reader"})};
  options.mfa.amr = {"mfa", "hwk"};
  options.mfa.acr = {"phr"};
  auto policy = Policy::Create(options);
  ASSERT_TRUE(policy.ok()) << policy.status();
  Principal member = Named("carol", {"board"});
  absl::Status s = (*policy)->Decide(&member, "erasure");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "permission erasure needs multi-factor authentication: a token with amr including "
            "mfa or hwk, or acr phr");
  EXPECT_TRUE((*policy)->Decide(&member, "events.read").ok());  // Not MFA-bound.
  member.amr = {"pwd", "hwk"};
  EXPECT_TRUE((*policy)->Decide(&member, "erasure").ok());
  member.amr = {"pwd"};
  member.acr = "phr";
  EXPECT_TRUE((*policy)->Decide(&member, "erasure").ok());
  member.acr = "other";
  EXPECT_FALSE((*policy)->Decide(&member, "erasure").ok());
  auto grants = (*policy)->GrantsOf(member);
  ASSERT_EQ(grants.size(), 2u);
  EXPECT_TRUE(grants[0].require_mfa);
  EXPECT_FALSE(grants[0].mfa_shown);
}

TEST(PolicyTest, SeparationOfDutiesIsRefusedAtCreation) {
  // Directly, in one binding.
  PolicyOptions options;
  options.roles["both"] = {"events.write", "erasure"};
  options.bindings = {B("x", "", {"both"})};
  auto policy = Policy::Create(options);
  ASSERT_FALSE(policy.ok());
  EXPECT_THAT(policy.status().message(),
              HasSubstr("principal x is bound to permissions of two exclusive sets of "
                        "\"produce-versus-govern\""));
  // Through two bindings of one principal.
  options = {};
  options.bindings = {B("x", "", {"appender"}), B("x", "", {"governance"})};
  EXPECT_FALSE(Policy::Create(options).ok());
  // Through two bindings of one group.
  options.bindings = {B("", "g", {"appender"}), B("", "g", {"governance"})};
  EXPECT_FALSE(Policy::Create(options).ok());
  // Through a known principal's groups.
  options.bindings = {B("", "producers", {"appender"}), B("", "board", {"governance"})};
  EXPECT_TRUE(Policy::Create(options).ok());
  options.known_principals = {Named("both-hats", {"producers", "board"})};
  policy = Policy::Create(options);
  ASSERT_FALSE(policy.ok());
  EXPECT_THAT(policy.status().message(), HasSubstr("principal both-hats"));
  // Or a principal bound directly and through a group it is known to be in.
  options.bindings = {B("", "producers", {"appender"}), B("p", "", {"governance"})};
  options.known_principals = {Named("p", {"producers"})};
  EXPECT_FALSE(Policy::Create(options).ok());
  // A configured rule replaces the default.
  options = {};
  options.bindings = {B("x", "", {"appender"}), B("x", "", {"governance"})};
  options.separation_of_duties = std::vector<Exclusion>{
      {"readers-are-not-writers", {{"events.read"}, {"events.write"}}}};
  EXPECT_FALSE(Policy::Create(options).ok());
  options.separation_of_duties = std::vector<Exclusion>{};
  EXPECT_TRUE(Policy::Create(options).ok());
}

TEST(PolicyTest, SeparationOfDutiesHoldsForGroupsLearnedAtRequestTime) {
  PolicyOptions options;
  options.bindings = {B("", "producers", {"appender"}), B("", "board", {"governance"})};
  auto policy = Policy::Create(options);
  ASSERT_TRUE(policy.ok()) << policy.status();
  const Principal both = Named("dan", {"producers", "board"});
  absl::Status s = (*policy)->Decide(&both, "erasure");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("break the separation of duties"));
  EXPECT_FALSE((*policy)->Decide(&both, "events.write").ok());
  // Permissions outside the rule still hold.
  EXPECT_TRUE((*policy)->Decide(&both, "events.read").ok());
}

TEST(PolicyTest, LocalCallersHoldAllButGoverning) {
  PolicyOptions options;
  options.local = true;
  auto policy = Policy::Create(options);
  ASSERT_TRUE(policy.ok()) << policy.status();
  Principal local;
  local.name = "local";
  local.authenticated_by = kByLocal;
  for (const char* p : {"entries.append", "events.write", "events.read", "admin", "log.read"}) {
    EXPECT_TRUE((*policy)->Decide(&local, p).ok()) << p;
  }
  for (const char* p : {"erasure", "retention.admin", "holds.admin", "policy.admin"}) {
    absl::Status s = (*policy)->Decide(&local, p);
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << p;
    EXPECT_THAT(s.message(), HasSubstr("needs a configured principal"));
  }
  // Only callers authenticated as local: another principal gets nothing.
  const Principal other = Named("x");
  EXPECT_FALSE((*policy)->Decide(&other, "events.read").ok());
}

TEST(PolicyTest, RefusesBadConfigurations) {
  struct Case {
    PolicyOptions options;
    std::string want;
  };
  std::vector<Case> cases;
  {
    PolicyOptions o;
    o.roles["r"] = {"events.writ"};
    cases.push_back({o, "roles.r: unknown permission \"events.writ\""});
  }
  {
    PolicyOptions o;
    o.anonymous = {"events.read"};
    cases.push_back(
        {o, "anonymous: got \"events.read\", want only log.read, entries.read and metrics.read"});
  }
  {
    PolicyOptions o;
    o.bindings = {B("p", "g", {"reader"})};
    cases.push_back({o, "bindings[0]: want exactly one of principal and group"});
  }
  {
    PolicyOptions o;
    o.bindings = {B("", "", {"reader"})};
    cases.push_back({o, "bindings[0]: want exactly one"});
  }
  {
    PolicyOptions o;
    o.bindings = {B("p", "", {})};
    cases.push_back({o, "bindings[0]: want at least one role"});
  }
  {
    PolicyOptions o;
    o.bindings = {B("p", "", {"reader"}), B("q", "", {"nope"})};
    cases.push_back({o, "bindings[1]: unknown role \"nope\""});
  }
  {
    PolicyOptions o;
    o.separation_of_duties = std::vector<Exclusion>{{"one", {{"erasure"}}}};
    cases.push_back({o, "separation_of_duties one: got 1 sets, want at least 2"});
  }
  for (const Case& c : cases) {
    auto policy = Policy::Create(c.options);
    ASSERT_FALSE(policy.ok()) << c.want;
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(policy.status().message(), HasSubstr(c.want));
  }
}

TEST(GlobMatchTest, Edges) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("a*b*c", "axxbyyc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "axxbyy"));
  EXPECT_TRUE(GlobMatch("?", "x"));
  EXPECT_FALSE(GlobMatch("?", ""));
  EXPECT_FALSE(GlobMatch("fraud", "fraud-detector"));
  EXPECT_TRUE(GlobMatch("*-detector", "fraud-detector"));
  EXPECT_TRUE(GlobMatch("**a", "a"));
}

}  // namespace
}  // namespace identity
}  // namespace ledger
}  // namespace vellum
