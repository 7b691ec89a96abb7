#include "api/ingest/cloudevents.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/ingest/internal/adapter_support.h"
#include "api/ingest/internal/json_reader.h"
#include "proof/utf8.h"

namespace vellum {
namespace api {
namespace ingest {
namespace {

constexpr size_t kMaxBodyBytes = 16 << 20;
constexpr size_t kMaxMetadataBytes = 16 << 10;
constexpr size_t kMaxMetadataValues = 16;

// The attributes this adapter reads; every other attribute and the data are ignored.
struct Attributes {
  std::string specversion, id, source, type, time;
  // KServe's and Seldon's extensions.
  std::string inferenceservicename, modelid, namespace_, component, endpoint, requestid;
  std::string metadata;     // JSON: {"header-name": ["value", ...]} of the inference request.
  std::string traceparent;  // The W3C distributed tracing extension.
};

struct AttributeName {
  absl::string_view name;
  std::string Attributes::*field;
};

constexpr AttributeName kAttributeNames[] = {
    {"specversion", &Attributes::specversion},
    {"id", &Attributes::id},
    {"source", &Attributes::source},
    {"type", &Attributes::type},
    {"time", &Attributes::time},
    {"inferenceservicename", &Attributes::inferenceservicename},
    {"modelid", &Attributes::modelid},
    {"namespace", &Attributes::namespace_},
    {"component", &Attributes::component},
    {"endpoint", &Attributes::endpoint},
    {"requestid", &Attributes::requestid},
    {"metadata", &Attributes::metadata},
    {"traceparent", &Attributes::traceparent},
};

absl::StatusOr<Attributes> BinaryModeAttributes(const HttpRequest& request) {
  Attributes attributes;
  for (const AttributeName& a : kAttributeNames) {
    absl::StatusOr<std::string> value = Header(request, absl::StrCat("ce-", a.name));
    if (!value.ok()) return value.status();
    attributes.*a.field = *std::move(value);
  }
  return attributes;
}

// Reads only the attributes: `data` and `data_base64` are never looked at.
absl::StatusOr<Attributes> StructuredModeAttributes(absl::string_view body) {
  absl::StatusOr<JsonReader> event = JsonReader::Parse(body, kMaxBodyBytes, "body");
  if (!event.ok()) return event.status();
  Attributes attributes;
  for (const AttributeName& a : kAttributeNames) {
    attributes.*a.field = event->String({a.name});
  }
  if (!event->status().ok()) return event->status();
  return attributes;
}

// Splits `text` at `separator`s outside double quotes (XFCC quotes values holding ',' or ';').
std::vector<absl::string_view> SplitUnquoted(absl::string_view text, char separator) {
  std::vector<absl::string_view> parts;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && quoted) {
      ++i;
    } else if (text[i] == '"') {
      quoted = !quoted;
    } else if (text[i] == separator && !quoted) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

// The client identity in an Envoy X-Forwarded-Client-Cert value: the URI of the last element,
// which the proxy nearest to the model server appended. "" if there is none.
std::string XfccClientUri(absl::string_view xfcc) {
  const absl::string_view element = SplitUnquoted(xfcc, ',').back();
  for (absl::string_view pair : SplitUnquoted(element, ';')) {
    const size_t equals = pair.find('=');
    if (equals == absl::string_view::npos) continue;
    if (!absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(pair.substr(0, equals)), "URI")) {
      continue;
    }
    absl::string_view value = absl::StripAsciiWhitespace(pair.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      std::string unquoted;
      for (size_t i = 1; i + 1 < value.size(); ++i) {
        if (value[i] == '\\' && i + 2 < value.size()) ++i;
        unquoted.push_back(value[i]);
      }
      return unquoted;
    }
    return std::string(value);
  }
  return "";
}

// "spiffe://corp.example" for "spiffe://corp.example/ns/payments/sa/checkout", else "".
std::string SpiffeTrustDomain(absl::string_view uri) {
  constexpr absl::string_view kScheme = "spiffe://";
  if (!absl::StartsWith(uri, kScheme)) return "";
  const size_t slash = uri.find('/', kScheme.size());
  return std::string(uri.substr(0, slash));
}

// The trace id of a W3C traceparent ("00-<32 hex>-<16 hex>-<2 hex>"), or "" if malformed.
std::string TraceId(absl::string_view traceparent) {
  if (traceparent.size() != 55 || traceparent[2] != '-' || traceparent[35] != '-' ||
      traceparent[52] != '-') {
    return "";
  }
  const absl::string_view id = traceparent.substr(3, 32);
  for (char c : id) {
    if (!absl::ascii_isxdigit(c)) return "";
  }
  return std::string(id);
}

// Sets the actor and request id from the inference request's headers, as the logger recorded
// them in the metadata extension.
absl::Status ApplyMetadata(absl::string_view metadata, ledger::AuditEvent* event) {
  if (metadata.empty()) return absl::OkStatus();
  absl::StatusOr<JsonReader> headers =
      JsonReader::Parse(metadata, kMaxMetadataBytes, "attribute metadata");
  if (!headers.ok()) return headers.status();
  const std::vector<std::string> xfcc =
      headers->Strings({"x-forwarded-client-cert"}, kMaxMetadataValues);
  const std::vector<std::string> request_ids = headers->Strings({"x-request-id"}, kMaxMetadataValues);
  if (!headers->status().ok()) return headers->status();
  if (!request_ids.empty()) event->mutable_context()->set_request_id(request_ids.front());
  if (!xfcc.empty()) {
    const std::string uri = XfccClientUri(xfcc.back());
    if (!uri.empty()) {
      event->mutable_actor()->set_subject(SanitizeUtf8(uri, ledger::kMaxEventStringBytes));
      event->mutable_actor()->set_kind(ledger::Actor::KIND_SERVICE);
      event->mutable_actor()->set_issuer(SpiffeTrustDomain(event->actor().subject()));
    }
  }
  return absl::OkStatus();
}

bool IsInferenceType(absl::string_view type, absl::string_view kind) {
  return type == absl::StrCat("org.kubeflow.serving.inference.", kind) ||
         type == absl::StrCat("io.seldon.serving.inference.", kind);
}

class CloudEventsAdapter : public Adapter {
 public:
  absl::string_view name() const override { return kCloudEventsAdapter; }
  bool verifies_signature() const override { return false; }

  absl::StatusOr<std::vector<ledger::AuditEvent>> Parse(const HttpRequest& request,
                                                        absl::Time received) const override {
    if (request.body.size() > kMaxBodyBytes) {
      return absl::InvalidArgumentError(absl::StrCat("cloudevents: body: got ", request.body.size(),
                                                     " bytes, want at most ", kMaxBodyBytes));
    }
    const std::string content_type = absl::AsciiStrToLower(request.Header("content-type"));
    if (absl::StartsWith(content_type, "application/cloudevents-batch")) {
      return absl::InvalidArgumentError(
          "cloudevents: batched mode is not supported, want binary or structured mode");
    }
    absl::StatusOr<Attributes> attributes =
        absl::StartsWith(content_type, "application/cloudevents")
            ? StructuredModeAttributes(request.body)
            : BinaryModeAttributes(request);
    if (!attributes.ok()) return Prefixed(kCloudEventsAdapter, attributes.status());
    if (attributes->specversion != "1.0") {
      return absl::InvalidArgumentError(
          absl::StrCat("cloudevents: got specversion \"", attributes->specversion.substr(0, 16),
                       "\", want \"1.0\""));
    }
    if (attributes->id.empty() || attributes->source.empty()) {
      return absl::InvalidArgumentError("cloudevents: attributes id and source are required");
    }
    if (IsInferenceType(attributes->type, "response")) return std::vector<ledger::AuditEvent>();
    if (!IsInferenceType(attributes->type, "request")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cloudevents: got type \"", attributes->type.substr(0, 64),
          "\", want org.kubeflow.serving.inference.request or io.seldon.serving.inference.request"
          " (or .response, which are not recorded)"));
    }

    ledger::AuditEvent event = NewEvent(
        kCloudEventsAdapter, absl::StrCat(attributes->source, "#", attributes->id), request.body);
    event.mutable_observer()->set_source_system(attributes->source);
    if (attributes->time.empty()) {
      *event.mutable_event_time() = ledger::ToProtoTime(received);
    } else {
      absl::StatusOr<google::protobuf::Timestamp> time = ParseTime(attributes->time, "time");
      if (!time.ok()) return Prefixed(kCloudEventsAdapter, time.status());
      *event.mutable_event_time() = *time;
    }
    event.set_action(ledger::ACTION_INFER);
    event.mutable_outcome()->set_result(ledger::Outcome::RESULT_SUCCESS);
    event.mutable_target()->set_model_name(attributes->inferenceservicename.empty()
                                               ? attributes->modelid
                                               : attributes->inferenceservicename);
    event.mutable_target()->set_namespace_(attributes->namespace_);
    event.mutable_context()->set_request_id(attributes->requestid);
    event.mutable_context()->set_trace_id(TraceId(attributes->traceparent));
    SetLabel(&event, "cloudevents.type", attributes->type);
    SetLabel(&event, "kserve.component", attributes->component);
    SetLabel(&event, "kserve.endpoint", attributes->endpoint);
    absl::Status status = ApplyMetadata(attributes->metadata, &event);
    if (!status.ok()) return Prefixed(kCloudEventsAdapter, status);
    std::vector<ledger::AuditEvent> events;
    events.push_back(std::move(event));
    return Validated(kCloudEventsAdapter, std::move(events));
  }
};

}  // namespace

std::unique_ptr<Adapter> NewCloudEventsAdapter() { return std::make_unique<CloudEventsAdapter>(); }

}  // namespace ingest
}  // namespace api
}  // namespace vellum
