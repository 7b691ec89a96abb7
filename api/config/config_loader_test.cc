#include "api/config/config_loader.h"

#include <sys/stat.h>

#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "proof/crypto.h"

namespace vellum {
namespace api {
namespace config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// The example of issue 11 ("One configuration file"), as written there.
constexpr char kExample[] = R"(listen: 127.0.0.1:8443
tls: {cert_file: server.crt, key_file: server.key}
auth:
  token_file: tokens.txt
  oidc:
    - issuer: https://idp.example.com
      audiences: [vellum]
      jwks_file: idp-jwks.json
      algorithms: [RS256]
      groups_claim: groups
roles:
  writer: [events.write, entries.append]
  auditor: [events.read, log.read, entries.read]
bindings:
  - {group: ml-writers, roles: [writer]}
  - {group: ml-auditors, roles: [auditor]}
  - {principal: ci-deployer, roles: [writer]}
anonymous: [log.read]
)";

constexpr char kBase[] = "/etc/vellum";

std::string TempFolder(const std::string& name) {
  std::string dir = absl::StrCat(::testing::TempDir(), "/", name);
  mkdir(dir.c_str(), 0700);
  return dir;
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  ASSERT_TRUE(out.good()) << path;
}

// Parses `yaml` and expects InvalidArgument with exactly `message`.
void ExpectError(const std::string& yaml, const std::string& message) {
  absl::StatusOr<Config> config = ParseConfig(yaml, kBase);
  ASSERT_FALSE(config.ok()) << yaml;
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument) << yaml;
  EXPECT_EQ(config.status().message(), message) << yaml;
}

void ExpectParses(const std::string& yaml) {
  absl::StatusOr<Config> config = ParseConfig(yaml, kBase);
  EXPECT_TRUE(config.ok()) << yaml << "\n" << config.status();
}

TEST(ConfigLoaderTest, TheIssueExampleParsesAsWritten) {
  const std::string dir = TempFolder("example");
  absl::StatusOr<Config> config = ParseConfig(kExample, dir);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen(), "127.0.0.1:8443");
  EXPECT_EQ(config->tls().cert_file(), dir + "/server.crt");
  EXPECT_EQ(config->tls().key_file(), dir + "/server.key");
  EXPECT_EQ(config->auth().token_file(), dir + "/tokens.txt");
  ASSERT_EQ(config->auth().oidc_size(), 1);
  const OidcIssuer& oidc = config->auth().oidc(0);
  EXPECT_EQ(oidc.issuer(), "https://idp.example.com");
  EXPECT_THAT(oidc.audiences(), ElementsAre("vellum"));
  EXPECT_EQ(oidc.jwks_file(), dir + "/idp-jwks.json");
  EXPECT_THAT(oidc.algorithms(), ElementsAre("RS256"));
  EXPECT_EQ(oidc.groups_claim(), "groups");
  EXPECT_FALSE(oidc.has_leeway_seconds());
  EXPECT_FALSE(oidc.has_principal_prefix());
  ASSERT_EQ(config->roles().count("writer"), 1u);
  const auto& writer = config->roles().at("writer");
  ASSERT_EQ(writer.values_size(), 2);
  EXPECT_EQ(writer.values(0).string_value(), "events.write");
  EXPECT_EQ(writer.values(1).string_value(), "entries.append");
  EXPECT_EQ(config->roles().at("auditor").values_size(), 3);
  ASSERT_EQ(config->bindings_size(), 3);
  EXPECT_EQ(config->bindings(0).group(), "ml-writers");
  EXPECT_THAT(config->bindings(0).roles(), ElementsAre("writer"));
  EXPECT_EQ(config->bindings(2).principal(), "ci-deployer");
  EXPECT_THAT(config->anonymous(), ElementsAre("log.read"));
}

TEST(ConfigLoaderTest, EveryFieldType) {
  absl::StatusOr<Config> config = ParseConfig(R"(
data_dir: /var/lib/vellum
insecure_plaintext: true
auth:
  oidc:
    - issuer: https://k8s.example
      audiences: [vellum, other]
      jwks_uri: https://k8s.example/openid/v1/jwks
      jwks_ca_file: ca.pem
      jwks_token_file: ./sa-token
      algorithms: [ES256, EdDSA]
      principal_prefix: ""
      leeway_seconds: 300
      kubernetes: true
  mfa: {amr: [mfa, hwk], acr: [phr]}
separation_of_duties:
  - name: produce-vs-manage
    sets: [[events.write], [erasure, holds.admin]]
sequencer: {max_batch_entries: 1, max_batch_delay_us: 0}
http: {threads: 64, tile_cache_mib: 4294967295}
witnessing:
  witnesses: [{url: "http://w.example", vkey: "w+1+AAAA"}]
  quorum: 1
  interval_ms: 1
ingest: {secrets_dir: secrets, k8s_cluster: prod, k8s_resources_file: /abs/rules}
audit: {denied_burst: 1, denied_per_second: 0.5, summary_interval_seconds: 1}
)",
                                              kBase);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->insecure_plaintext());
  const OidcIssuer& oidc = config->auth().oidc(0);
  EXPECT_EQ(oidc.jwks_ca_file(), "/etc/vellum/ca.pem");
  EXPECT_EQ(oidc.jwks_token_file(), "/etc/vellum/sa-token");
  EXPECT_TRUE(oidc.has_principal_prefix());
  EXPECT_EQ(oidc.principal_prefix(), "");
  EXPECT_EQ(oidc.leeway_seconds(), 300u);
  EXPECT_TRUE(oidc.kubernetes());
  EXPECT_THAT(config->auth().mfa().amr(), ElementsAre("mfa", "hwk"));
  ASSERT_EQ(config->separation_of_duties(0).sets_size(), 2);
  EXPECT_EQ(config->separation_of_duties(0).sets(1).values(1).string_value(), "holds.admin");
  EXPECT_TRUE(config->sequencer().has_max_batch_delay_us());
  EXPECT_EQ(config->http().tile_cache_mib(), 4294967295u);
  EXPECT_EQ(config->witnessing().witnesses(0).vkey(), "w+1+AAAA");
  EXPECT_EQ(config->ingest().secrets_dir(), "/etc/vellum/secrets");
  EXPECT_EQ(config->ingest().k8s_resources_file(), "/abs/rules");
  EXPECT_EQ(config->data_dir(), "/var/lib/vellum");
  EXPECT_DOUBLE_EQ(config->audit().denied_per_second(), 0.5);
}

TEST(ConfigLoaderTest, UnknownKeysAndWrongTypesNameThePathAndLine) {
  ExpectError("listen: 127.0.0.1:1\nlistn: x\n",
              "listn (line 2): unknown key; want one of listen, data_dir, tls, "
              "insecure_plaintext, auth, roles, bindings, anonymous, separation_of_duties, "
              "signer_key, origin, sequencer, http, witnessing, ingest, audit, clock, quotas, "
              "privacy, policy_file, gate");
  ExpectError("auth:\n  tokens: x\n",
              "auth.tokens (line 2): unknown key; want one of token_file, oidc, mfa");
  ExpectError(absl::StrReplaceAll(kExample, {{"audiences: [vellum]", "audiences: {a: b}"}}),
              "auth.oidc[0].audiences (line 7): want a list of strings, got a map");
  ExpectError("- listen\n", "the configuration (line 1): want a map, got a list");
  ExpectError("tls:\n", "tls (line 1): want a map, got nothing (null)");
  ExpectError("tls: [a]\n", "tls (line 1): want a map, got a list");
  ExpectError("anonymous: log.read\n",
              "anonymous (line 1): want a list of strings, got \"log.read\"");
  ExpectError("anonymous: [[log.read]]\n", "anonymous[0] (line 1): want a string, got a list");
  ExpectError("bindings: {group: g}\n", "bindings (line 1): want a list of maps, got a map");
  ExpectError("roles: [a]\n", "roles (line 1): want a map, got a list");
  ExpectError("roles:\n  w: [a, {b: c}]\n", "roles.w[1] (line 2): want a string, got a map");
  ExpectError("roles: {w: a}\n", "roles.w (line 1): want a list of strings, got \"a\"");
  ExpectError("separation_of_duties: [{name: x, sets: [a, b]}]\n",
              "separation_of_duties[0].sets[0] (line 1): want a list of strings, got \"a\"");
  ExpectError("listen: [a]\n", "listen (line 1): want a string, got a list");
  ExpectError("insecure_plaintext: yes\n",
              "insecure_plaintext (line 1): want true or false, got \"yes\"");
  ExpectError("insecure_plaintext: \"true\"\n",
              "insecure_plaintext (line 1): want true or false, got the string \"true\"");
  ExpectError("http: {threads: '4'}\n",
              "http.threads (line 1): want a whole number from 0 to 4294967295, got the string "
              "\"4\"");
  ExpectError("audit: {denied_per_second: fast}\n",
              "audit.denied_per_second (line 1): want a number, got \"fast\"");
  ExpectError("audit: {denied_per_second: .nan}\n",
              "audit.denied_per_second (line 1): want a number, got \".nan\"");
}

TEST(ConfigLoaderTest, Uint32Range) {
  ExpectParses("http: {tile_cache_mib: 4294967295}\n");
  ExpectError("http: {tile_cache_mib: 4294967296}\n",
              "http.tile_cache_mib (line 1): want a whole number from 0 to 4294967295, got "
              "\"4294967296\"");
  ExpectError("http: {tile_cache_mib: -1}\n",
              "http.tile_cache_mib (line 1): want a whole number from 0 to 4294967295, got "
              "\"-1\"");
  ExpectError("http: {tile_cache_mib: 1.5}\n",
              "http.tile_cache_mib (line 1): want a whole number from 0 to 4294967295, got "
              "\"1.5\"");
}

TEST(ConfigLoaderTest, YamlRefusalsPassThrough) {
  ExpectError("roles:\n  a: &p [log.read]\n  b: *p\n",
              "line 2: YAML anchors (&name) are not accepted");
  ExpectError("listen: a\nlisten: b\n", "line 2: duplicate key listen (first on line 1)");
  ExpectError("listen: !!str 127.0.0.1:1\n", "line 1: YAML tags are not accepted, got !tag:yaml.org,2002:str");
  ExpectError("", "empty YAML input, want one document");
  ExpectError(std::string(kMaxConfigBytes + 1, '#'),
              absl::StrCat("YAML input of ", kMaxConfigBytes + 1, " bytes, want at most ",
                           kMaxConfigBytes));
  absl::StatusOr<Config> relative = ParseConfig("listen: 127.0.0.1:1\n", "etc");
  EXPECT_EQ(relative.status().message(), "configuration folder \"etc\" is not absolute");
}

TEST(ConfigLoaderTest, Listen) {
  ExpectParses("listen: 127.0.0.1:65535\n");
  ExpectParses("listen: 127.0.0.1:0\n");
  ExpectParses("listen: \"[::1]:8443\"\n");
  ExpectParses("listen: localhost:8443\n");
  ExpectError("listen: 127.0.0.1:65536\n",
              "listen (line 1): want HOST:PORT (a port from 0 to 65535), got \"127.0.0.1:65536\"");
  ExpectError("listen: localhost\n",
              "listen (line 1): want HOST:PORT (no port), got \"localhost\"");
  ExpectError("listen: \":8443\"\n", "listen (line 1): want HOST:PORT (no host), got \":8443\"");
  ExpectError("listen: \"::1:8443\"\n",
              "listen (line 1): want HOST:PORT (an IPv6 host goes in brackets), got \"::1:8443\"");
  ExpectError("listen: \"[::1:8443\"\n",
              "listen (line 1): want HOST:PORT (an unclosed [), got \"[::1:8443\"");
  ExpectError("listen: \"127.0.0.1:08\"\n",
              "listen (line 1): want HOST:PORT (a port from 0 to 65535), got \"127.0.0.1:08\"");
}

TEST(ConfigLoaderTest, Tls) {
  ExpectParses("tls: {}\n");
  ExpectParses("tls: {cert_file: c, key_file: k, client_ca_file: ca, require_client_cert: true}\n");
  ExpectError("tls: {cert_file: c}\n",
              "tls (line 1): want both cert_file and key_file or neither, got only cert_file");
  ExpectError("tls:\n  key_file: k\n",
              "tls (line 1): want both cert_file and key_file or neither, got only key_file");
  ExpectError("tls: {cert_file: c, key_file: k, require_client_cert: true}\n",
              "tls.require_client_cert (line 1): needs tls.client_ca_file");
  ExpectError("tls: {client_ca_file: ca}\n",
              "tls.client_ca_file (line 1): needs tls.cert_file and tls.key_file");
}

std::string Issuer(const std::string& fields) {
  return absl::StrCat("auth:\n  oidc:\n    - issuer: https://idp\n", fields);
}

TEST(ConfigLoaderTest, OidcIssuers) {
  const std::string ok = "      audiences: [v]\n      jwks_file: j\n";
  ExpectParses(Issuer(ok));
  ExpectParses(Issuer(ok + "      leeway_seconds: 300\n"));
  ExpectError(Issuer(ok + "      leeway_seconds: 301\n"),
              "auth.oidc[0].leeway_seconds (line 6): got 301, want at most 300");
  ExpectError("auth:\n  oidc:\n    - {audiences: [v], jwks_file: j}\n",
              "auth.oidc[0].issuer: want the issuer's iss value, got nothing");
  ExpectError("auth:\n  oidc:\n    - {issuer: '', audiences: [v], jwks_file: j}\n",
              "auth.oidc[0].issuer (line 3): want the issuer's iss value, got nothing");
  ExpectError(Issuer("      jwks_file: j\n"),
              "auth.oidc[0].audiences: want at least one audience, got none");
  ExpectError(Issuer("      audiences: ['']\n      jwks_file: j\n"),
              "auth.oidc[0].audiences[0] (line 4): want a non-empty string, got \"\"");
  ExpectError(Issuer("      audiences: [v]\n"),
              "auth.oidc[0] (line 3): want exactly one of jwks_file and jwks_uri, got neither");
  ExpectError(Issuer(ok + "      jwks_uri: https://idp/jwks\n"),
              "auth.oidc[0] (line 3): want exactly one of jwks_file and jwks_uri, got both");
  ExpectError(Issuer("      audiences: [v]\n      jwks_uri: http://idp/jwks\n"),
              "auth.oidc[0].jwks_uri (line 5): want an https:// URL, got \"http://idp/jwks\"");
  ExpectError(Issuer("      audiences: [v]\n      jwks_uri: https://\n"),
              "auth.oidc[0].jwks_uri (line 5): want an https:// URL, got \"https://\"");
  ExpectError(Issuer(ok + "      jwks_ca_file: ca\n"),
              "auth.oidc[0].jwks_ca_file (line 6): needs jwks_uri");
  ExpectError(Issuer(ok + "      jwks_token_file: t\n"),
              "auth.oidc[0].jwks_token_file (line 6): needs jwks_uri");
  ExpectError(Issuer(ok + "      algorithms: [RS256, HS256]\n"),
              "auth.oidc[0].algorithms[1] (line 6): want one of RS256, ES256, EdDSA, got "
              "\"HS256\"");
  ExpectError(Issuer(ok + "      algorithms: [none]\n"),
              "auth.oidc[0].algorithms[0] (line 6): want one of RS256, ES256, EdDSA, got "
              "\"none\"");
  ExpectError(Issuer(ok + "      algorithms: [ES256, ES256]\n"),
              "auth.oidc[0].algorithms[1] (line 6): ES256 is listed twice");
  ExpectError(Issuer(ok + "    - issuer: https://idp\n" + ok),
              "auth.oidc[1].issuer (line 6): issuer https://idp is configured twice");
  ExpectError("auth: {mfa: {amr: ['']}}\n",
              "auth.mfa.amr[0] (line 1): want a non-empty string, got \"\"");
}

TEST(ConfigLoaderTest, RolesBindingsAndSeparationOfDuties) {
  ExpectError("roles: {w: [events.write, '']}\n",
              "roles.w[1] (line 1): want a non-empty string, got \"\"");
  ExpectError("roles: {'': [log.read]}\n", "roles (line 1): want a role name, got an empty key");
  ExpectError("bindings:\n  - {principal: p, group: g, roles: [w]}\n",
              "bindings[0] (line 2): want exactly one of principal and group, got both");
  ExpectError("bindings:\n  - {roles: [w]}\n",
              "bindings[0] (line 2): want exactly one of principal and group, got neither");
  ExpectError("bindings:\n  - {principal: p}\n",
              "bindings[0].roles: want at least one role, got none");
  ExpectError("bindings:\n  - {principal: p, roles: []}\n",
              "bindings[0].roles (line 2): want at least one role, got none");
  ExpectError("bindings:\n  - {principal: p, roles: [w], models: ['']}\n",
              "bindings[0].models[0] (line 2): want a non-empty string, got \"\"");
  ExpectError("anonymous: ['']\n", "anonymous[0] (line 1): want a non-empty string, got \"\"");
  ExpectParses("separation_of_duties: [{name: x, sets: [[a], [b]]}]\n");
  ExpectError("separation_of_duties: [{name: x, sets: [[a]]}]\n",
              "separation_of_duties[0].sets (line 1): got 1 sets, want at least 2 mutually "
              "exclusive ones");
  ExpectError("separation_of_duties: [{name: x, sets: [[a], []]}]\n",
              "separation_of_duties[0].sets[1] (line 1): want at least one permission, got none");
  ExpectError("separation_of_duties: [{name: x, sets: [[a], ['']]}]\n",
              "separation_of_duties[0].sets[1][0] (line 1): want a non-empty string, got \"\"");
  ExpectError("separation_of_duties: [{sets: [[a], [b]]}]\n",
              "separation_of_duties[0].name: want a name, got nothing");
}

TEST(ConfigLoaderTest, NumbersInRange) {
  ExpectParses("sequencer: {max_batch_entries: 1}\n");
  ExpectError("sequencer: {max_batch_entries: 0}\n",
              "sequencer.max_batch_entries (line 1): got 0, want at least 1");
  ExpectParses("http: {threads: 1}\n");
  ExpectParses("http: {threads: 64}\n");
  ExpectError("http: {threads: 0}\n", "http.threads (line 1): got 0, want 1 to 64");
  ExpectError("http: {threads: 65}\n", "http.threads (line 1): got 65, want 1 to 64");
  ExpectError("witnessing: {quorum: 1}\n",
              "witnessing (line 1): quorum and interval_ms need witnesses");
  ExpectError("witnessing: {witnesses: [{url: u, vkey: k}], interval_ms: 0}\n",
              "witnessing.interval_ms (line 1): got 0, want at least 1");
  ExpectError("witnessing: {witnesses: [{url: u}]}\n",
              "witnessing.witnesses[0].vkey: want the witness's verifier key, got nothing");
  ExpectError("witnessing: {witnesses: [{vkey: k}]}\n",
              "witnessing.witnesses[0].url: want a URL, got nothing");
  ExpectError("audit: {denied_burst: 0}\n", "audit.denied_burst (line 1): got 0, want at least 1");
  ExpectError("audit: {denied_per_second: 0}\n",
              "audit.denied_per_second (line 1): got 0, want a number above 0");
  ExpectError("audit: {summary_interval_seconds: 0}\n",
              "audit.summary_interval_seconds (line 1): got 0, want at least 1");
}

TEST(ConfigLoaderTest, ValidateConfigWithoutLines) {
  Config config;
  config.mutable_http()->set_threads(65);
  EXPECT_EQ(ValidateConfig(config), absl::InvalidArgumentError("http.threads: got 65, want 1 to 64"));
  config.mutable_http()->set_threads(2);
  EXPECT_TRUE(ValidateConfig(config).ok());
  (*config.mutable_roles())["w"].add_values()->set_number_value(1);
  EXPECT_EQ(ValidateConfig(config), absl::InvalidArgumentError("roles.w[0]: want a string"));
}

TEST(ConfigLoaderTest, RelativePathsResolveAgainstTheFolder) {
  absl::StatusOr<Config> config = ParseConfig(
      "data_dir: data\nsigner_key: ./keys/log.key\norigin: o/x\n"
      "auth: {token_file: /abs/tokens}\ningest: {secrets_dir: ../secrets}\n",
      "/etc/vellum/");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->data_dir(), "/etc/vellum/data");
  EXPECT_EQ(config->signer_key(), "/etc/vellum/keys/log.key");
  EXPECT_EQ(config->origin(), "o/x");
  EXPECT_EQ(config->auth().token_file(), "/abs/tokens");
  EXPECT_EQ(config->ingest().secrets_dir(), "/etc/vellum/../secrets");
}

TEST(ConfigLoaderTest, LoadConfigFile) {
  const std::string dir = TempFolder("load");
  WriteFile(dir + "/vellum.yaml", "data_dir: data\n");
  absl::StatusOr<Config> config = LoadConfigFile(dir + "/vellum.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->data_dir(), dir + "/data");

  WriteFile(dir + "/bad.yaml", "data_dir: data\nhttp: {threads: 0}\n");
  EXPECT_EQ(LoadConfigFile(dir + "/bad.yaml").status(),
            absl::InvalidArgumentError(
                absl::StrCat(dir, "/bad.yaml: http.threads (line 2): got 0, want 1 to 64")));

  WriteFile(dir + "/edge.yaml", std::string(kMaxConfigBytes - 13, '#') + "\nlisten: a:1\n");
  EXPECT_TRUE(LoadConfigFile(dir + "/edge.yaml").ok());
  WriteFile(dir + "/big.yaml", std::string(kMaxConfigBytes - 12, '#') + "\nlisten: a:1\n");
  absl::Status big = LoadConfigFile(dir + "/big.yaml").status();
  EXPECT_EQ(big.code(), absl::StatusCode::kOutOfRange) << big;
  EXPECT_THAT(big.message(), HasSubstr(dir + "/big.yaml"));

  absl::Status missing = LoadConfigFile(dir + "/missing.yaml").status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("configuration " + dir + "/missing.yaml"));
}

TEST(ConfigLoaderTest, CanonicalTextIsDeterministic) {
  absl::StatusOr<Config> a = ParseConfig(
      "listen: 127.0.0.1:1\n"
      "roles: {b: [x], a: [y, z], c: [w]}\n"
      "http: {tile_cache_mib: 0, threads: 2}\n"
      "anonymous: [log.read]\n"
      "data_dir: d\n",
      kBase);
  absl::StatusOr<Config> b = ParseConfig(
      "data_dir: d\n"
      "anonymous:\n  - log.read\n"
      "http:\n  threads: 2\n  tile_cache_mib: 0\n"
      "roles:\n  c: [w]\n  a: [y, z]\n  b: [x]\n"
      "listen: '127.0.0.1:1'\n",
      kBase);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  // Field-number order, map keys sorted, explicit zeros of optional fields kept.
  EXPECT_EQ(CanonicalText(*a),
            "{\"listen\":\"127.0.0.1:1\",\"data_dir\":\"/etc/vellum/d\","
            "\"roles\":{\"a\":[\"y\",\"z\"],\"b\":[\"x\"],\"c\":[\"w\"]},"
            "\"anonymous\":[\"log.read\"],\"http\":{\"threads\":2,\"tile_cache_mib\":0}}");
  EXPECT_EQ(CanonicalText(*a), CanonicalText(*b));
  EXPECT_EQ(CanonicalSha256(*a), CanonicalSha256(*b));
  EXPECT_EQ(CanonicalSha256(*a), crypto::Sha256({RecordedConfigOf(*a).canonical_text}));

  // Many keys inserted in opposite orders, so a hash-ordered map would show.
  Config forward;
  Config backward;
  for (int i = 0; i < 100; ++i) {
    (*forward.mutable_roles())[absl::StrCat("r", i)].add_values()->set_string_value("x");
    (*backward.mutable_roles())[absl::StrCat("r", 99 - i)].add_values()->set_string_value("x");
  }
  EXPECT_EQ(CanonicalText(forward), CanonicalText(backward));

  absl::StatusOr<Config> different = ParseConfig("data_dir: e\n", kBase);
  ASSERT_TRUE(different.ok());
  EXPECT_NE(CanonicalSha256(*a), CanonicalSha256(*different));
}

TEST(ConfigLoaderTest, TheExampleHasTheSameDigestWhereverItsKeysAre) {
  const std::string reordered = R"(anonymous: [log.read]
bindings:
  - {roles: [writer], group: ml-writers}
  - {roles: [auditor], group: ml-auditors}
  - {roles: [writer], principal: ci-deployer}
roles:
  auditor: [events.read, log.read, entries.read]
  writer: [events.write, entries.append]
auth:
  oidc:
    - groups_claim: groups
      algorithms: [RS256]
      jwks_file: idp-jwks.json
      audiences: [vellum]
      issuer: https://idp.example.com
  token_file: tokens.txt
tls: {key_file: server.key, cert_file: server.crt}
listen: 127.0.0.1:8443
)";
  absl::StatusOr<Config> a = ParseConfig(kExample, kBase);
  absl::StatusOr<Config> b = ParseConfig(reordered, kBase);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(CanonicalText(*a), CanonicalText(*b));
  EXPECT_EQ(CanonicalSha256(*a), CanonicalSha256(*b));
}

TEST(ConfigLoaderTest, GithubReviewersAreRecordedByPositionToo) {
  absl::StatusOr<Config> config = ParseConfig(
      "bindings: [{principal: lee@example.com, roles: [governance]}]\n"
      "ingest:\n"
      "  github_reviewers:\n"
      "    lee-chen: {principal: lee@example.com, groups: [ml-governance]}\n"
      "    mo-sato: {groups: [ml-governance]}\n"
      "    nia-park: {principal: nia@example.com}\n",
      kBase);
  ASSERT_TRUE(config.ok()) << config.status();
  const RecordedConfig recorded = RecordedConfigOf(*config);
  EXPECT_THAT(recorded.principals,
              testing::UnorderedElementsAre("lee@example.com", "lee-chen", "mo-sato", "nia-park",
                                            "nia@example.com"));
  for (const char* name : {"lee", "mo-sato", "nia"}) {
    EXPECT_THAT(recorded.canonical_text, testing::Not(HasSubstr(name)));
  }
  EXPECT_THAT(recorded.canonical_text, HasSubstr("ml-governance"));
  // The same text every time (a protobuf map's order is not).
  for (int i = 0; i < 20; ++i) {
    const Config copy = *config;
    EXPECT_EQ(RecordedConfigOf(copy).canonical_text, recorded.canonical_text);
    EXPECT_EQ(RecordedConfigOf(copy).principals, recorded.principals);
  }
}

TEST(ConfigLoaderTest, TheRecordedTextNamesPrincipalsByPosition) {
  absl::StatusOr<Config> config = ParseConfig(
      "roles: {writer: [events.write]}\n"
      "bindings:\n"
      "  - {principal: alice@example.com, roles: [writer]}\n"
      "  - {group: ml-writers, roles: [writer]}\n"
      "  - {principal: ci-deployer, roles: [writer]}\n"
      "  - {principal: alice@example.com, roles: [writer], models: [fraud-*]}\n"
      "quotas:\n"
      "  - {principal: '*', entries_per_second: 10}\n"
      "  - {principal: bob@example.com, entries_per_second: 5}\n"
      "  - {group: ml-writers, entries_per_second: 7}\n",
      kBase);
  ASSERT_TRUE(config.ok()) << config.status();
  const RecordedConfig recorded = RecordedConfigOf(*config);
  EXPECT_THAT(recorded.principals,
              testing::ElementsAre("alice@example.com", "ci-deployer", "bob@example.com"));
  for (const std::string& name : recorded.principals) {
    EXPECT_THAT(recorded.canonical_text, testing::Not(HasSubstr(name)));
  }
  EXPECT_THAT(recorded.canonical_text, HasSubstr("\"principal\":\"$0\""));
  EXPECT_THAT(recorded.canonical_text, HasSubstr("\"principal\":\"$1\""));
  EXPECT_THAT(recorded.canonical_text, HasSubstr("\"principal\":\"$2\""));
  EXPECT_THAT(recorded.canonical_text, HasSubstr("\"principal\":\"*\""));
  EXPECT_THAT(recorded.canonical_text, HasSubstr("ml-writers"));
  EXPECT_EQ(CanonicalSha256(*config), crypto::Sha256({recorded.canonical_text}));

  // Putting the names back where the positions are gives the configuration's own text.
  Config restored;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(recorded.canonical_text, &restored).ok());
  for (Binding& binding : *restored.mutable_bindings()) {
    if (!binding.principal().empty()) {
      binding.set_principal(recorded.principals[std::stoul(binding.principal().substr(1))]);
    }
  }
  for (Quota& quota : *restored.mutable_quotas()) {
    if (absl::StartsWith(quota.principal(), "$")) {
      quota.set_principal(recorded.principals[std::stoul(quota.principal().substr(1))]);
    }
  }
  EXPECT_EQ(CanonicalText(restored), CanonicalText(*config));
}

TEST(ConfigLoaderTest, DigestNamedFiles) {
  const std::string dir = TempFolder("digests");
  TempFolder("digests/secrets");
  TempFolder("digests/secrets/not-a-file");
  WriteFile(dir + "/tokens.txt", "tokens");
  WriteFile(dir + "/server.crt", "cert");
  WriteFile(dir + "/server.key", "key");
  WriteFile(dir + "/idp-jwks.json", "{}");
  WriteFile(dir + "/secrets/github", "s1\ns2\n");
  absl::StatusOr<Config> config = ParseConfig(
      absl::StrCat(kExample, "ingest: {secrets_dir: secrets/}\ndata_dir: .\n"), dir);
  ASSERT_TRUE(config.ok()) << config.status();
  auto digests = DigestNamedFiles(*config);
  ASSERT_TRUE(digests.ok()) << digests.status();
  EXPECT_THAT(*digests,
              ElementsAre(Pair(dir + "/idp-jwks.json", crypto::Sha256({"{}"})),
                          Pair(dir + "/secrets/github", crypto::Sha256({"s1\ns2\n"})),
                          Pair(dir + "/server.crt", crypto::Sha256({"cert"})),
                          Pair(dir + "/server.key", crypto::Sha256({"key"})),
                          Pair(dir + "/tokens.txt", crypto::Sha256({"tokens"}))));

  std::remove((dir + "/idp-jwks.json").c_str());
  absl::Status missing = DigestNamedFiles(*config).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("auth.oidc[0].jwks_file: "));
  EXPECT_THAT(missing.message(), HasSubstr(dir + "/idp-jwks.json"));

  Config no_dir;
  no_dir.mutable_ingest()->set_secrets_dir(dir + "/absent");
  EXPECT_EQ(DigestNamedFiles(no_dir).status(),
            absl::UnavailableError(absl::StrCat("ingest.secrets_dir: cannot open the folder ",
                                                dir, "/absent")));
}

}  // namespace
}  // namespace config
}  // namespace api
}  // namespace vellum
