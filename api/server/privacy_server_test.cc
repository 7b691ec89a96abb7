// Issue 13's endpoints end to end, against a LogServer with its sealed store, over HTTP: the
// privacy endpoints refuse a missing, a wrong and an insufficient credential (each refusal on
// record, nothing else changed) and bad input (4xx, nothing changed); events are stored sealed
// and opened only for events.unseal; an erasure under a hold keeps the held values and answers
// 409 naming the hold, and after the release erases the rest; the tree and its proofs are as
// they were; the holds survive a restart.

#include <sys/stat.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/client/http_client.h"
#include "api/config/config.pb.h"
#include "api/events/event_search_client.h"
#include "api/events/events_api.pb.h"
#include "api/http.h"
#include "api/log.pb.h"
#include "api/privacy/privacy_api.pb.h"
#include "api/server/access_rules.h"
#include "api/server/log_server.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_codec.h"
#include "ledger/file_io.h"
#include "ledger/identity/token_file.h"
#include "ledger/testing/file_bytes.h"
#include "ledger/testing/test_log.h"
#include "ledger/tile_reader.h"
#include "proof/note.h"

namespace vellum {
namespace api {
namespace {

namespace identity = ledger::identity;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kWriterToken[] = "writer-token-61f0c2d8b7a94e35";
constexpr char kOfficerToken[] = "officer-token-0b93e7a5c1d24f68";
constexpr char kLackingToken[] = "lacking-token-c7d1e04b92a8f356";
constexpr char kWrongToken[] = "wrong-token-5a2f9e8d1c0b7346";

template <typename M>
M Parse(const HttpResponse& response) {
  M message;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(response.body, &message).ok())
      << response.body;
  return message;
}

std::string EventJson(int n, const std::string& actor, const std::string& model) {
  ledger::AuditEvent event;
  event.mutable_id()->set_source("registry");
  event.mutable_id()->set_source_id(absl::StrCat("e-", n));
  *event.mutable_event_time() = ledger::ToProtoTime(absl::FromUnixSeconds(1790000000 + n));
  event.mutable_observer()->set_adapter("native");
  event.mutable_actor()->set_subject(actor);
  event.mutable_actor()->add_groups("ml-approvers");
  event.set_action(ledger::ACTION_APPROVE);
  event.mutable_target()->set_model_name(model);
  event.mutable_outcome()->set_result(ledger::Outcome::RESULT_SUCCESS);
  event.mutable_context()->set_source_ip("198.51.100.23");
  return *ledger::EventToJson(event);
}

class PrivacyServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signer_ = ledger::NewTestSigner("example.com/privacy-server");
    dir_ = absl::StrCat(std::getenv("TEST_TMPDIR"), "/",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_EQ(mkdir(dir_.c_str(), 0700), 0) << dir_;
    data_dir_ = dir_ + "/log";
    ASSERT_EQ(mkdir(data_dir_.c_str(), 0700), 0);
    const std::string tokens =
        absl::StrCat(identity::TokenSet::Line(kWriterToken, "writer"), "\n",
                     identity::TokenSet::Line(kOfficerToken, "officer@example.com"), "\n",
                     identity::TokenSet::Line(kLackingToken, "lacking"), "\n");
    ASSERT_TRUE(ledger::WriteNewFile(dir_ + "/tokens", tokens, 0600).ok());
    Start();
  }

  void Start() {
    config::Config config;
    config.mutable_auth()->set_token_file(dir_ + "/tokens");
    config::Binding* writer = config.add_bindings();
    writer->set_principal("writer");
    writer->add_roles("appender");
    writer->add_roles("reader");
    config::Binding* officer = config.add_bindings();
    officer->set_principal("officer@example.com");
    officer->add_roles("governance");
    officer->add_roles("auditor");
    absl::StatusOr<std::shared_ptr<const AccessRules>> access = BuildAccessRules(config);
    ASSERT_TRUE(access.ok()) << access.status();
    LogServerOptions options;
    options.data_dir = data_dir_;
    options.signer = signer_.get();
    options.http.port = 0;
    options.access = *std::move(access);
    options.denials.burst = 1000;
    if (sealed_) options.lookup_key = std::string(32, 'K');
    options.privacy.read_burst = 1000;
    options.privacy.retention = retention_;
    options.privacy.retention_interval = absl::ZeroDuration();
    absl::StatusOr<std::unique_ptr<LogServer>> server = LogServer::Open(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    absl::StatusOr<std::unique_ptr<HttpClient>> client =
        HttpClient::Create(absl::StrCat("http://127.0.0.1:", server_->port()), {});
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  void Restart() {
    server_.reset();
    Start();
  }

  HttpResponse Send(const std::string& method, const std::string& target, absl::string_view token,
                    const std::string& body = "",
                    const std::string& content_type = "application/json") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!body.empty()) headers.emplace_back("Content-Type", content_type);
    if (!token.empty()) headers.emplace_back("Authorization", absl::StrCat("Bearer ", token));
    absl::StatusOr<HttpResponse> response = client_->Send(method, target, body, headers);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *std::move(response) : HttpResponse();
  }

  void PostEvent(int n, const std::string& actor, const std::string& model) {
    HttpResponse r = Send("POST", "/v1/events", kWriterToken, EventJson(n, actor, model));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  EventSearchResponse Search(const std::string& query, absl::string_view token) {
    HttpResponse r = Send("GET", absl::StrCat("/v1/events?", query), token);
    EXPECT_EQ(r.status, 200) << r.body;
    return Parse<EventSearchResponse>(r);
  }

  uint64_t Size() { return server_->sequencer().Head()->size; }

  // Every entry of the log, as its bundles hold them (the test's logs stay under 256).
  std::vector<std::string> Entries() {
    const uint64_t size = Size();
    EXPECT_LT(size, 256u);
    absl::StatusOr<std::vector<std::string>> entries =
        ledger::ReadBundleEntries(server_->log().storage(), 0, size);
    EXPECT_TRUE(entries.ok()) << entries.status();
    return entries.ok() ? *std::move(entries) : std::vector<std::string>();
  }

  size_t HoldCount() {
    return Parse<HoldList>(Send("GET", "/v1/holds", kOfficerToken)).holds_size();
  }

  ledger::RetentionRules retention_;
  // Whether the server has its sealed store; without, it stores events as a log from before
  // sealing did.
  bool sealed_ = true;
  std::unique_ptr<NoteSigner> signer_;
  std::string dir_;
  std::string data_dir_;
  std::unique_ptr<LogServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(PrivacyServerTest, EveryPrivacyEndpointRefusesMissingWrongAndLackingCredentials) {
  struct Endpoint {
    std::string method, target, permission, body;
  };
  const std::vector<Endpoint> endpoints = {
      {"POST", "/v1/erasure", "erasure", R"({"subject": "alice@example.com"})"},
      {"POST", "/v1/holds", "holds.admin", R"({"matter": "m", "reason": "r"})"},
      {"GET", "/v1/holds", "holds.admin", ""},
      {"DELETE", "/v1/holds/0123", "holds.admin", ""},
      {"GET", "/v1/events/0", "events.read", ""},
      {"GET", "/v1/retention", "retention.admin", ""},
      {"POST", "/v1/retention", "retention.admin",
       R"({"rules": [{"name": "a", "keepDays": 1}], "reason": "r"})"},
      {"POST", "/v1/prune?below=256", "retention.admin", ""},
  };
  struct Caller {
    const char* token;
    int status;
  };
  // The writer holds events.read, so the lacking principal stands in for the last endpoint.
  for (const Endpoint& e : endpoints) {
    for (const Caller& caller : {Caller{"", 401}, Caller{kWrongToken, 401},
                                 Caller{kLackingToken, 403}, Caller{kWriterToken, 403}}) {
      if (e.permission == "events.read" && caller.token == kWriterToken) continue;
      SCOPED_TRACE(absl::StrCat(e.method, " ", e.target, " with token '", caller.token, "'"));
      const uint64_t size = Size();
      HttpResponse r = Send(e.method, e.target, caller.token, e.body);
      EXPECT_EQ(r.status, caller.status) << r.body;
      EXPECT_THAT(r.body, Not(HasSubstr("alice")));
      // The refusal, and nothing else, is on record.
      ASSERT_EQ(Size(), size + 1);
      const std::vector<std::string> entries = Entries();
      ASSERT_EQ(entries.size(), size + 1);
      const std::string* entry = &entries.back();
      absl::StatusOr<ledger::AuditEvent> denial = ledger::DecodeEntry(*entry);
      ASSERT_TRUE(denial.ok());
      EXPECT_EQ(denial->action(), ledger::ACTION_ACCESS_DENIED_BY_LEDGER);
      EXPECT_EQ(denial->context().labels().at("vellum.permission"), e.permission);
      // The caller's name and address are sealed in it.
      for (const char* personal : {"writer", "lacking", "127.0.0.1"}) {
        EXPECT_THAT(*entry, Not(HasSubstr(personal)));
      }
    }
  }
  EXPECT_EQ(HoldCount(), 0u);
}

TEST_F(PrivacyServerTest, BadInputGets4xxAndChangesNothing) {
  const uint64_t size = Size();
  const struct {
    std::string method, target, body;
    int status;
    std::string content_type = "application/json";
  } cases[] = {
      {"DELETE", "/v1/holds/no-such-hold", "", 404},
      {"DELETE", absl::StrCat("/v1/holds/", std::string(100, 'a')), "", 404},
      {"POST", "/v1/holds", R"({"matter": "m", "reason": "r", "scope": {"models": 3}})", 400},
      {"POST", "/v1/holds", R"({"matter": "m", "reason": "r", "scope": {"colour": "red"}})", 400},
      {"POST", "/v1/holds",
       absl::StrCat(R"({"matter": "m", "reason": ")", std::string(2049, 'x'), R"("})"), 400},
      {"POST", "/v1/holds",
       R"({"matter": "m", "reason": "r", "scope": {"since": "2027-01-01T00:00:00Z",)"
       R"( "until": "2026-01-01T00:00:00Z"}})",
       400},
      {"POST", "/v1/holds", R"({"matter": "m", "reason": "r"})", 415, "text/plain"},
      {"POST", "/v1/erasure", "{}", 400},
      {"POST", "/v1/erasure", R"({"subject": "alice@example.com", "why": 1})", 400},
      {"POST", "/v1/erasure", R"({"pseudonym": "ps1_zz"})", 400},
      {"PUT", "/v1/holds", "", 405},
      {"POST", "/v1/retention", R"({"rules": [{"name": "a b", "keepDays": 1}], "reason": "r"})",
       400},
      {"POST", "/v1/retention", R"({"rules": [{"name": "a", "keepDays": 1}]})", 400},
      {"DELETE", "/v1/retention", "", 405},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.method, " ", c.target, " ", c.body.substr(0, 80)));
    HttpResponse r = Send(c.method, c.target, kOfficerToken, c.body, c.content_type);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_THAT(r.body, Not(HasSubstr("alice")));
  }
  // A body past the limit is refused before it is read.
  HttpResponse big = Send("POST", "/v1/holds", kOfficerToken, std::string(65 * 1024, ' '));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(Size(), size);
  EXPECT_EQ(HoldCount(), 0u);
  EXPECT_EQ(Parse<ledger::RetentionRules>(Send("GET", "/v1/retention", kOfficerToken))
                .rules_size(),
            0);
}

TEST_F(PrivacyServerTest, ARetentionAdminChangesTheRulesOnRecord) {
  const uint64_t size = Size();
  HttpResponse changed = Send("POST", "/v1/retention", kOfficerToken,
                              R"({"rules": [{"name": "inference", "actions": ["ACTION_INFER"],)"
                              R"( "keepDays": 7}], "reason": "minimise inference records"})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(Parse<ledger::RetentionRules>(changed).rules(0).keep_days(), 7u);
  ASSERT_EQ(Size(), size + 1);
  EventSearchResponse record = Search("action=ACTION_RETENTION_CHANGED", kOfficerToken);
  ASSERT_EQ(record.events_size(), 1);
  EXPECT_TRUE(record.events(0).event().retention().admin_override());
  EXPECT_EQ(record.events(0).unsealed().retention().reason(), "minimise inference records");
  EXPECT_EQ(record.events(0).unsealed().actor().subject(), "officer@example.com");
  HttpResponse now = Send("GET", "/v1/retention", kOfficerToken);
  EXPECT_EQ(Parse<ledger::RetentionRules>(now).rules(0).name(), "inference");
}

// Only the writer's name (the provenance principal, sealed under the writer's key) opens.
void ExpectNothingOfHersOpens(const EventMatch& m) {
  ASSERT_EQ(m.opened_size(), 1);
  EXPECT_EQ(m.opened(0).path(), "provenance.principal");
  EXPECT_EQ(m.unsealed().actor().subject(), "");
}

TEST_F(PrivacyServerTest, SealedOpenedErasedAndHeld) {
  PostEvent(1, "alice@example.com", "fraud-scorer");
  PostEvent(2, "alice@example.com", "churn");
  PostEvent(3, "bob@example.com", "churn");
  // Stored sealed: no entry holds a personal value in clear, nor does any file of the log.
  for (const std::string& entry : Entries()) {
    for (const char* personal : {"alice", "bob", "ml-approvers", "198.51.100.23", "writer"}) {
      EXPECT_THAT(entry, Not(HasSubstr(personal)));
    }
  }
  EXPECT_THAT(ledger::AllFileBytes(data_dir_), Not(HasSubstr("alice@example.com")));

  // A reader without events.unseal sees pseudonyms; the officer sees the values, which verify.
  EventSearchResponse sealed = Search("action=ACTION_APPROVE", kWriterToken);
  ASSERT_EQ(sealed.events_size(), 3);
  EXPECT_FALSE(sealed.events(0).has_unsealed());
  EXPECT_EQ(sealed.events(0).opened_size(), 0);
  const uint64_t before_read = Size();
  EventSearchResponse opened = Search("actor=alice@example.com&order=oldest", kOfficerToken);
  ASSERT_EQ(opened.events_size(), 2);
  for (const EventMatch& m : opened.events()) {
    EXPECT_EQ(m.unsealed().actor().subject(), "alice@example.com");
    EXPECT_EQ(m.unsealed().context().source_ip(), "198.51.100.23");
    EXPECT_TRUE(VerifyOpenedFields(m).ok());
    EXPECT_EQ(m.opened_size(), 4);  // subject, group, address, principal
  }
  // The read is on record, the subject id in the query replaced.
  ASSERT_EQ(Size(), before_read + 1);
  EventSearchResponse reads = Search("action=ACTION_EVENTS_UNSEALED", kOfficerToken);
  ASSERT_GE(reads.events_size(), 1);
  const auto& labels = reads.events(reads.events_size() - 1).event().context().labels();
  EXPECT_EQ(labels.at("vellum.count"), "2");
  EXPECT_THAT(labels.at("vellum.query"), Not(HasSubstr("alice")));
  // One event by index, opened.
  HttpResponse one = Send("GET", absl::StrCat("/v1/events/", opened.events(0).index()),
                          kOfficerToken);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(Parse<EventSearchResponse>(one).events(0).unsealed().actor().subject(),
            "alice@example.com");

  const std::vector<std::string> entries_before = Entries();
  const std::string checkpoint_before = server_->log().storage().ReadCheckpoint()->second;

  // A hold on fraud-*: alice's erasure keeps that event's values and says so with 409.
  HttpResponse placed = Send("POST", "/v1/holds", kOfficerToken,
                             R"({"matter": "case-2027-014", "reason": "litigation",)"
                             R"( "scope": {"models": ["fraud-*"]}})");
  ASSERT_EQ(placed.status, 200) << placed.body;
  const std::string hold_id = Parse<ledger::Hold>(placed).id();
  ASSERT_FALSE(hold_id.empty());
  HttpResponse erased = Send("POST", "/v1/erasure", kOfficerToken,
                             R"({"subject": "alice@example.com"})");
  EXPECT_EQ(erased.status, 409) << erased.body;
  ErasureResponse partial = Parse<ErasureResponse>(erased);
  EXPECT_THAT(partial.error(), HasSubstr(hold_id));
  ASSERT_EQ(partial.held_by_size(), 1);
  EXPECT_EQ(partial.events(), 1u);
  EventSearchResponse after = Search(
      absl::StrCat("actor=", partial.pseudonyms(0), "&order=oldest"), kOfficerToken);
  ASSERT_EQ(after.events_size(), 2);
  EXPECT_EQ(after.events(0).unsealed().actor().subject(), "alice@example.com");  // held
  ExpectNothingOfHersOpens(after.events(1));  // erased
  ASSERT_GE(after.events(1).gone_size(), 1);
  EXPECT_EQ(after.events(1).gone(0).erased_at(), partial.completed_index());

  // The holds survive a restart; released, the rest goes.
  Restart();
  ASSERT_EQ(HoldCount(), 1u);
  ASSERT_EQ(Send("DELETE", absl::StrCat("/v1/holds/", hold_id), kOfficerToken).status, 200);
  EXPECT_EQ(HoldCount(), 0u);
  EXPECT_EQ(Send("DELETE", absl::StrCat("/v1/holds/", hold_id), kOfficerToken).status, 404);
  erased = Send("POST", "/v1/erasure", kOfficerToken,
                absl::StrCat(R"({"pseudonym": ")", partial.pseudonyms(0), R"("})"));
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_THAT(Parse<ErasureResponse>(erased).held_by(), IsEmpty());
  after = Search(absl::StrCat("actor=", partial.pseudonyms(0)), kOfficerToken);
  for (const EventMatch& m : after.events()) ExpectNothingOfHersOpens(m);
  // Nothing of hers anywhere in the data directory, the sealed store's files included; bob's
  // events still open.
  EXPECT_THAT(ledger::AllFileBytes(data_dir_), Not(HasSubstr("alice@example.com")));
  EventSearchResponse bob = Search("actor=bob@example.com", kOfficerToken);
  ASSERT_EQ(bob.events_size(), 1);
  EXPECT_EQ(bob.events(0).unsealed().actor().subject(), "bob@example.com");

  // The log only grew: the old entries are unchanged, and the old checkpoint is consistent
  // with the new one.
  const std::vector<std::string> entries_after = Entries();
  ASSERT_GT(entries_after.size(), entries_before.size());
  for (size_t i = 0; i < entries_before.size(); ++i) EXPECT_EQ(entries_after[i], entries_before[i]);
  EXPECT_FALSE(checkpoint_before.empty());
  const uint64_t old_size = entries_before.size();
  HttpResponse consistency = Send(
      "GET", absl::StrCat("/v1/proof/consistency?from=", old_size, "&to=", Size()), kOfficerToken);
  EXPECT_EQ(consistency.status, 200) << consistency.body;
  // Every step is on record.
  for (ledger::Action action : {ledger::ACTION_HOLD_PLACED, ledger::ACTION_HOLD_RELEASED,
                                ledger::ACTION_ERASURE_REQUESTED,
                                ledger::ACTION_ERASURE_COMPLETED}) {
    EXPECT_GE(Search(absl::StrCat("action=", ledger::Action_Name(action)), kOfficerToken)
                  .events_size(),
              1)
        << ledger::Action_Name(action);
  }
}

TEST_F(PrivacyServerTest, ALogFromBeforeSealingIsReindexedOnPseudonyms) {
  // A log written before sealing: its entries and its index name alice in clear.
  server_.reset();
  ASSERT_EQ(system(absl::StrCat("rm -rf '", data_dir_, "'").c_str()), 0);
  ASSERT_EQ(mkdir(data_dir_.c_str(), 0700), 0);
  sealed_ = false;
  Start();
  PostEvent(1, "alice@example.com", "fraud-scorer");
  PostEvent(2, "bob@example.com", "fraud-scorer");
  ASSERT_EQ(Search("actor=alice@example.com", kWriterToken).events_size(), 1);
  EXPECT_THAT(ledger::AllFileBytes(data_dir_ + "/index"), HasSubstr("alice@example.com"));

  // With the sealed store the index is rebuilt on pseudonyms; new events are sealed.
  sealed_ = true;
  Restart();
  PostEvent(3, "alice@example.com", "churn");
  EXPECT_THAT(ledger::AllFileBytes(data_dir_ + "/index"), Not(HasSubstr("alice@example.com")));
  EXPECT_THAT(ledger::AllFileBytes(data_dir_ + "/index"), Not(HasSubstr("bob@example.com")));

  // One search by the subject finds the old event and the new one; so does one by pseudonym,
  // for a reader who may not unseal.
  EventSearchResponse both = Search("actor=alice@example.com&order=oldest", kOfficerToken);
  ASSERT_EQ(both.events_size(), 2);
  EXPECT_EQ(both.events(0).event().actor().subject(), "alice@example.com");  // In clear, as stored.
  EXPECT_EQ(both.events(1).event().actor().subject(), "");
  const std::string pseudonym = both.events(1).event().actor().pseudonym();
  ASSERT_FALSE(pseudonym.empty());
  EventSearchResponse by_pseudonym =
      Search(absl::StrCat("actor=", pseudonym, "&order=oldest"), kWriterToken);
  ASSERT_EQ(by_pseudonym.events_size(), 2);
  EXPECT_EQ(by_pseudonym.events(0).index(), both.events(0).index());
  EXPECT_EQ(by_pseudonym.events(1).index(), both.events(1).index());
  // The principal that posted the old events is found by its pseudonym too.
  EXPECT_EQ(Search("principal=writer&model=fraud-scorer", kOfficerToken).events_size(), 2);
  // Bob's old event is his alone.
  EXPECT_EQ(Search("actor=bob@example.com", kOfficerToken).events_size(), 1);
}

TEST_F(PrivacyServerTest, APrunedPrefixIsNotServedAndEveryProofStays) {
  ledger::RetentionRule* all = retention_.add_rules();
  all->set_name("everything");
  all->set_keep_days(0);
  Restart();
  for (int i = 0; size_t{Size()} < 300; ++i) PostEvent(100 + i, "alice@example.com", "fraud");
  const uint64_t old_size = Size();
  HttpResponse refused = Send("POST", "/v1/prune?below=256", kOfficerToken);
  EXPECT_EQ(refused.status, 409) << refused.body;  // the values are not purged yet
  EXPECT_THAT(refused.body, HasSubstr("sealed values"));
  EXPECT_EQ(Send("POST", "/v1/prune?below=100", kOfficerToken).status, 400);
  EXPECT_EQ(Send("POST", "/v1/prune", kOfficerToken).status, 400);
  EXPECT_EQ(Send("POST", "/v1/prune?below=256", kWriterToken).status, 403);
  ASSERT_EQ(Size(), old_size + 1);  // the writer's refusal, on record; nothing else

  ASSERT_TRUE(server_->custodian()->RunRetention(absl::Now() + absl::Seconds(1)).ok());
  HttpResponse pruned = Send("POST", "/v1/prune?below=256", kOfficerToken);
  ASSERT_EQ(pruned.status, 200) << pruned.body;
  EXPECT_EQ(Parse<PruneResponse>(pruned).minimum_index(), 256u);
  HttpResponse info = Send("GET", "/v1/log", kOfficerToken);
  ASSERT_EQ(info.status, 200);
  EXPECT_EQ(Parse<LogInfo>(info).minimum_index(), 256u);
  // The prefix's bundles and entries are refused; hash tiles, checkpoints and proofs stay.
  HttpResponse bundle = Send("GET", "/tile/entries/000", kOfficerToken);
  EXPECT_EQ(bundle.status, 404);
  EXPECT_THAT(bundle.body, HasSubstr("pruned"));
  EXPECT_EQ(Send("GET", "/v1/entries/10", kOfficerToken).status, 404);
  EXPECT_EQ(Send("GET", "/v1/events/10", kOfficerToken).status, 404);
  EXPECT_EQ(Send("GET", "/tile/0/000", kOfficerToken).status, 200);
  EXPECT_EQ(Send("GET", "/v1/proof/inclusion?index=10&size=256", kOfficerToken).status, 200);
  EXPECT_EQ(Send("GET", absl::StrCat("/v1/proof/consistency?from=1&to=", Size()), kOfficerToken)
                .status,
            200);
  const EventSearchResponse served = Search("order=oldest&limit=1000", kOfficerToken);
  ASSERT_GT(served.events_size(), 0);
  for (const EventMatch& m : served.events()) EXPECT_GE(m.index(), 256u);
  // After a restart too.
  Restart();
  EXPECT_EQ(Send("GET", "/tile/entries/000", kOfficerToken).status, 404);
}

}  // namespace
}  // namespace api
}  // namespace vellum
