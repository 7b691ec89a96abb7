#include "tools/vellumd_config.h"

#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "api/config/config_loader.h"
#include "proof/decimal.h"
#include "proof/note.h"

namespace vellum {
namespace cli {
namespace {

using api::config::Config;

// A flag that sets one key: a string, a path (made absolute) or a number.
struct FlagKey {
  enum class Kind { kString, kPath, kNumber };
  const char* flag;
  const char* key;
  Kind kind;
  bool (*in_file)(const Config&);
  void (*set_string)(Config*, const std::string&);
  void (*set_number)(Config*, uint32_t);
};

using Kind = FlagKey::Kind;

// The one table of which flag sets which key (docs/operations.md has it too).
const FlagKey kFlagKeys[] = {
    {"listen", "listen", Kind::kString, [](const Config& c) { return !c.listen().empty(); },
     [](Config* c, const std::string& v) { c->set_listen(v); }, nullptr},
    {"data-dir", "data_dir", Kind::kPath, [](const Config& c) { return !c.data_dir().empty(); },
     [](Config* c, const std::string& v) { c->set_data_dir(v); }, nullptr},
    {"signer-key", "signer_key", Kind::kPath,
     [](const Config& c) { return !c.signer_key().empty(); },
     [](Config* c, const std::string& v) { c->set_signer_key(v); }, nullptr},
    {"origin", "origin", Kind::kString, [](const Config& c) { return !c.origin().empty(); },
     [](Config* c, const std::string& v) { c->set_origin(v); }, nullptr},
    {"token-file", "auth.token_file", Kind::kPath,
     [](const Config& c) { return !c.auth().token_file().empty(); },
     [](Config* c, const std::string& v) { c->mutable_auth()->set_token_file(v); }, nullptr},
    {"max-batch-entries", "sequencer.max_batch_entries", Kind::kNumber,
     [](const Config& c) { return c.sequencer().has_max_batch_entries(); }, nullptr,
     [](Config* c, uint32_t v) { c->mutable_sequencer()->set_max_batch_entries(v); }},
    {"max-batch-delay-us", "sequencer.max_batch_delay_us", Kind::kNumber,
     [](const Config& c) { return c.sequencer().has_max_batch_delay_us(); }, nullptr,
     [](Config* c, uint32_t v) { c->mutable_sequencer()->set_max_batch_delay_us(v); }},
    {"tile-cache-mib", "http.tile_cache_mib", Kind::kNumber,
     [](const Config& c) { return c.http().has_tile_cache_mib(); }, nullptr,
     [](Config* c, uint32_t v) { c->mutable_http()->set_tile_cache_mib(v); }},
    {"http-threads", "http.threads", Kind::kNumber,
     [](const Config& c) { return c.http().has_threads(); }, nullptr,
     [](Config* c, uint32_t v) { c->mutable_http()->set_threads(v); }},
    {"witness-quorum", "witnessing.quorum", Kind::kNumber,
     [](const Config& c) { return c.witnessing().has_quorum(); }, nullptr,
     [](Config* c, uint32_t v) { c->mutable_witnessing()->set_quorum(v); }},
    {"witness-interval-ms", "witnessing.interval_ms", Kind::kNumber,
     [](const Config& c) { return c.witnessing().has_interval_ms(); }, nullptr,
     [](Config* c, uint32_t v) { c->mutable_witnessing()->set_interval_ms(v); }},
    {"ingest-secrets", "ingest.secrets_dir", Kind::kPath,
     [](const Config& c) { return !c.ingest().secrets_dir().empty(); },
     [](Config* c, const std::string& v) { c->mutable_ingest()->set_secrets_dir(v); }, nullptr},
    {"k8s-cluster", "ingest.k8s_cluster", Kind::kString,
     [](const Config& c) { return !c.ingest().k8s_cluster().empty(); },
     [](Config* c, const std::string& v) { c->mutable_ingest()->set_k8s_cluster(v); }, nullptr},
    {"k8s-resources", "ingest.k8s_resources_file", Kind::kPath,
     [](const Config& c) { return !c.ingest().k8s_resources_file().empty(); },
     [](Config* c, const std::string& v) { c->mutable_ingest()->set_k8s_resources_file(v); },
     nullptr},
};

constexpr char kWitnessKey[] = "witnessing.witnesses";

std::string AbsolutePath(absl::string_view working_dir, const std::string& path) {
  Config holder;
  holder.set_data_dir(path);
  api::config::MakePathsAbsolute(working_dir, &holder);
  return holder.data_dir();
}

absl::Status ParseWitnessFlag(const std::string& spec, api::config::Witness* witness) {
  const size_t equals = spec.find('=');
  if (equals == std::string::npos || equals == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--witness ", spec.substr(0, 80), ": want URL=VKEY"));
  }
  witness->set_url(spec.substr(0, equals));
  witness->set_vkey(spec.substr(equals + 1));
  return absl::OkStatus();
}

// Names the flag in an error about a key that a flag set.
absl::Status NameFlag(const absl::Status& status, const CommandLine& line) {
  for (const FlagKey& entry : kFlagKeys) {
    if (line.Has(entry.flag) && absl::StartsWith(status.message(), entry.key) &&
        status.message().size() > strlen(entry.key) &&
        (status.message()[strlen(entry.key)] == ':' ||
         status.message()[strlen(entry.key)] == ' ')) {
      return absl::Status(status.code(), absl::StrCat("--", entry.flag, ": ", status.message()));
    }
  }
  if (line.Has("witness") && absl::StartsWith(status.message(), kWitnessKey)) {
    return absl::Status(status.code(), absl::StrCat("--witness: ", status.message()));
  }
  return status;
}

}  // namespace

absl::Span<const FlagSpec> VellumdFlags() {
  static const FlagSpec kFlags[] = {
      {"config"},         {"data-dir"},          {"listen"},
      {"signer-key"},     {"origin"},            {"token-file"},
      {"max-batch-entries"}, {"max-batch-delay-us"}, {"tile-cache-mib"},
      {"http-threads"},   {"witness", true},     {"witness-quorum"},
      {"witness-interval-ms"}, {"ingest-secrets"}, {"k8s-cluster"},
      {"k8s-resources"},
  };
  return kFlags;
}

absl::StatusOr<VellumdConfig> BuildVellumdConfig(const CommandLine& line,
                                                 absl::string_view working_dir) {
  VellumdConfig result;
  Config& config = result.config;
  const absl::optional<std::string> file = line.Get("config");
  if (file.has_value()) {
    absl::StatusOr<Config> loaded = api::config::LoadConfigFile(*file);
    if (!loaded.ok()) return loaded.status();
    config = *std::move(loaded);
  }
  auto override_line = [&](absl::string_view flag, absl::string_view key) {
    result.overrides.push_back(
        absl::StrCat("--", flag, " overrides ", key, " of ", *file));
  };
  for (const FlagKey& entry : kFlagKeys) {
    const absl::optional<std::string> value = line.Get(entry.flag);
    if (!value.has_value()) continue;
    if (file.has_value() && entry.in_file(config)) override_line(entry.flag, entry.key);
    switch (entry.kind) {
      case Kind::kString:
        entry.set_string(&config, *value);
        break;
      case Kind::kPath:
        entry.set_string(&config, AbsolutePath(working_dir, *value));
        break;
      case Kind::kNumber: {
        absl::StatusOr<uint64_t> n = ParseDecimal(*value, absl::StrCat("--", entry.flag));
        if (!n.ok()) return n.status();
        if (*n > std::numeric_limits<uint32_t>::max()) {
          return absl::InvalidArgumentError(
              absl::StrCat("--", entry.flag, ": got ", *n, ", want at most 4294967295"));
        }
        entry.set_number(&config, static_cast<uint32_t>(*n));
        break;
      }
    }
  }
  if (line.Has("witness")) {
    if (file.has_value() && config.witnessing().witnesses_size() > 0) {
      override_line("witness", kWitnessKey);
    }
    config.mutable_witnessing()->clear_witnesses();
    for (const std::string& spec : line.GetAll("witness")) {
      absl::Status status =
          ParseWitnessFlag(spec, config.mutable_witnessing()->add_witnesses());
      if (!status.ok()) return status;
    }
  }
  if (config.data_dir().empty()) {
    return absl::InvalidArgumentError(
        "no data directory: want --data-dir DIR, or data_dir in the --config file");
  }
  if (config.listen().empty()) config.set_listen("127.0.0.1:8080");
  if (absl::Status status = api::config::ValidateConfig(config); !status.ok()) {
    return NameFlag(status, line);
  }
  return result;
}

absl::StatusOr<WitnessSetup> WitnessesFromConfig(const api::config::Witnessing& witnessing) {
  WitnessSetup setup;
  for (int i = 0; i < witnessing.witnesses_size(); ++i) {
    const api::config::Witness& witness = witnessing.witnesses(i);
    absl::StatusOr<std::unique_ptr<NoteVerifier>> key = NoteVerifier::Create(witness.vkey());
    if (!key.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(kWitnessKey, "[", i, "].vkey (",
                                                     witness.url(), "): ",
                                                     key.status().message()));
    }
    setup.witnesses.push_back({witness.url(), *std::move(key)});
  }
  if (setup.witnesses.empty()) return setup;
  setup.options.quorum =
      witnessing.has_quorum() ? witnessing.quorum() : setup.witnesses.size();
  if (witnessing.has_interval_ms()) {
    setup.options.interval = absl::Milliseconds(witnessing.interval_ms());
  }
  if (absl::Status status = api::WitnessCollector::Check(setup.witnesses, setup.options);
      !status.ok()) {
    return status;
  }
  return setup;
}

ledger::LoggedClock::Options ClockOptionsOf(const api::config::Clock& clock) {
  ledger::LoggedClock::Options options;
  if (clock.has_max_forward_jump_seconds()) {
    options.max_forward_jump = clock.max_forward_jump_seconds() == 0
                                   ? absl::InfiniteDuration()
                                   : absl::Seconds(clock.max_forward_jump_seconds());
  }
  return options;
}

}  // namespace cli
}  // namespace vellum
