#include "api/gate/admission.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/gate/gate_api.pb.h"
#include "api/ingest/internal/json_reader.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "proof/crypto.h"
#include "ledger/identity/policy.h"

namespace vellum {
namespace api {
namespace {

using ingest::JsonReader;

// Labels of a workload: Kubernetes sets no bound; this one keeps a review small.
constexpr size_t kMaxObjectLabels = 1024;

constexpr size_t kMaxUidBytes = 64;

// Removes the numbers a scaling changes (`replicas`, `minReplicas`, `maxReplicas`) from the
// objects of a spec, in place; values of other types under those names stay, and so does
// everything that is not an object.
void StripScale(google::protobuf::Value* value, int depth = 0) {
  if (depth > 64) return;
  if (value->has_list_value()) {
    for (google::protobuf::Value& item : *value->mutable_list_value()->mutable_values()) {
      StripScale(&item, depth + 1);
    }
    return;
  }
  if (!value->has_struct_value()) return;
  auto* fields = value->mutable_struct_value()->mutable_fields();
  for (const char* key : {"replicas", "minReplicas", "maxReplicas"}) {
    if (auto it = fields->find(key); it != fields->end() && it->second.has_number_value()) {
      fields->erase(it);
    }
  }
  for (auto& [key, member] : *fields) StripScale(&member, depth + 1);
}

// The member `key` of `value` when both are objects; nullptr otherwise.
google::protobuf::Value* Member(google::protobuf::Value* value, const std::string& key) {
  if (value == nullptr || !value->has_struct_value()) return nullptr;
  auto* fields = value->mutable_struct_value()->mutable_fields();
  auto it = fields->find(key);
  return it == fields->end() ? nullptr : &it->second;
}

// Drops `key` from `annotations` when it is an object.
void DropAnnotation(google::protobuf::Value* annotations, const char* key) {
  if (annotations != nullptr && annotations->has_struct_value()) {
    annotations->mutable_struct_value()->mutable_fields()->erase(key);
  }
}

// SHA-256 (hex) of what a workload runs: its spec and its metadata's labels and annotations,
// without what a scaling, a restart or a re-apply changes (StripScale; the pod template's
// kubectl.kubernetes.io/restartedAt; kubectl's last-applied-configuration and the revision a
// Deployment's controller stamps), in a canonical form.
std::string WorkloadFingerprint(const google::protobuf::Value& object) {
  google::protobuf::Value kept;
  auto* fields = kept.mutable_struct_value()->mutable_fields();
  google::protobuf::Value copy = object;
  if (google::protobuf::Value* spec = Member(&copy, "spec")) {
    StripScale(spec);
    DropAnnotation(Member(Member(Member(spec, "template"), "metadata"), "annotations"),
                   "kubectl.kubernetes.io/restartedAt");
    (*fields)["spec"] = *spec;
  }
  if (google::protobuf::Value* metadata = Member(&copy, "metadata")) {
    if (google::protobuf::Value* labels = Member(metadata, "labels")) (*fields)["labels"] = *labels;
    if (google::protobuf::Value* annotations = Member(metadata, "annotations")) {
      DropAnnotation(annotations, "kubectl.kubernetes.io/last-applied-configuration");
      DropAnnotation(annotations, "deployment.kubernetes.io/revision");
      (*fields)["annotations"] = *annotations;
    }
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    kept.SerializeToCodedStream(&out);
  }
  return crypto::Sha256Hex(crypto::Sha256({bytes}));
}

AdmissionObject ReadObject(JsonReader object, const AdmissionConfig& config) {
  AdmissionObject out;
  out.present = object.Has({"metadata"}) || object.Has({"kind"});
  for (auto& [key, value] : object.StringMap({"metadata", "labels"}, kMaxObjectLabels)) {
    out.labels.emplace(std::move(key), std::move(value));
  }
  for (const std::string* key : {&config.model_key, &config.version_key, &config.digest_key}) {
    std::string value = object.String({"metadata", "annotations", *key});
    if (!value.empty()) out.annotations.emplace(*key, std::move(value));
  }
  return out;
}

// The value of `key` in the labels, else the annotations; "" when neither has it.
std::string Lookup(const AdmissionObject& object, const std::string& key) {
  if (auto it = object.labels.find(key); it != object.labels.end()) return it->second;
  if (auto it = object.annotations.find(key); it != object.annotations.end()) return it->second;
  return "";
}

bool AnyGlob(const std::vector<std::string>& globs, const std::string& value) {
  for (const std::string& glob : globs) {
    if (ledger::identity::GlobMatch(glob, value)) return true;
  }
  return false;
}

AdmissionPlan Allow(std::string message) {
  AdmissionPlan plan;
  plan.kind = AdmissionPlan::Kind::kAllow;
  plan.message = std::move(message);
  return plan;
}

}  // namespace

absl::StatusOr<AdmissionRequest> ParseAdmissionReview(absl::string_view json,
                                                      const AdmissionConfig& config) {
  absl::StatusOr<JsonReader> review =
      JsonReader::Parse(json, kMaxAdmissionReviewBytes, "admission review");
  if (!review.ok()) return review.status();
  if (const std::string version = review->String({"apiVersion"}, 64);
      review->status().ok() && version != "admission.k8s.io/v1") {
    return absl::InvalidArgumentError(
        "apiVersion: want admission.k8s.io/v1 (admissionReviewVersions: [v1])");
  }
  if (const std::string kind = review->String({"kind"}, 64);
      review->status().ok() && kind != "AdmissionReview") {
    return absl::InvalidArgumentError("kind: want AdmissionReview");
  }
  if (!review->Has({"request"})) return absl::InvalidArgumentError("request: missing");
  JsonReader request = review->Object({"request"});
  AdmissionRequest out;
  out.uid = request.RequiredString({"uid"}, kMaxUidBytes);
  out.group = request.String({"resource", "group"}, 253);
  out.resource = request.RequiredString({"resource", "resource"}, 253);
  out.sub_resource = request.String({"subResource"}, 253);
  out.name = request.String({"name"}, 253);
  out.ns = request.String({"namespace"}, 253);
  out.operation = request.RequiredString({"operation"}, 16);
  out.username = request.String({"userInfo", "username"});
  out.dry_run = request.Bool({"dryRun"});
  if (request.Has({"object"})) out.object = ReadObject(request.Object({"object"}), config);
  if (request.Has({"oldObject"})) {
    out.old_object = ReadObject(request.Object({"oldObject"}), config);
  }
  if (!review->status().ok()) return review->status();
  if (out.operation != "CREATE" && out.operation != "UPDATE" && out.operation != "DELETE" &&
      out.operation != "CONNECT") {
    return absl::InvalidArgumentError(
        "member request.operation: want CREATE, UPDATE, DELETE or CONNECT");
  }
  if (out.operation == "UPDATE") {
    // The specs, read once more whole (the reader keeps only typed members).
    google::protobuf::Struct whole;
    if (!google::protobuf::util::JsonStringToMessage(std::string(json), &whole).ok()) {
      return absl::InvalidArgumentError("admission review: not a JSON object");
    }
    auto request_it = whole.fields().find("request");
    if (request_it == whole.fields().end() || !request_it->second.has_struct_value()) {
      return absl::InvalidArgumentError("member request: want an object");
    }
    const auto& fields = request_it->second.struct_value().fields();
    for (const auto& [name, object] :
         {std::make_pair("object", &out.object), std::make_pair("oldObject", &out.old_object)}) {
      auto it = fields.find(name);
      if (it == fields.end() || !it->second.has_struct_value()) continue;
      object->spec_fingerprint = WorkloadFingerprint(it->second);
    }
  }
  return out;
}

absl::optional<std::string> AdmissionReviewUid(absl::string_view json) {
  absl::StatusOr<JsonReader> review =
      JsonReader::Parse(json, kMaxAdmissionReviewBytes, "admission review");
  if (!review.ok()) return absl::nullopt;
  const std::string uid = review->String({"request", "uid"}, kMaxUidBytes);
  if (!review->status().ok() || uid.empty()) return absl::nullopt;
  return uid;
}

AdmissionPlan PlanAdmission(const AdmissionConfig& config, const AdmissionRequest& request) {
  if (request.operation == "DELETE" || request.operation == "CONNECT") {
    return Allow(absl::StrCat(request.operation, " is not a deploy"));
  }
  const std::string resource = absl::StrCat(request.group, "/", request.resource);
  if (std::find(config.resources.begin(), config.resources.end(), resource) ==
      config.resources.end()) {
    return Allow(absl::StrCat(resource, " is not a gated resource"));
  }
  if (AnyGlob(config.exempt_namespaces, request.ns)) {
    return Allow(absl::StrCat("namespace ", request.ns, " is exempt from the gate"));
  }
  const std::string* environment = nullptr;
  for (const auto& [glob, env] : config.namespaces) {
    if (ledger::identity::GlobMatch(glob, request.ns)) {
      environment = &env;
      break;
    }
  }
  if (environment == nullptr) return Allow(absl::StrCat("namespace ", request.ns, " is not gated"));
  if (request.sub_resource == "scale" || request.sub_resource == "status") {
    return Allow(absl::StrCat("the ", request.sub_resource,
                              " subresource keeps the workload's model"));
  }
  if (!request.sub_resource.empty()) {
    AdmissionPlan plan;
    plan.kind = AdmissionPlan::Kind::kDeny;
    plan.message = absl::StrCat("vellum gate: the ", request.sub_resource, " subresource of ",
                                resource, " is not allowed in namespace ", request.ns,
                                ", which deploys to ", *environment);
    return plan;
  }

  const std::string model = Lookup(request.object, config.model_key);
  const std::string version = Lookup(request.object, config.version_key);
  const std::string digest = Lookup(request.object, config.digest_key);
  if (model.empty() || version.empty()) {
    AdmissionPlan plan;
    plan.kind = AdmissionPlan::Kind::kDeny;
    plan.message = absl::StrCat(
        "vellum gate: namespace ", request.ns, " deploys to ", *environment,
        ", and only workloads that name their model may run there: set the label or annotation ",
        model.empty() ? config.model_key : config.version_key, " (and ", config.digest_key,
        " for the artifact's digest)");
    return plan;
  }
  if (request.operation == "UPDATE" && request.old_object.present &&
      Lookup(request.old_object, config.model_key) == model &&
      Lookup(request.old_object, config.version_key) == version &&
      Lookup(request.old_object, config.digest_key) == digest &&
      request.object.spec_fingerprint == request.old_object.spec_fingerprint) {
    return Allow(absl::StrCat("the update keeps model ", model, " version ", version,
                              " and the workload's spec (its scale aside)"));
  }
  AdmissionPlan plan;
  plan.kind = AdmissionPlan::Kind::kCheck;
  ledger::policy::GateRequest& what = plan.check.request;
  what.action = ledger::ACTION_DEPLOY;
  what.model = model;
  what.version = version;
  what.digest = digest;
  what.environment = *environment;
  what.labels = request.object.labels;
  plan.check.on_behalf_of = request.username;
  plan.check.request_id = absl::StrCat("admission/", request.uid);
  plan.check.via = "admission";
  plan.check.dry_run = request.dry_run;
  return plan;
}

std::string AdmissionReviewAnswer(absl::string_view uid, bool allowed, int code,
                                  absl::string_view message,
                                  const std::map<std::string, std::string>& audit_annotations) {
  AdmissionReview answer;
  answer.set_api_version("admission.k8s.io/v1");
  answer.set_kind("AdmissionReview");
  AdmissionResponse* response = answer.mutable_response();
  response->set_uid(std::string(uid));
  response->set_allowed(allowed);
  if (!allowed || code != 200) {
    response->mutable_status()->set_code(code);
    response->mutable_status()->set_message(std::string(message));
  }
  response->mutable_audit_annotations()->insert(audit_annotations.begin(),
                                                audit_annotations.end());
  std::string json;
  // Serializing a message of ours cannot fail.
  (void)google::protobuf::util::MessageToJsonString(answer, &json);
  json.push_back('\n');
  return json;
}

}  // namespace api
}  // namespace vellum
