#include "tools/vellumd_runtime.h"

#include <sys/stat.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/file_io.h"

namespace vellum {
namespace cli {
namespace {

TEST(CheckReloadableTest, AuthMayChangeTheRestNeedsARestart) {
  api::config::Config running;
  running.set_listen("127.0.0.1:8443");
  running.set_data_dir("/d");
  running.mutable_auth()->set_token_file("/t");
  running.add_bindings()->set_group("g");
  api::config::Config next = running;
  EXPECT_TRUE(CheckReloadable(running, next).ok());
  next.mutable_auth()->set_token_file("/t2");
  next.add_anonymous("log.read");
  (*next.mutable_roles())["r"];
  next.clear_bindings();
  next.set_policy_file("/etc/vellum/policy.yaml");
  EXPECT_TRUE(CheckReloadable(running, next).ok());

  api::config::Config moved = running;
  moved.set_listen("127.0.0.1:9443");
  EXPECT_EQ(CheckReloadable(running, moved),
            absl::FailedPreconditionError("listen changed: restart vellumd to apply it"));
  moved = running;
  moved.mutable_tls()->set_cert_file("/c");
  EXPECT_EQ(CheckReloadable(running, moved).message(), "tls changed: restart vellumd to apply it");
  moved = running;
  // The denial log's limits are fixed when the server starts.
  moved.mutable_audit()->set_denied_burst(5);
  EXPECT_EQ(CheckReloadable(running, moved).message(), "audit changed: restart vellumd to apply it");
  moved = running;
  moved.mutable_http()->set_threads(3);
  EXPECT_EQ(CheckReloadable(running, moved).message(), "http changed: restart vellumd to apply it");
  moved = running;
  moved.mutable_ingest()->set_secrets_dir("/s");
  EXPECT_EQ(CheckReloadable(running, moved).message(),
            "ingest changed: restart vellumd to apply it");
}

TEST(TlsFromConfigTest, NoneWithoutACertificateAndNoClientCaAlone) {
  api::config::Tls tls;
  auto none = TlsFromConfig(tls);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr);
  tls.set_client_ca_file("/ca.crt");
  EXPECT_EQ(TlsFromConfig(tls).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CheckSecretFilesTest, EachSecretFileOthersCanReadIsRefusedWithTheChmod) {
  std::unique_ptr<char, decltype(&free)> base(realpath(::testing::TempDir().c_str(), nullptr),
                                              &free);
  ASSERT_NE(base, nullptr);
  const std::string dir = absl::StrCat(base.get(), "/secret-files");
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  api::config::Config config;
  EXPECT_EQ(CheckSecretFiles(config), absl::OkStatus());
  const std::string tokens = dir + "/tokens", jwks_token = dir + "/jwks.token",
                    key = dir + "/tls.key";
  for (const std::string& path : {tokens, jwks_token, key}) {
    ASSERT_TRUE(ledger::WriteNewFile(path, "secret\n", 0600).ok()) << path;
  }
  config.mutable_auth()->set_token_file(tokens);
  config.mutable_auth()->add_oidc();
  config.mutable_auth()->add_oidc()->set_jwks_token_file(jwks_token);
  config.mutable_tls()->set_key_file(key);
  EXPECT_EQ(CheckSecretFiles(config), absl::OkStatus());
  const std::pair<const char*, std::string> files[] = {
      {"auth.token_file", tokens}, {"auth.oidc[1].jwks_token_file", jwks_token},
      {"tls.key_file", key}};
  for (const auto& [what, path] : files) {
    ASSERT_EQ(chmod(path.c_str(), 0644), 0);
    EXPECT_EQ(CheckSecretFiles(config),
              absl::FailedPreconditionError(absl::StrCat(
                  what, " ", path, " has mode 0644, want no group or other access: chmod 600 ",
                  path)));
    ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  }
  EXPECT_EQ(CheckSecretFiles(config), absl::OkStatus());
}

TEST(DenialOptionsOfTest, DefaultsAndKeys) {
  api::config::Audit audit;
  ledger::identity::DenialLog::Options defaults = DenialOptionsOf(audit);
  EXPECT_EQ(defaults.burst, 20);
  EXPECT_EQ(defaults.summary_interval, absl::Seconds(60));
  audit.set_denied_burst(3);
  audit.set_denied_per_second(0.5);
  audit.set_summary_interval_seconds(10);
  ledger::identity::DenialLog::Options set = DenialOptionsOf(audit);
  EXPECT_EQ(set.burst, 3);
  EXPECT_EQ(set.per_second, 0.5);
  EXPECT_EQ(set.summary_interval, absl::Seconds(10));
}

}  // namespace
}  // namespace cli
}  // namespace vellum
