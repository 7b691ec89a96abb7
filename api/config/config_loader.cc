#include "api/config/config_loader.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <memory>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "api/config/yaml_document.h"
#include "api/config/yaml_message.h"
#include "api/source_address.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/canonical_json.h"
#include "ledger/file_io.h"
#include "proof/decimal.h"

namespace vellum {
namespace api {
namespace config {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::ListValue;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;

constexpr uint32_t kMaxHttpThreads = 64;
constexpr uint32_t kMaxLeewaySeconds = 300;
constexpr size_t kMaxNamedFileBytes = 1 << 20;
constexpr const char* kAlgorithms[] = {"RS256", "ES256", "EdDSA"};

// The line of each key path in the YAML, for the messages of the semantic checks.
using LineMap = YamlLines;

// The semantic checks. Paths come with their YAML line when the configuration came from a file.
class Checker {
 public:
  explicit Checker(const LineMap* lines) : lines_(lines) {}

  absl::Status Check(const Config& config) {
    if (!config.listen().empty()) {
      absl::StatusOr<std::pair<std::string, uint16_t>> listen =
          ParseListenAddress(config.listen(), Where("listen"));
      if (!listen.ok()) return listen.status();
    }
    if (config.has_tls()) Check(config.tls());
    if (config.has_auth()) Check(config.auth());
    for (const auto& [name, permissions] : config.roles()) {
      const std::string path = YamlChildPath("roles", name);
      if (name.empty()) Add("roles", "want a role name, got an empty key");
      CheckStrings(path, permissions);
    }
    for (int i = 0; i < config.bindings_size(); ++i) {
      Check(YamlElementPath("bindings", i), config.bindings(i));
    }
    CheckStrings("anonymous", config.anonymous());
    for (int i = 0; i < config.separation_of_duties_size(); ++i) {
      Check(YamlElementPath("separation_of_duties", i), config.separation_of_duties(i));
    }
    if (config.has_sequencer() && config.sequencer().has_max_batch_entries() &&
        config.sequencer().max_batch_entries() == 0) {
      Add("sequencer.max_batch_entries", "got 0, want at least 1");
    }
    if (config.has_http()) Check(config.http());
    for (int i = 0; i < config.quotas_size(); ++i) {
      const Quota& quota = config.quotas(i);
      const std::string path = YamlElementPath("quotas", i);
      if (quota.principal().empty() == quota.group().empty()) {
        Add(path, "want exactly one of principal (a name, or * for everyone) and group");
      }
      if (quota.has_entries_per_second() &&
          !(quota.entries_per_second() > 0 && quota.entries_per_second() <= 1e6)) {
        Add(absl::StrCat(path, ".entries_per_second"),
            absl::StrCat("got ", quota.entries_per_second(), ", want more than 0, at most 1e6"));
      }
      if (quota.has_entry_burst() && !quota.has_entries_per_second()) {
        Add(absl::StrCat(path, ".entry_burst"), "needs entries_per_second");
      }
      if (quota.has_bytes_per_day() && quota.bytes_per_day() == 0) {
        Add(absl::StrCat(path, ".bytes_per_day"), "got 0, want at least 1 (leave it out for none)");
      }
    }
    if (config.has_witnessing()) Check(config.witnessing());
    if (config.has_audit()) Check(config.audit());
    return first_error_;
  }

  void Check(const Http& http) {
    auto range = [this](absl::string_view key, bool has, double value, double low, double high) {
      if (has && !(value >= low && value <= high)) {
        Add(absl::StrCat("http.", key), absl::StrCat("got ", value, ", want ", low, " to ", high));
      }
    };
    range("threads", http.has_threads(), http.threads(), 1, kMaxHttpThreads);
    range("max_connections", http.has_max_connections(), http.max_connections(), 1, 1000000);
    range("max_connections_per_source", http.has_max_connections_per_source(),
          http.max_connections_per_source(), 0, 1000000);
    range("requests_per_second_per_source", http.has_requests_per_second_per_source(),
          http.requests_per_second_per_source(), 0, 1000000);
    range("request_burst_per_source", http.has_request_burst_per_source(),
          http.request_burst_per_source(), 1, 10000000);
    range("header_timeout_ms", http.has_header_timeout_ms(), http.header_timeout_ms(), 100,
          60000);
    range("request_timeout_ms", http.has_request_timeout_ms(), http.request_timeout_ms(), 100,
          600000);
    range("idle_timeout_ms", http.has_idle_timeout_ms(), http.idle_timeout_ms(), 100, 3600000);
    for (int i = 0; i < http.trusted_proxies_size(); ++i) {
      absl::StatusOr<TrustedProxies> proxies = TrustedProxies::Parse({http.trusted_proxies(i)});
      if (!proxies.ok()) {
        Add(absl::StrCat("http.trusted_proxies[", i, "]"), proxies.status().message());
      }
    }
    const BodyLimits& body = http.body_limits();
    // An entry is at most 65,535 bytes; the others are capped by what one request may hold.
    constexpr double kMaxBody = 64 << 20;
    range("body_limits.entry", body.has_entry(), body.entry(), 1, 65535);
    range("body_limits.batch", body.has_batch(), body.batch(), 1, kMaxBody);
    range("body_limits.event", body.has_event(), body.event(), 1, kMaxBody);
    range("body_limits.event_batch", body.has_event_batch(), body.event_batch(), 1, kMaxBody);
    range("body_limits.ingest", body.has_ingest(), body.ingest(), 1, kMaxBody);
    range("body_limits.signed_ingest", body.has_signed_ingest(), body.signed_ingest(), 1,
          kMaxBody);
    range("body_limits.other", body.has_other(), body.other(), 0, kMaxBody);
  }

  std::string Where(absl::string_view path) const {
    if (lines_ != nullptr) {
      auto it = lines_->find(std::string(path));
      if (it != lines_->end()) return absl::StrCat(path, " (line ", it->second, ")");
    }
    return std::string(path);
  }

 private:
  // Keeps the first error only.
  void Add(absl::string_view path, absl::string_view message) {
    if (first_error_.ok()) {
      first_error_ = absl::InvalidArgumentError(absl::StrCat(Where(path), ": ", message));
    }
  }

  void CheckStrings(absl::string_view path,
                    const google::protobuf::RepeatedPtrField<std::string>& values) {
    for (int i = 0; i < values.size(); ++i) {
      if (values[i].empty()) Add(YamlElementPath(path, i), "want a non-empty string, got \"\"");
    }
  }

  void CheckStrings(absl::string_view path, const ListValue& values) {
    for (int i = 0; i < values.values_size(); ++i) {
      const google::protobuf::Value& value = values.values(i);
      if (value.kind_case() != google::protobuf::Value::kStringValue) {
        Add(YamlElementPath(path, i), "want a string");
      } else if (value.string_value().empty()) {
        Add(YamlElementPath(path, i), "want a non-empty string, got \"\"");
      }
    }
  }

  void Check(const Tls& tls) {
    if (tls.cert_file().empty() != tls.key_file().empty()) {
      Add("tls", absl::StrCat("want both cert_file and key_file or neither, got only ",
                              tls.cert_file().empty() ? "key_file" : "cert_file"));
    }
    if (!tls.client_ca_file().empty() && tls.cert_file().empty()) {
      Add("tls.client_ca_file", "needs tls.cert_file and tls.key_file");
    }
    if (tls.require_client_cert() && tls.client_ca_file().empty()) {
      Add("tls.require_client_cert", "needs tls.client_ca_file");
    }
  }

  void Check(const Auth& auth) {
    std::set<std::string> issuers;
    for (int i = 0; i < auth.oidc_size(); ++i) {
      const OidcIssuer& oidc = auth.oidc(i);
      const std::string path = YamlElementPath("auth.oidc", i);
      if (oidc.issuer().empty()) {
        Add(YamlChildPath(path, "issuer"), "want the issuer's iss value, got nothing");
      } else if (!issuers.insert(oidc.issuer()).second) {
        Add(YamlChildPath(path, "issuer"),
            absl::StrCat("issuer ", YamlTruncated(oidc.issuer()), " is configured twice"));
      }
      if (oidc.audiences().empty()) {
        Add(YamlChildPath(path, "audiences"), "want at least one audience, got none");
      }
      CheckStrings(YamlChildPath(path, "audiences"), oidc.audiences());
      if (oidc.jwks_file().empty() == oidc.jwks_uri().empty()) {
        Add(path, absl::StrCat("want exactly one of jwks_file and jwks_uri, got ",
                               oidc.jwks_file().empty() ? "neither" : "both"));
      }
      if (!oidc.jwks_uri().empty() && (!absl::StartsWith(oidc.jwks_uri(), "https://") ||
                                       oidc.jwks_uri().size() == 8)) {
        Add(YamlChildPath(path, "jwks_uri"),
            absl::StrCat("want an https:// URL, got \"", YamlTruncated(oidc.jwks_uri()), "\""));
      }
      if (oidc.jwks_uri().empty()) {
        if (!oidc.jwks_ca_file().empty()) Add(YamlChildPath(path, "jwks_ca_file"), "needs jwks_uri");
        if (!oidc.jwks_token_file().empty()) {
          Add(YamlChildPath(path, "jwks_token_file"), "needs jwks_uri");
        }
      }
      std::set<std::string> algorithms;
      for (int j = 0; j < oidc.algorithms_size(); ++j) {
        const std::string& algorithm = oidc.algorithms(j);
        const std::string where = YamlElementPath(YamlChildPath(path, "algorithms"), j);
        if (std::find(std::begin(kAlgorithms), std::end(kAlgorithms), algorithm) ==
            std::end(kAlgorithms)) {
          Add(where, absl::StrCat("want one of ", absl::StrJoin(kAlgorithms, ", "), ", got \"",
                                  YamlTruncated(algorithm), "\""));
        } else if (!algorithms.insert(algorithm).second) {
          Add(where, absl::StrCat(algorithm, " is listed twice"));
        }
      }
      if (oidc.has_leeway_seconds() && oidc.leeway_seconds() > kMaxLeewaySeconds) {
        Add(YamlChildPath(path, "leeway_seconds"),
            absl::StrCat("got ", oidc.leeway_seconds(), ", want at most ", kMaxLeewaySeconds));
      }
    }
    if (auth.has_mfa()) {
      CheckStrings("auth.mfa.amr", auth.mfa().amr());
      CheckStrings("auth.mfa.acr", auth.mfa().acr());
    }
  }

  void Check(const std::string& path, const Binding& binding) {
    if (binding.principal().empty() == binding.group().empty()) {
      Add(path, absl::StrCat("want exactly one of principal and group, got ",
                             binding.principal().empty() ? "neither" : "both"));
    }
    if (binding.roles().empty()) Add(YamlChildPath(path, "roles"), "want at least one role, got none");
    CheckStrings(YamlChildPath(path, "roles"), binding.roles());
    CheckStrings(YamlChildPath(path, "models"), binding.models());
    CheckStrings(YamlChildPath(path, "environments"), binding.environments());
  }

  void Check(const std::string& path, const Exclusion& exclusion) {
    if (exclusion.name().empty()) Add(YamlChildPath(path, "name"), "want a name, got nothing");
    if (exclusion.sets_size() < 2) {
      Add(YamlChildPath(path, "sets"), absl::StrCat("got ", exclusion.sets_size(),
                                            " sets, want at least 2 mutually exclusive ones"));
    }
    for (int i = 0; i < exclusion.sets_size(); ++i) {
      const std::string set = YamlElementPath(YamlChildPath(path, "sets"), i);
      if (exclusion.sets(i).values().empty()) Add(set, "want at least one permission, got none");
      CheckStrings(set, exclusion.sets(i));
    }
  }

  void Check(const Witnessing& witnessing) {
    for (int i = 0; i < witnessing.witnesses_size(); ++i) {
      const std::string path = YamlElementPath("witnessing.witnesses", i);
      if (witnessing.witnesses(i).url().empty()) Add(YamlChildPath(path, "url"), "want a URL, got nothing");
      if (witnessing.witnesses(i).vkey().empty()) {
        Add(YamlChildPath(path, "vkey"), "want the witness's verifier key, got nothing");
      }
    }
    if (witnessing.witnesses().empty() &&
        (witnessing.has_quorum() || witnessing.has_interval_ms())) {
      Add("witnessing", "quorum and interval_ms need witnesses");
    }
    if (witnessing.has_interval_ms() && witnessing.interval_ms() == 0) {
      Add("witnessing.interval_ms", "got 0, want at least 1");
    }
  }

  void Check(const Audit& audit) {
    if (audit.has_denied_burst() && audit.denied_burst() == 0) {
      Add("audit.denied_burst", "got 0, want at least 1");
    }
    if (audit.has_denied_per_second() &&
        !(std::isfinite(audit.denied_per_second()) && audit.denied_per_second() > 0)) {
      Add("audit.denied_per_second",
          absl::StrCat("got ", audit.denied_per_second(), ", want a number above 0"));
    }
    if (audit.has_summary_interval_seconds() && audit.summary_interval_seconds() == 0) {
      Add("audit.summary_interval_seconds", "got 0, want at least 1");
    }
  }

  const LineMap* lines_;
  absl::Status first_error_;
};

// A string field that holds a path, and whether it names a file (rather than a folder).
bool IsPathField(const FieldDescriptor* field) {
  return field->type() == FieldDescriptor::TYPE_STRING && !field->is_repeated() &&
         (absl::EndsWith(field->name(), "_file") || absl::EndsWith(field->name(), "_dir") ||
          field->name() == "signer_key");
}

bool NamesFile(const FieldDescriptor* field) { return !absl::EndsWith(field->name(), "_dir"); }

// Calls `visit(key path, field, message)` for every path field set in `message`, recursively.
void ForEachPath(
    Message* message, const std::string& path,
    const std::function<void(const std::string&, const FieldDescriptor*, Message*)>& visit) {
  const Reflection* reflection = message->GetReflection();
  const Descriptor* descriptor = message->GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const std::string child = YamlChildPath(path, field->name());
    if (IsPathField(field)) {
      if (!reflection->GetString(*message, field).empty()) visit(child, field, message);
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE && !field->is_map() &&
               field->message_type() != ListValue::descriptor()) {
      if (field->is_repeated()) {
        for (int j = 0; j < reflection->FieldSize(*message, field); ++j) {
          ForEachPath(reflection->MutableRepeatedMessage(message, field, j), YamlElementPath(child, j),
                      visit);
        }
      } else if (reflection->HasField(*message, field)) {
        ForEachPath(reflection->MutableMessage(message, field), child, visit);
      }
    }
  }
}

absl::StatusOr<crypto::Sha256Digest> DigestFile(const std::string& key_path,
                                                const std::string& file) {
  absl::StatusOr<std::string> contents = ledger::ReadInput(file, kMaxNamedFileBytes);
  if (!contents.ok()) {
    return absl::Status(contents.status().code(),
                        absl::StrCat(key_path, ": ", contents.status().message()));
  }
  return crypto::Sha256({*contents});
}

}  // namespace

absl::StatusOr<std::pair<std::string, uint16_t>> ParseListenAddress(absl::string_view listen,
                                                                    absl::string_view what) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": want HOST:PORT (", why, "), got \"",
                                                   YamlTruncated(listen), "\""));
  };
  const size_t colon = listen.rfind(':');
  if (colon == absl::string_view::npos) return bad("no port");
  absl::string_view host = listen.substr(0, colon);
  if (absl::StartsWith(host, "[")) {
    if (!absl::EndsWith(host, "]")) return bad("an unclosed [");
    host = host.substr(1, host.size() - 2);
  } else if (absl::StrContains(host, ':')) {
    return bad("an IPv6 host goes in brackets");
  }
  if (host.empty()) return bad("no host");
  absl::StatusOr<uint64_t> port = ParseDecimal(listen.substr(colon + 1), "port");
  if (!port.ok() || *port > 65535) return bad("a port from 0 to 65535");
  return std::make_pair(std::string(host), static_cast<uint16_t>(*port));
}

absl::Status ValidateConfig(const Config& config) { return Checker(nullptr).Check(config); }

void MakePathsAbsolute(absl::string_view base_dir, Config* config) {
  const std::string base(absl::StripSuffix(base_dir, "/"));
  ForEachPath(config, "", [&](const std::string&, const FieldDescriptor* field, Message* owner) {
    const std::string value = owner->GetReflection()->GetString(*owner, field);
    absl::string_view path = value;
    if (absl::StartsWith(path, "/")) return;
    while (absl::ConsumePrefix(&path, "./")) {
    }
    owner->GetReflection()->SetString(owner, field, absl::StrCat(base, "/", path));
  });
}

absl::StatusOr<Config> ParseConfig(absl::string_view yaml, absl::string_view base_dir) {
  if (!absl::StartsWith(base_dir, "/")) {
    return absl::InvalidArgumentError(
        absl::StrCat("configuration folder \"", YamlTruncated(base_dir), "\" is not absolute"));
  }
  absl::StatusOr<YamlNode> root = ParseYamlDocument(yaml, YamlLimits{kMaxConfigBytes});
  if (!root.ok()) return root.status();
  Config config;
  LineMap lines;
  if (absl::Status status = FillMessageFromYaml(*root, "the configuration", &lines, &config);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = Checker(&lines).Check(config); !status.ok()) return status;
  MakePathsAbsolute(base_dir, &config);
  return config;
}

absl::StatusOr<Config> LoadConfigFile(absl::string_view path) {
  std::string absolute(path);
  if (!absl::StartsWith(path, "/")) {
    std::unique_ptr<char, decltype(&free)> cwd(getcwd(nullptr, 0), &free);
    if (cwd == nullptr) return absl::UnavailableError("cannot read the current folder");
    absolute = absl::StrCat(cwd.get(), "/", path);
  }
  absl::StatusOr<std::string> text = ledger::ReadInput(absolute, kMaxConfigBytes);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat("configuration ", path, ": ", text.status().message()));
  }
  absl::StatusOr<Config> config =
      ParseConfig(*text, absolute.substr(0, absolute.rfind('/') + 1));
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

std::string CanonicalText(const Config& config) { return ledger::CanonicalJson(config); }

RecordedConfig RecordedConfigOf(const Config& config) {
  RecordedConfig recorded;
  std::map<std::string, size_t> positions;
  auto replace = [&](std::string* principal) {
    if (principal->empty()) return;
    auto [it, added] = positions.emplace(*principal, recorded.principals.size());
    if (added) recorded.principals.push_back(*principal);
    *principal = absl::StrCat("$", it->second);
  };
  Config copy = config;
  for (Binding& binding : *copy.mutable_bindings()) replace(binding.mutable_principal());
  for (Quota& quota : *copy.mutable_quotas()) {
    if (quota.principal() != "*") replace(quota.mutable_principal());
  }
  // GitHub logins name people too: the keys of github_reviewers, and their principals.
  if (!config.ingest().github_reviewers().empty()) {
    // In login order (a protobuf map's order is not fixed), so that the text is the same each time.
    const std::map<std::string, GithubReviewer> sorted(config.ingest().github_reviewers().begin(),
                                                       config.ingest().github_reviewers().end());
    google::protobuf::Map<std::string, GithubReviewer> reviewers;
    for (const auto& [login, reviewer] : sorted) {
      std::string key = login;
      replace(&key);
      GithubReviewer kept = reviewer;
      replace(kept.mutable_principal());
      reviewers[key] = std::move(kept);
    }
    *copy.mutable_ingest()->mutable_github_reviewers() = std::move(reviewers);
  }
  recorded.canonical_text = CanonicalText(copy);
  return recorded;
}

crypto::Sha256Digest CanonicalSha256(const Config& config) {
  return crypto::Sha256({RecordedConfigOf(config).canonical_text});
}

absl::StatusOr<std::map<std::string, crypto::Sha256Digest>> DigestNamedFiles(
    const Config& config) {
  Config copy = config;
  std::map<std::string, crypto::Sha256Digest> digests;
  absl::Status status;
  ForEachPath(&copy, "", [&](const std::string& key_path, const FieldDescriptor* field,
                             Message* owner) {
    if (!status.ok() || !NamesFile(field)) return;
    const std::string file = owner->GetReflection()->GetString(*owner, field);
    absl::StatusOr<crypto::Sha256Digest> digest = DigestFile(key_path, file);
    if (digest.ok()) {
      digests[file] = *digest;
    } else {
      status = digest.status();
    }
  });
  if (!status.ok()) return status;
  if (config.ingest().secrets_dir().empty()) return digests;
  const std::string secrets_dir(absl::StripSuffix(config.ingest().secrets_dir(), "/"));
  std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir(secrets_dir.c_str()), &closedir);
  if (dir == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("ingest.secrets_dir: cannot open the folder ", secrets_dir));
  }
  std::vector<std::string> files;
  while (const dirent* item = readdir(dir.get())) {
    const std::string file = absl::StrCat(secrets_dir, "/", item->d_name);
    struct stat st;
    if (stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode)) files.push_back(file);
  }
  for (const std::string& file : files) {
    absl::StatusOr<crypto::Sha256Digest> digest = DigestFile("ingest.secrets_dir", file);
    if (!digest.ok()) return digest.status();
    digests[file] = *digest;
  }
  return digests;
}

}  // namespace config
}  // namespace api
}  // namespace vellum
