#include "tools/server_client.h"

#include <cstdint>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "api/events/event_search_client.h"
#include "api/http.h"
#include "ledger/file_io.h"
#include "tools/command_support.h"

namespace vellum {
namespace cli {

std::string PercentEncode(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      absl::StrAppend(&out, "%", absl::StrFormat("%02X", static_cast<uint8_t>(c)));
    }
  }
  return out;
}

absl::StatusOr<ServerClient> ServerClient::Open(const CommandLine& line) {
  absl::StatusOr<std::string> url = line.Require("server");
  if (!url.ok()) return url.status();
  absl::StatusOr<std::string> token = ledger::ReadTokenFile(line.Get("token-file"));
  if (!token.ok()) return token.status();
  absl::StatusOr<std::unique_ptr<api::HttpClient>> client =
      api::HttpClient::Create(*url, ClientFlags(line));
  if (!client.ok()) {
    return absl::Status(client.status().code(),
                        absl::StrCat("--server: ", client.status().message()));
  }
  ServerClient out;
  out.client_ = *std::move(client);
  if (!token->empty()) out.headers_.emplace_back("Authorization", absl::StrCat("Bearer ", *token));
  return out;
}

absl::StatusOr<api::HttpResponse> ServerClient::Send(absl::string_view method,
                                                     absl::string_view target,
                                                     absl::string_view body,
                                                     absl::string_view content_type) const {
  std::vector<std::pair<std::string, std::string>> headers = headers_;
  if (!content_type.empty()) headers.emplace_back("Content-Type", std::string(content_type));
  return client_->Send(std::string(method), std::string(target), std::string(body), headers);
}

absl::StatusOr<api::EventSearchResponse> ServerClient::SearchPage(
    const std::string& target) const {
  absl::StatusOr<api::HttpResponse> response = Send("GET", target);
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    const absl::Status refused = api::StatusFromResponse(*response);
    return absl::Status(refused.code(),
                        absl::StrCat("the server refused the search: ", refused.message()));
  }
  absl::StatusOr<api::EventSearchResponse> page = api::ParseEventSearchResponse(response->body);
  if (!page.ok()) return absl::DataLossError(page.status().message());
  return page;
}

int FailSearch(absl::string_view command, const absl::Status& status) {
  std::cerr << "vellum " << command << ": " << status.message() << "\n";
  return absl::IsDataLoss(status) ? kInvalid : kUsage;
}

}  // namespace cli
}  // namespace vellum
