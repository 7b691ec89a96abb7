#include "api/ingest/k8s_audit.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "api/ingest/internal/adapter_support.h"
#include "api/ingest/internal/json_reader.h"

namespace vellum {
namespace api {
namespace ingest {
namespace {

constexpr size_t kMaxBodyBytes = 8 << 20;
constexpr size_t kMaxGroups = 64;
constexpr size_t kMaxSourceIps = 16;

ledger::Action ActionForVerb(absl::string_view verb) {
  if (verb == "create" || verb == "update" || verb == "patch") return ledger::ACTION_DEPLOY;
  if (verb == "delete" || verb == "deletecollection") return ledger::ACTION_UNDEPLOY;
  return ledger::ACTION_UNSPECIFIED;  // Reads (get, list, watch) are not recorded.
}

ledger::Actor::Kind KindOfUser(absl::string_view username) {
  // Kubernetes has no user objects: names under "system:" are the cluster's own identities
  // (service accounts, nodes, controllers); all others come from an authenticator that vouches
  // for a person (OIDC, client certificates).
  return absl::StartsWith(username, "system:") ? ledger::Actor::KIND_SERVICE
                                               : ledger::Actor::KIND_HUMAN;
}

class K8sAuditAdapter : public Adapter {
 public:
  explicit K8sAuditAdapter(K8sAuditConfig config) : config_(std::move(config)) {}

  absl::string_view name() const override { return kK8sAuditAdapter; }
  bool verifies_signature() const override { return false; }

  absl::StatusOr<std::vector<ledger::AuditEvent>> Parse(const HttpRequest& request,
                                                        absl::Time) const override {
    absl::StatusOr<JsonReader> body = JsonReader::Parse(request.body, kMaxBodyBytes, "body");
    if (!body.ok()) return Prefixed(kK8sAuditAdapter, body.status());
    const std::string kind = body->String({"kind"});
    const std::string api_version = body->String({"apiVersion"});
    if (kind != "EventList" || api_version != "audit.k8s.io/v1") {
      return absl::InvalidArgumentError(absl::StrCat(
          "k8s-audit: got kind ", kind.substr(0, 64), " apiVersion ", api_version.substr(0, 64),
          ", want kind EventList apiVersion audit.k8s.io/v1"));
    }
    std::vector<ledger::AuditEvent> events;
    absl::flat_hash_set<std::string> seen;
    for (JsonReader& item : body->Objects({"items"}, config_.max_items)) {
      if (!IsRecorded(item)) continue;
      const std::string source_id = absl::StrCat(item.RequiredString({"auditID"}), "/",
                                                 item.RequiredString({"stage"}));
      if (!seen.insert(source_id).second) continue;
      ledger::AuditEvent event = NewEvent(kK8sAuditAdapter, source_id, request.body);
      absl::Status status = MapItem(item, &event);
      // MapItem reports errors recorded by any read of the body (readers share them).
      if (!status.ok()) return Prefixed(kK8sAuditAdapter, status);
      events.push_back(std::move(event));
    }
    if (!body->status().ok()) return Prefixed(kK8sAuditAdapter, body->status());
    return Validated(kK8sAuditAdapter, std::move(events));
  }

 private:
  bool IsRecorded(JsonReader& item) const {
    const std::string stage = item.String({"stage"});
    if (stage != "ResponseComplete" && stage != "Panic") return false;
    if (ActionForVerb(item.String({"verb"})) == ledger::ACTION_UNSPECIFIED) return false;
    if (item.Has({"objectRef", "subresource"})) return false;
    const std::string group = item.String({"objectRef", "apiGroup"});
    const std::string resource = item.String({"objectRef", "resource"});
    for (const K8sResourceRule& rule : config_.rules) {
      if (rule.api_group == group && rule.resource == resource) return true;
    }
    return false;
  }

  absl::Status MapItem(JsonReader& item, ledger::AuditEvent* event) const {
    event->mutable_observer()->set_source_system(config_.cluster);
    const std::string verb = item.String({"verb"});
    event->set_action(ActionForVerb(verb));

    // An impersonated request acts as the impersonated user; the impersonator is kept.
    const bool impersonated = item.Has({"impersonatedUser", "username"});
    JsonReader user = item.Object({impersonated ? "impersonatedUser" : "user"});
    ledger::Actor* actor = event->mutable_actor();
    actor->set_subject(user.RequiredString({"username"}));
    actor->set_kind(KindOfUser(actor->subject()));
    actor->set_issuer(config_.cluster);
    for (std::string& group : user.Strings({"groups"}, kMaxGroups)) {
      actor->add_groups(std::move(group));
    }
    if (impersonated) SetLabel(event, "k8s.impersonator", item.String({"user", "username"}));

    ledger::Target* target = event->mutable_target();
    target->set_model_name(item.RequiredString({"objectRef", "name"}));
    target->set_namespace_(item.String({"objectRef", "namespace"}));
    target->set_environment(config_.cluster);

    ledger::Context* context = event->mutable_context();
    const std::vector<std::string> ips = item.Strings({"sourceIPs"}, kMaxSourceIps);
    if (!ips.empty()) context->set_source_ip(ips.front());
    context->set_user_agent(item.String({"userAgent"}));
    context->set_request_id(item.String({"auditID"}));
    SetLabel(event, "k8s.verb", verb);
    SetLabel(event, "k8s.resource", absl::StrCat(item.String({"objectRef", "apiGroup"}), "/",
                                                 item.String({"objectRef", "resource"})));
    SetLabel(event, "k8s.api_version", item.String({"objectRef", "apiVersion"}));
    SetLabel(event, "k8s.decision", item.String({"annotations", "authorization.k8s.io/decision"}));

    const absl::optional<int64_t> code = item.Integer({"responseStatus", "code"});
    const std::string authz_reason = item.TruncatedString(
        {"annotations", "authorization.k8s.io/reason"}, ledger::kMaxEventReasonBytes);
    const std::string status_reason =
        item.TruncatedString({"responseStatus", "message"}, ledger::kMaxEventReasonBytes);
    ledger::Outcome* outcome = event->mutable_outcome();
    if (item.String({"stage"}) == "Panic") {
      outcome->set_result(ledger::Outcome::RESULT_FAILURE);
      outcome->set_reason("the API server panicked while serving the request");
    } else if (code == 401 || code == 403) {
      outcome->set_result(ledger::Outcome::RESULT_DENIED);
      outcome->set_reason(!authz_reason.empty() ? authz_reason
                                                : item.String({"responseStatus", "reason"}));
    } else if (code.has_value() && *code >= 400) {
      outcome->set_result(ledger::Outcome::RESULT_FAILURE);
      outcome->set_reason(!status_reason.empty() ? status_reason
                                                 : item.String({"responseStatus", "reason"}));
    } else {
      outcome->set_result(ledger::Outcome::RESULT_SUCCESS);
    }

    absl::StatusOr<google::protobuf::Timestamp> time =
        ParseTime(item.RequiredString({"requestReceivedTimestamp"}), "requestReceivedTimestamp");
    if (!item.status().ok()) return item.status();
    if (!time.ok()) return time.status();
    *event->mutable_event_time() = *time;
    return absl::OkStatus();
  }

  const K8sAuditConfig config_;
};

}  // namespace

std::vector<K8sResourceRule> DefaultK8sResourceRules() {
  return {
      {"serving.kserve.io", "inferenceservices"},
      {"serving.kserve.io", "trainedmodels"},
      {"machinelearning.seldon.io", "seldondeployments"},
      {"mlops.seldon.io", "models"},
  };
}

absl::StatusOr<std::vector<K8sResourceRule>> ParseK8sResourceRules(absl::string_view text) {
  auto valid = [](absl::string_view name) {
    for (char c : name) {
      if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '.' && c != '-') return false;
    }
    return name.size() <= 253;
  };
  std::vector<K8sResourceRule> rules;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    size_t slash = line.find('/');
    absl::string_view group = line.substr(0, slash);
    absl::string_view resource =
        slash == absl::string_view::npos ? absl::string_view() : line.substr(slash + 1);
    if (slash == absl::string_view::npos || resource.empty() || !valid(group) ||
        !valid(resource)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "k8s resource rules, line ", number,
          ": want <api group>/<resource> in lowercase letters, digits, '.' and '-'"));
    }
    if (rules.size() == kMaxK8sResourceRules) {
      return absl::InvalidArgumentError(
          absl::StrCat("k8s resource rules: more than ", kMaxK8sResourceRules, " rules"));
    }
    rules.push_back({std::string(group), std::string(resource)});
  }
  if (rules.empty()) return absl::InvalidArgumentError("k8s resource rules: none, want one");
  return rules;
}

absl::StatusOr<std::unique_ptr<Adapter>> NewK8sAuditAdapter(K8sAuditConfig config) {
  if (config.cluster.empty()) {
    return absl::InvalidArgumentError("k8s-audit: the cluster name is empty, want one");
  }
  if (config.rules.empty()) {
    return absl::InvalidArgumentError("k8s-audit: no resource rules, want at least one");
  }
  return std::unique_ptr<Adapter>(new K8sAuditAdapter(std::move(config)));
}

}  // namespace ingest
}  // namespace api
}  // namespace vellum
