#include "api/ingest/internal/test_samples.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "ledger/events/event_codec.h"
#include "proof/crypto.h"

namespace vellum {
namespace api {
namespace ingest {

std::string ReadSample(absl::string_view name) {
  const std::string path = absl::StrCat("testdata/events/", name);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

HttpRequest SampleRequest(absl::string_view headers_file, absl::string_view body_file) {
  HttpRequest request;
  request.method = "POST";
  request.remote_address = "192.0.2.10";
  request.body = ReadSample(body_file);
  if (headers_file.empty()) return request;
  for (absl::string_view line : absl::StrSplit(ReadSample(headers_file), '\n')) {
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    request.headers[absl::AsciiStrToLower(line.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return request;
}

std::string HmacHex(absl::string_view secret, absl::string_view data) {
  const crypto::Sha256Digest mac = crypto::HmacSha256(secret, data);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

std::string HmacBase64(absl::string_view secret, absl::string_view data) {
  const crypto::Sha256Digest mac = crypto::HmacSha256(secret, data);
  return absl::Base64Escape(
      absl::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

void ExpectNoLeak(const absl::StatusOr<std::vector<ledger::AuditEvent>>& result,
                  std::initializer_list<absl::string_view> secrets) {
  std::vector<std::string> places;
  if (!result.ok()) {
    places.push_back(std::string(result.status().message()));
  } else {
    for (const ledger::AuditEvent& event : *result) {
      absl::StatusOr<std::string> entry = ledger::EncodeEntry(event);
      ASSERT_TRUE(entry.ok()) << entry.status();
      places.push_back(*entry);
      absl::StatusOr<std::string> json = ledger::EventToJson(event);
      ASSERT_TRUE(json.ok()) << json.status();
      places.push_back(*json);
    }
  }
  for (absl::string_view secret : secrets) {
    ASSERT_FALSE(secret.empty());
    for (const std::string& place : places) {
      EXPECT_FALSE(absl::StrContains(place, secret))
          << "\"" << absl::CEscape(secret) << "\" leaked into: " << absl::CEscape(place);
    }
  }
}

ledger::AuditEvent SingleEvent(const absl::StatusOr<std::vector<ledger::AuditEvent>>& result) {
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok()) return ledger::AuditEvent();
  EXPECT_EQ(result->size(), 1u);
  return result->size() == 1 ? result->front() : ledger::AuditEvent();
}

}  // namespace ingest
}  // namespace api
}  // namespace vellum
