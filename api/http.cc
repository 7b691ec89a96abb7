#include "api/http.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ledger/refusal.h"
#include "proof/utf8.h"

namespace vellum {
namespace api {
namespace {

constexpr size_t kMaxParams = 16;
constexpr size_t kMaxParamBytes = 1024;
// Retry-After of a 429, 503 or 507 whose error names no delay.
constexpr absl::Duration kDefaultRetryAfter = absl::Seconds(1);

bool IsRetryable(int http_status) {
  return http_status == 429 || http_status == 503 || http_status == 507;
}

// Retry-After's delay-seconds (RFC 9110, section 10.2.3): whole seconds, rounded up, at least 1.
std::string RetryAfterSeconds(absl::Duration delay) {
  const int64_t seconds = absl::ToInt64Seconds(absl::Ceil(delay, absl::Seconds(1)));
  return absl::StrCat(std::max<int64_t>(1, seconds));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::StatusOr<std::string> PercentDecode(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] != '%') {
      out.push_back(text[i]);
    } else {
      int hi = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      int lo = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("bad %-escape at byte ", i, " of the query"));
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    }
  }
  return out;
}


}  // namespace

std::string JsonEscape(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t length = DecodeUtf8(text.substr(i));
      if (length == 0) {
        out += "\\ufffd";
      } else {
        out.append(text.data() + i, length);
        i += length - 1;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          constexpr char kHex[] = "0123456789abcdef";
          absl::StrAppend(&out, "\\u00", absl::string_view(&kHex[c >> 4], 1),
                          absl::string_view(&kHex[c & 15], 1));
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

std::string HttpRequest::Header(absl::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

std::pair<absl::string_view, absl::string_view> SplitTarget(absl::string_view target) {
  size_t q = target.find('?');
  if (q == absl::string_view::npos) return {target, absl::string_view()};
  return {target.substr(0, q), target.substr(q + 1)};
}

absl::StatusOr<QueryParams> QueryParams::Parse(absl::string_view query) {
  QueryParams params;
  if (query.empty()) return params;
  for (absl::string_view part : absl::StrSplit(query, '&')) {
    if (params.params_.size() == kMaxParams) {
      return absl::InvalidArgumentError(
          absl::StrCat("query has more than ", kMaxParams, " parameters"));
    }
    if (part.size() > kMaxParamBytes) {
      return absl::InvalidArgumentError(absl::StrCat("query parameter is ", part.size(),
                                                     " bytes, want at most ", kMaxParamBytes));
    }
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(part, absl::MaxSplits('=', 1));
    absl::StatusOr<std::string> name = PercentDecode(kv.first);
    if (!name.ok()) return name.status();
    absl::StatusOr<std::string> value = PercentDecode(kv.second);
    if (!value.ok()) return value.status();
    if (name->empty()) return absl::InvalidArgumentError("query parameter with an empty name");
    if (!params.params_.emplace(*name, *value).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter \"", JsonEscape(*name), "\" given more than once"));
    }
  }
  return params;
}

absl::optional<std::string> QueryParams::Get(absl::string_view name) const {
  auto it = params_.find(name);
  if (it == params_.end()) return absl::nullopt;
  return it->second;
}

absl::StatusOr<bool> QueryParams::GetFlag(absl::string_view name) const {
  absl::optional<std::string> value = Get(name);
  if (!value.has_value() || *value == "0") return false;
  if (*value == "1") return true;
  return absl::InvalidArgumentError(
      absl::StrCat("query parameter \"", name, "\" must be 0 or 1"));
}

absl::Status QueryParams::CheckAllowed(std::initializer_list<absl::string_view> allowed) const {
  for (const auto& [name, value] : params_) {
    bool ok = false;
    for (absl::string_view a : allowed) ok = ok || a == name;
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown query parameter \"", JsonEscape(name), "\""));
    }
  }
  return absl::OkStatus();
}

int HttpStatusFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kFailedPrecondition: return 412;
    case absl::StatusCode::kResourceExhausted:
      return ledger::IsInsufficientStorage(status) ? 507 : 429;
    case absl::StatusCode::kUnavailable: return 503;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    default: return 500;
  }
}

HttpResponse ErrorResponse(int http_status, absl::string_view message) {
  HttpResponse response;
  response.status = http_status;
  response.content_type = "application/json";
  response.body = absl::StrCat("{\"error\":\"", JsonEscape(message), "\"}\n");
  if (IsRetryable(http_status)) {
    response.headers.emplace_back("Retry-After", RetryAfterSeconds(kDefaultRetryAfter));
  }
  return response;
}

HttpResponse ErrorResponse(const absl::Status& status) {
  HttpResponse response = ErrorResponse(HttpStatusFor(status), status.message());
  absl::optional<absl::Duration> delay = ledger::RetryAfter(status);
  if (delay.has_value() && IsRetryable(response.status)) {
    response.headers.back().second = RetryAfterSeconds(*delay);
  }
  return response;
}

HttpResponse UnauthorizedResponse(const absl::Status& status) {
  HttpResponse response = ErrorResponse(status);
  response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

HttpResponse MethodNotAllowedResponse(absl::string_view method, absl::string_view allowed) {
  HttpResponse response =
      ErrorResponse(405, absl::StrCat("method ", method, " not allowed; use ", allowed));
  response.headers.emplace_back("Allow", std::string(allowed));
  return response;
}

std::string BodyExcerpt(absl::string_view body, size_t max_bytes) {
  std::string out(absl::StripAsciiWhitespace(body.substr(0, max_bytes)));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

absl::Status StatusFromResponse(const HttpResponse& response) {
  std::string message =
      absl::StrCat("HTTP ", response.status, ": ", BodyExcerpt(response.body, 512));
  switch (response.status) {
    case 400: return absl::InvalidArgumentError(message);
    case 401: return absl::UnauthenticatedError(message);
    case 403: return absl::PermissionDeniedError(message);
    case 404: return absl::NotFoundError(message);
    case 409: return absl::AbortedError(message);
    case 412: return absl::FailedPreconditionError(message);
    case 413: return absl::InvalidArgumentError(message);
    case 429: return absl::ResourceExhaustedError(message);
    case 503: return absl::UnavailableError(message);
    case 507: return ledger::InsufficientStorageError(message);
    default: return absl::InternalError(message);
  }
}

absl::Status FetchError(absl::string_view target, const HttpResponse& response) {
  absl::Status status = StatusFromResponse(response);
  std::string message = absl::StrCat("GET ", target, ": ", status.message());
  if (response.status == 404) return absl::NotFoundError(message);
  return absl::UnavailableError(message);
}

}  // namespace api
}  // namespace vellum
