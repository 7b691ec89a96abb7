#include "api/events/event_query.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "api/http.h"
#include "ledger/events/event_codec.h"
#include "proof/decimal.h"
#include "proof/utf8.h"

namespace vellum {
namespace api {
namespace {

absl::StatusOr<absl::optional<std::string>> StringParam(const QueryParams& params,
                                                        absl::string_view name) {
  absl::optional<std::string> value = params.Get(name);
  if (!value.has_value()) return value;
  if (value->empty() || value->size() > ledger::kMaxEventStringBytes ||
      !IsValidUtf8(*value)) {
    return absl::InvalidArgumentError(absl::StrCat("query parameter \"", name, "\" is ",
                                                   value->size(), " bytes, want 1 to ",
                                                   ledger::kMaxEventStringBytes, " of UTF-8"));
  }
  return value;
}

absl::StatusOr<absl::optional<int64_t>> TimeParam(const QueryParams& params,
                                                  absl::string_view name) {
  absl::optional<std::string> value = params.Get(name);
  if (!value.has_value()) return absl::optional<int64_t>();
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, *value, &time, &error) ||
      time < absl::FromCivil(absl::CivilSecond(1, 1, 1), absl::UTCTimeZone()) ||
      time >= absl::FromCivil(absl::CivilSecond(10000, 1, 1), absl::UTCTimeZone())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "query parameter \"", name,
        "\" is not an RFC 3339 time in the years 1 to 9999 (like 2024-05-01T12:00:00Z)"));
  }
  return absl::ToUnixMicros(time);
}

// An enum value as people type it (ledger::ParseActionName), by `parse`.
template <typename Enum>
absl::StatusOr<absl::optional<uint32_t>> EnumParam(
    const QueryParams& params, absl::string_view name,
    absl::optional<Enum> (*parse)(absl::string_view), absl::string_view prefix,
    absl::string_view example) {
  absl::optional<std::string> value = params.Get(name);
  if (!value.has_value()) return absl::optional<uint32_t>();
  absl::optional<Enum> parsed = parse(*value);
  if (!parsed.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("query parameter \"", name, "\" must be an ",
                                                   name, " like ", example, " or ", prefix,
                                                   absl::AsciiStrToUpper(example)));
  }
  return static_cast<uint32_t>(*parsed);
}

}  // namespace

absl::StatusOr<ledger::EventSearchRequest> ParseEventSearch(absl::string_view query) {
  absl::StatusOr<QueryParams> params = QueryParams::Parse(query);
  if (!params.ok()) return params.status();
  if (absl::Status s = params->CheckAllowed({"actor", "principal", "model", "version", "action", "outcome",
                                             "since", "until", "limit", "page_token", "order",
                                             "proof"});
      !s.ok()) {
    return s;
  }
  ledger::EventSearchRequest request;
  ledger::EventQuery& q = request.query;
  for (auto [name, field] : {std::pair<const char*, absl::optional<std::string>*>{"actor", &q.actor},
                             {"principal", &q.principal},
                             {"model", &q.model},
                             {"version", &q.version}}) {
    absl::StatusOr<absl::optional<std::string>> value = StringParam(*params, name);
    if (!value.ok()) return value.status();
    *field = *std::move(value);
  }
  if (q.version.has_value() && !q.model.has_value()) {
    return absl::InvalidArgumentError("query parameter \"version\" needs \"model\"");
  }
  absl::StatusOr<absl::optional<uint32_t>> action =
      EnumParam<ledger::Action>(*params, "action", ledger::ParseActionName, "ACTION_", "deploy");
  if (!action.ok()) return action.status();
  q.action = *action;
  absl::StatusOr<absl::optional<uint32_t>> outcome = EnumParam<ledger::Outcome::Result>(
      *params, "outcome", ledger::ParseResultName, "RESULT_", "denied");
  if (!outcome.ok()) return outcome.status();
  q.outcome = *outcome;
  absl::StatusOr<absl::optional<int64_t>> since = TimeParam(*params, "since");
  if (!since.ok()) return since.status();
  absl::StatusOr<absl::optional<int64_t>> until = TimeParam(*params, "until");
  if (!until.ok()) return until.status();
  if (since->has_value() && until->has_value() && **since >= **until) {
    return absl::InvalidArgumentError("query parameter \"since\" must be before \"until\"");
  }
  q.since_micros = *since;
  q.until_micros = *until;
  q.limit = kDefaultEventSearchLimit;
  if (absl::optional<std::string> limit = params->Get("limit"); limit.has_value()) {
    absl::StatusOr<uint64_t> n = ParseDecimal(*limit, "limit");
    if (!n.ok()) return n.status();
    if (*n == 0 || *n > kMaxEventSearchLimit) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter \"limit\" is ", *n, ", want 1 to ", kMaxEventSearchLimit));
    }
    q.limit = *n;
  }
  if (absl::optional<std::string> token = params->Get("page_token"); token.has_value()) {
    absl::StatusOr<uint64_t> cursor = ParseDecimal(*token, "page_token");
    if (!cursor.ok()) return cursor.status();
    request.cursor = *cursor;
  }
  const absl::optional<std::string> order = params->Get("order");
  if (order.has_value() && *order != "newest" && *order != "oldest") {
    return absl::InvalidArgumentError("query parameter \"order\" must be newest or oldest");
  }
  q.newest_first = order != "oldest";
  const absl::optional<std::string> proof = params->Get("proof");
  if (proof.has_value() && *proof != "0" && *proof != "1") {
    return absl::InvalidArgumentError("query parameter \"proof\" must be 0 or 1");
  }
  request.proof = proof == "1";
  return request;
}

std::string DescribeSearch(const ledger::EventSearchRequest& request) {
  const ledger::EventQuery& q = request.query;
  std::vector<std::string> parts;
  for (auto [name, value] : {std::pair<const char*, const absl::optional<std::string>*>{
                                 "actor", &q.actor},
                             {"principal", &q.principal},
                             {"model", &q.model},
                             {"version", &q.version}}) {
    if (value->has_value()) parts.push_back(absl::StrCat(name, "=", **value));
  }
  if (q.action.has_value()) {
    parts.push_back(absl::StrCat("action=", ledger::Action_Name(*q.action)));
  }
  if (q.outcome.has_value()) {
    parts.push_back(absl::StrCat("outcome=", ledger::Outcome::Result_Name(*q.outcome)));
  }
  if (q.since_micros.has_value()) parts.push_back(absl::StrCat("since=", *q.since_micros));
  if (q.until_micros.has_value()) parts.push_back(absl::StrCat("until=", *q.until_micros));
  parts.push_back(absl::StrCat("order=", q.newest_first ? "newest" : "oldest"));
  parts.push_back(absl::StrCat("limit=", q.limit));
  if (request.cursor.has_value()) parts.push_back(absl::StrCat("page_token=", *request.cursor));
  return absl::StrJoin(parts, "&");
}

}  // namespace api
}  // namespace vellum
