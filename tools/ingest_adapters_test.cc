#include "tools/ingest_adapters.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "api/ingest/internal/test_samples.h"
#include "gtest/gtest.h"

namespace vellum {
namespace cli {
namespace {

using api::HttpRequest;
using api::ingest::HmacBase64;
using api::ingest::HmacHex;
using api::ingest::SampleRequest;

constexpr char kOldSecret[] = "ingest-old-secret-3a9d-61c0f2b8e5a7d94c";
constexpr char kNewSecret[] = "ingest-new-secret-e47b-0d93a6f1c2b8e574";
constexpr const char* kSigningAdapters[] = {"mlflow", "databricks", "github"};

// The MLflow sample's X-MLflow-Timestamp, so that its delivery is within the clock skew.
const absl::Time kDeliveryTime = absl::FromUnixSeconds(1792030663);

// A fresh secrets folder for the running test, with no symlink in its path (so that messages
// name no resolved path).
std::string NewSecretsDir() {
  std::unique_ptr<char, decltype(&free)> base(realpath(::testing::TempDir().c_str(), nullptr),
                                              &free);
  EXPECT_NE(base, nullptr);
  const std::string dir = absl::StrCat(
      base.get(), "/", ::testing::UnitTest::GetInstance()->current_test_info()->name());
  mkdir(dir.c_str(), 0700);
  return dir;
}

void WriteSecretFile(const std::string& dir, absl::string_view name, absl::string_view contents,
                     mode_t mode = 0600) {
  const std::string path = absl::StrCat(dir, "/", name);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << contents;
  ASSERT_EQ(chmod(path.c_str(), mode), 0) << path;
}

absl::StatusOr<IngestAdapters> Load(const std::string& dir) {
  return LoadIngestAdapters(dir, "test-cluster", api::ingest::DefaultK8sResourceRules());
}

// A sample delivery for the signing adapter `name`, signed with `secret` as its source would.
HttpRequest SignedDelivery(absl::string_view name, absl::string_view secret) {
  if (name == "mlflow") {
    HttpRequest request = SampleRequest("mlflow-model-version-alias-created.headers",
                                        "mlflow-model-version-alias-created.json");
    request.headers["x-mlflow-signature"] = absl::StrCat(
        "v1,", HmacBase64(secret, absl::StrCat(request.headers["x-mlflow-delivery-id"], ".",
                                               request.headers["x-mlflow-timestamp"], ".",
                                               request.body)));
    return request;
  }
  if (name == "databricks") {
    HttpRequest request = SampleRequest("", "databricks-transition-request-created.json");
    request.headers["x-databricks-signature"] = HmacHex(secret, request.body);
    return request;
  }
  HttpRequest request =
      SampleRequest("github-deployment-status.headers", "github-deployment-status.json");
  request.headers["x-hub-signature-256"] = "sha256=" + HmacHex(secret, request.body);
  return request;
}

const api::ingest::Adapter* Find(const IngestAdapters& adapters, absl::string_view name) {
  for (const auto& adapter : adapters.enabled) {
    if (adapter->name() == name) return adapter.get();
  }
  ADD_FAILURE() << name << " is not enabled";
  return nullptr;
}

void ExpectNoSecretIn(absl::string_view text) {
  for (absl::string_view secret : {kOldSecret, kNewSecret}) {
    EXPECT_FALSE(absl::StrContains(text, secret)) << text;
  }
}

TEST(LoadIngestAdaptersTest, TwoLinesAcceptEitherSecretUntilTheOldOneIsRemoved) {
  const std::string dir = NewSecretsDir();
  for (const char* name : kSigningAdapters) {
    // Surrounding whitespace, CRLF and blank lines are not part of the secrets.
    WriteSecretFile(dir, name, absl::StrCat("  ", kOldSecret, "\r\n\n\t", kNewSecret, " \n"));
  }
  absl::StatusOr<IngestAdapters> both = Load(dir);
  ASSERT_TRUE(both.ok()) << both.status();
  for (const char* name : kSigningAdapters) {
    const api::ingest::Adapter* adapter = Find(*both, name);
    ASSERT_NE(adapter, nullptr);
    for (const char* secret : {kOldSecret, kNewSecret}) {
      auto result = adapter->Parse(SignedDelivery(name, secret), kDeliveryTime);
      EXPECT_TRUE(result.ok()) << name << " signed with " << secret << ": " << result.status();
      api::ingest::ExpectNoLeak(result, {kOldSecret, kNewSecret});
    }
    EXPECT_EQ(adapter->Parse(SignedDelivery(name, "ingest-unknown-secret"), kDeliveryTime)
                  .status()
                  .code(),
              absl::StatusCode::kUnauthenticated)
        << name;
  }
  const std::string lines = absl::StrJoin(both->startup_lines, "\n");
  EXPECT_TRUE(absl::StrContains(
      lines, "ingest: /v1/ingest/github enabled (signature checked with any of its 2 secrets)"))
      << lines;
  ExpectNoSecretIn(lines);

  // The sender has switched: the old line is removed and the configuration loaded again.
  for (const char* name : kSigningAdapters) {
    WriteSecretFile(dir, name, absl::StrCat(kNewSecret, "\n"));
  }
  absl::StatusOr<IngestAdapters> only_new = Load(dir);
  ASSERT_TRUE(only_new.ok()) << only_new.status();
  for (const char* name : kSigningAdapters) {
    const api::ingest::Adapter* adapter = Find(*only_new, name);
    ASSERT_NE(adapter, nullptr);
    EXPECT_TRUE(adapter->Parse(SignedDelivery(name, kNewSecret), kDeliveryTime).ok()) << name;
    auto old = adapter->Parse(SignedDelivery(name, kOldSecret), kDeliveryTime);
    EXPECT_EQ(old.status().code(), absl::StatusCode::kUnauthenticated) << name;
    EXPECT_TRUE(absl::StrContains(old.status().message(),
                                  "does not match the delivery under the configured secret"))
        << old.status();
    api::ingest::ExpectNoLeak(old, {kOldSecret, kNewSecret});
  }
  EXPECT_TRUE(absl::StrContains(absl::StrJoin(only_new->startup_lines, "\n"),
                                "ingest: /v1/ingest/github enabled (signature checked with its "
                                "secret)"));
}

TEST(LoadIngestAdaptersTest, RefusesAThirdSecretNamingTheFileAndTheCount) {
  const std::string dir = NewSecretsDir();
  WriteSecretFile(dir, "databricks",
                  absl::StrCat(kOldSecret, "\n", kNewSecret,
                               "\ningest-third-secret-0f-9c4e1a7b3d2f8e60\n"));
  absl::StatusOr<IngestAdapters> adapters = Load(dir);
  EXPECT_EQ(adapters.status(),
            absl::InvalidArgumentError(absl::StrCat(
                "ingest secret ", dir,
                "/databricks: databricks: got 3 webhook secrets, want 1 to 2")));
  ExpectNoSecretIn(adapters.status().message());
  EXPECT_FALSE(absl::StrContains(adapters.status().message(), "ingest-third-secret-0f"));
}

TEST(LoadIngestAdaptersTest, RefusesASecretUnder32BytesNamingTheLineAndTheCounts) {
  const std::string dir = NewSecretsDir();
  WriteSecretFile(dir, "github", absl::StrCat(kNewSecret, "\n\nshort-github-secret\n"));
  absl::StatusOr<IngestAdapters> adapters = Load(dir);
  EXPECT_EQ(adapters.status(),
            absl::InvalidArgumentError(absl::StrCat(
                "ingest secret ", dir, "/github line 3: got 19 bytes, want at least 32 (256 "
                "bits; vellum keygen --token makes one)")));
  EXPECT_FALSE(absl::StrContains(adapters.status().message(), "short-github-secret"));
  ExpectNoSecretIn(adapters.status().message());
}

TEST(LoadIngestAdaptersTest, RefusesASecretOthersCanReadWithTheChmod) {
  const std::string dir = NewSecretsDir();
  WriteSecretFile(dir, "mlflow", absl::StrCat(kNewSecret, "\n"), 0644);
  EXPECT_EQ(Load(dir).status(),
            absl::FailedPreconditionError(
                absl::StrCat("ingest secret ", dir, "/mlflow has mode 0644, want no group or "
                             "other access: chmod 600 ", dir, "/mlflow")));
}

TEST(LoadIngestAdaptersTest, KeepsTheRulesForMissingAndEmptyFiles) {
  const std::string dir = NewSecretsDir();
  WriteSecretFile(dir, "github", absl::StrCat(kNewSecret, "\n"));
  absl::StatusOr<IngestAdapters> adapters = Load(dir);
  ASSERT_TRUE(adapters.ok()) << adapters.status();
  EXPECT_EQ(adapters->disabled.at("mlflow"), absl::StrCat("no secret file ", dir, "/mlflow"));
  EXPECT_EQ(adapters->disabled.at("databricks"),
            absl::StrCat("no secret file ", dir, "/databricks"));
  EXPECT_EQ(adapters->disabled.count("github"), 0u);
  ExpectNoSecretIn(absl::StrJoin(adapters->startup_lines, "\n"));

  WriteSecretFile(dir, "mlflow", " \n\r\n\t\n");
  EXPECT_EQ(Load(dir).status(),
            absl::InvalidArgumentError(absl::StrCat("ingest secret ", dir, "/mlflow is empty")));
}

}  // namespace
}  // namespace cli
}  // namespace vellum
