#include "api/authorizer.h"

#include <memory>
#include <string>
#include <vector>

#include "api/log.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "ledger/identity/policy.h"
#include "ledger/identity/token_file.h"

namespace vellum {
namespace api {
namespace {

namespace identity = ledger::identity;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::shared_ptr<const AccessRules> Rules(identity::PolicyOptions options, std::string tokens) {
  auto rules = std::make_shared<AccessRules>();
  rules->local = options.local;
  auto policy = identity::Policy::Create(std::move(options));
  EXPECT_TRUE(policy.ok()) << policy.status();
  rules->policy = *std::move(policy);
  if (!tokens.empty()) {
    auto set = identity::TokenSet::Parse(tokens);
    EXPECT_TRUE(set.ok()) << set.status();
    rules->tokens = *std::move(set);
  }
  return rules;
}

identity::Binding Bind(std::string principal, std::string group, std::vector<std::string> roles) {
  identity::Binding b;
  b.principal = std::move(principal);
  b.group = std::move(group);
  b.roles = std::move(roles);
  return b;
}

class AuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    identity::PolicyOptions options;
    options.roles["writer"] = {"events.write", "entries.append"};
    options.bindings = {Bind("", "ml-writers", {"writer"}), Bind("ci-deployer", "", {"writer"}),
                        Bind("aud", "", {"auditor"})};
    options.anonymous = {"log.read"};
    Start(Rules(options, identity::TokenSet::Line("ci-token", "ci-deployer") + "\n" +
                             identity::TokenSet::Line("alice-token", "alice", "ml-writers") +
                             "\n" + identity::TokenSet::Line("aud-token", "aud") + "\n" +
                             identity::TokenSet::Line("nobody-token", "nobody") + "\n"));
  }

  void Start(std::shared_ptr<const AccessRules> rules) {
    Authorizer::Options options;
    options.signature_adapters = {"github"};
    options.port = [] { return uint16_t{8080}; };
    authorizer_ = std::make_unique<Authorizer>(std::move(rules), options);
  }

  // Admits `request` and answers as a handler that records what passed would.
  void Decide(HttpRequest request, const HttpServer::Respond& respond) {
    authorizer_->Admit(request, [&](HttpServer::Admission admission) {
      if (admission.answer.has_value()) return respond(*std::move(admission.answer));
      request.caller = std::move(admission.caller);
      last_body_limit_ = admission.max_body_bytes;
      passed_.push_back(request);
      HttpResponse ok;
      ok.body = "passed";
      respond(std::move(ok));
    });
  }

  HttpResponse Send(std::string method, std::string target, std::string token = "",
                    std::map<std::string, std::string> headers = {}) {
    HttpRequest request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.remote_address = "127.0.0.1";
    request.headers = std::move(headers);
    if (!token.empty()) request.headers["authorization"] = "Bearer " + token;
    HttpResponse answer;
    bool answered = false;
    Decide(std::move(request), [&](HttpResponse r) {
      answer = std::move(r);
      answered = true;
    });
    EXPECT_TRUE(answered);
    return answer;
  }

  std::unique_ptr<Authorizer> authorizer_;
  std::vector<HttpRequest> passed_;
  size_t last_body_limit_ = 0;
};

TEST_F(AuthorizerTest, EveryEndpointWithoutWrongAndLackingCredentials) {
  struct Endpoint {
    const char* method;
    const char* target;
    const char* permission;
  };
  const Endpoint endpoints[] = {
      {"POST", "/v1/entries", "entries.append"},
      {"POST", "/v1/entries:batch", "entries.append"},
      {"GET", "/v1/entries/0", "entries.read"},
      {"GET", "/tile/entries/000", "entries.read"},
      {"POST", "/v1/events", "events.write"},
      {"GET", "/v1/events", "events.read"},
      {"POST", "/v1/ingest/k8s-audit", "ingest.k8s-audit"},
      {"POST", "/v1/ingest/cloudevents", "ingest.cloudevents"},
      {"GET", "/metrics", "metrics.read"},
      {"GET", "/no/such/endpoint", "admin"},
  };
  for (const Endpoint& e : endpoints) {
    SCOPED_TRACE(e.target);
    HttpResponse none = Send(e.method, e.target);
    EXPECT_EQ(none.status, 401);
    EXPECT_THAT(none.body, HasSubstr(std::string("permission ") + e.permission +
                                     " needs an authenticated caller"));
    EXPECT_EQ(none.headers.size(), 1u);
    HttpResponse wrong = Send(e.method, e.target, "not-a-token");
    EXPECT_EQ(wrong.status, 401);
    EXPECT_THAT(wrong.body, HasSubstr("unknown bearer token"));
    EXPECT_THAT(wrong.body, ::testing::Not(HasSubstr("not-a-token")));
    HttpResponse lacking = Send(e.method, e.target, "nobody-token");
    EXPECT_EQ(lacking.status, 403);
    EXPECT_THAT(lacking.body, HasSubstr(std::string("nobody lacks permission ") + e.permission));
  }
  EXPECT_TRUE(passed_.empty());
  // A malformed Authorization header is refused, not taken for anonymous.
  EXPECT_EQ(Send("GET", "/checkpoint", "", {{"authorization", "Basic YTpi"}}).status, 401);
  EXPECT_EQ(Send("GET", "/checkpoint", "", {{"authorization", "Bearer "}}).status, 401);
  EXPECT_TRUE(passed_.empty());
}

TEST_F(AuthorizerTest, GrantedRequestsCarryTheirCaller) {
  EXPECT_EQ(Send("POST", "/v1/entries", "ci-token").body, "passed");
  EXPECT_EQ(Send("POST", "/v1/events", "alice-token").body, "passed");
  EXPECT_EQ(Send("GET", "/v1/entries/3", "aud-token").body, "passed");
  // Anonymous reads of the log, and the open endpoints.
  EXPECT_EQ(Send("GET", "/checkpoint").body, "passed");
  EXPECT_EQ(Send("GET", "/tile/0/000").body, "passed");
  EXPECT_EQ(Send("GET", "/v1/proof/inclusion?index=0&size=1").body, "passed");
  EXPECT_EQ(Send("GET", "/healthz").body, "passed");
  EXPECT_EQ(Send("POST", "/v1/ingest/github").body, "passed");
  ASSERT_EQ(passed_.size(), 8u);
  ASSERT_NE(passed_[0].caller, nullptr);
  EXPECT_EQ(passed_[0].caller->name, "ci-deployer");
  EXPECT_EQ(passed_[0].caller->authenticated_by, "token");
  EXPECT_EQ(passed_[1].caller->name, "alice");
  EXPECT_EQ(passed_[3].caller, nullptr);
  // The credential itself does not travel on.
  EXPECT_EQ(passed_[0].Header("authorization"), "Bearer ci-token");
}

TEST_F(AuthorizerTest, Whoami) {
  WhoamiResponse answer;
  HttpResponse response = Send("GET", "/v1/whoami", "alice-token");
  ASSERT_EQ(response.status, 200) << response.body;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(response.body, &answer).ok());
  EXPECT_EQ(answer.principal(), "alice");
  EXPECT_EQ(answer.authenticated_by(), "token");
  EXPECT_THAT(answer.groups(), ElementsAre("ml-writers"));
  ASSERT_EQ(answer.roles_size(), 1);
  EXPECT_EQ(answer.roles(0).role(), "writer");
  EXPECT_THAT(answer.permissions(), ElementsAre("entries.append", "events.write", "log.read"));

  answer.Clear();
  response = Send("GET", "/v1/whoami");
  ASSERT_EQ(response.status, 200);
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(response.body, &answer).ok());
  EXPECT_EQ(answer.principal(), "");
  EXPECT_THAT(answer.permissions(), ElementsAre("log.read"));
  EXPECT_EQ(Send("GET", "/v1/whoami", "wrong").status, 401);
  EXPECT_EQ(Send("POST", "/v1/whoami", "alice-token").status, 405);
}

TEST_F(AuthorizerTest, ReplaceTakesEffectForTheNextRequest) {
  EXPECT_EQ(Send("POST", "/v1/entries", "ci-token").status, 200);
  identity::PolicyOptions options;
  options.bindings = {Bind("ci-deployer", "", {"reader"})};
  authorizer_->Replace(Rules(options, identity::TokenSet::Line("ci-token", "ci-deployer")));
  EXPECT_EQ(Send("POST", "/v1/entries", "ci-token").status, 403);
  EXPECT_EQ(Send("GET", "/v1/events", "ci-token").status, 200);
  // Anonymous reads are gone with the old configuration.
  EXPECT_EQ(Send("GET", "/checkpoint").status, 401);
}

TEST_F(AuthorizerTest, LocalModeAnswersOnlyItsOwnHostAndOrigin) {
  identity::PolicyOptions options;
  options.local = true;
  Start(Rules(options, ""));
  const std::map<std::string, std::string> local = {{"host", "localhost:8080"}};
  EXPECT_EQ(Send("POST", "/v1/entries", "", local).status, 200);
  EXPECT_EQ(Send("POST", "/v1/entries", "", {{"host", "127.0.0.1:8080"}}).status, 200);
  EXPECT_EQ(Send("POST", "/v1/entries", "", {{"host", "[::1]:8080"}}).status, 200);
  ASSERT_EQ(passed_.size(), 3u);
  EXPECT_EQ(passed_[0].caller->authenticated_by, "local");
  // DNS rebinding: a name that resolves to loopback is not this server's.
  HttpResponse rebound = Send("POST", "/v1/entries", "", {{"host", "attacker.example:8080"}});
  EXPECT_EQ(rebound.status, 403);
  EXPECT_THAT(rebound.body, HasSubstr("Host is not this server's"));
  EXPECT_EQ(Send("GET", "/checkpoint", "", {}).status, 403);  // No Host at all.
  EXPECT_EQ(Send("GET", "/checkpoint", "", {{"host", "localhost:9090"}}).status, 403);
  // Cross-site requests from a web page.
  HttpResponse cross = Send("POST", "/v1/entries", "",
                            {{"host", "localhost:8080"}, {"origin", "https://evil.example"}});
  EXPECT_EQ(cross.status, 403);
  EXPECT_THAT(cross.body, HasSubstr("Origin is not this server"));
  EXPECT_EQ(Send("POST", "/v1/entries", "",
                 {{"host", "localhost:8080"}, {"origin", "http://localhost:8080"}})
                .status,
            200);
  EXPECT_EQ(Send("POST", "/v1/entries", "", {{"host", "localhost:8080"}, {"origin", "null"}})
                .status,
            403);
  EXPECT_EQ(passed_.size(), 4u);
}

TEST_F(AuthorizerTest, ClientCertificatesNamePrincipalsWhenTheServerHasAClientCa) {
  identity::PolicyOptions options;
  options.bindings = {Bind("spiffe://example.org/ns/ml/sa/deployer", "", {"appender"})};
  auto rules = std::make_shared<AccessRules>(*Rules(options, ""));
  HttpRequest request;
  request.method = "POST";
  request.target = "/v1/entries";
  request.tls_peer = "spiffe://example.org/ns/ml/sa/deployer";
  auto send = [&] {
    int status = 0;
    Decide(request, [&](HttpResponse r) { status = r.status; });
    return status;
  };
  rules->mtls = false;
  authorizer_->Replace(rules);
  EXPECT_EQ(send(), 401);
  auto with_mtls = std::make_shared<AccessRules>(*rules);
  with_mtls->mtls = true;
  authorizer_->Replace(with_mtls);
  EXPECT_EQ(send(), 200);
  ASSERT_EQ(passed_.size(), 1u);
  EXPECT_EQ(passed_[0].caller->name, "spiffe://example.org/ns/ml/sa/deployer");
  EXPECT_EQ(passed_[0].caller->authenticated_by, "mtls");
  // A bearer credential, when sent, is the one that counts.
  request.headers["authorization"] = "Bearer nope";
  EXPECT_EQ(send(), 401);
}

TEST_F(AuthorizerTest, EachEndpointGetsItsOwnBodyLimit) {
  BodyLimits limits;
  EXPECT_EQ(Send("POST", "/v1/entries", "ci-token").status, 200);
  EXPECT_EQ(last_body_limit_, limits.entry);
  EXPECT_EQ(Send("POST", "/v1/entries:batch", "ci-token").status, 200);
  EXPECT_EQ(last_body_limit_, limits.batch);
  EXPECT_EQ(Send("POST", "/v1/events", "ci-token").status, 200);
  EXPECT_EQ(last_body_limit_, limits.event);
  // A signature-checked adapter's body is read before its sender is known: the small limit.
  EXPECT_EQ(Send("POST", "/v1/ingest/github").status, 200);
  EXPECT_EQ(last_body_limit_, limits.signed_ingest);
  EXPECT_EQ(Send("GET", "/checkpoint").status, 200);
  EXPECT_EQ(last_body_limit_, limits.other);
  EXPECT_LT(limits.signed_ingest, limits.ingest);
  EXPECT_EQ(BodyLimitFor(limits, "POST", "/v1/ingest/k8s-audit", {"github"}), limits.ingest);
}

}  // namespace
}  // namespace api
}  // namespace vellum
