#include "tools/vellumd_config.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proof/note.h"

namespace vellum {
namespace cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kWorkingDir[] = "/work/here";

absl::StatusOr<VellumdConfig> Build(const std::vector<std::string>& args) {
  absl::StatusOr<CommandLine> line = CommandLine::Parse(args, VellumdFlags());
  if (!line.ok()) return line.status();
  return BuildVellumdConfig(*line, kWorkingDir);
}

std::string WriteConfig(const std::string& name, const std::string& yaml) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/", name);
  std::ofstream(path) << yaml;
  return path;
}

std::string CosignerKey(const std::string& name) {
  absl::StatusOr<GeneratedKey> key = GenerateNoteKey(name, kNoteSignatureTypeCosignatureV1);
  EXPECT_TRUE(key.ok()) << key.status();
  return key.ok() ? key->verifier_key : "";
}

TEST(VellumdConfigTest, FlagsAlone) {
  absl::StatusOr<VellumdConfig> built =
      Build({"--data-dir", "data", "--token-file", "/etc/tokens", "--http-threads", "3",
             "--max-batch-entries", "7", "--tile-cache-mib", "0", "--ingest-secrets", "./s",
             "--k8s-cluster", "prod", "--origin", "example.com/log"});
  ASSERT_TRUE(built.ok()) << built.status();
  const api::config::Config& config = built->config;
  EXPECT_EQ(config.data_dir(), "/work/here/data");
  EXPECT_EQ(config.listen(), "127.0.0.1:8080");
  EXPECT_EQ(config.auth().token_file(), "/etc/tokens");
  EXPECT_EQ(config.http().threads(), 3u);
  EXPECT_TRUE(config.http().has_tile_cache_mib());
  EXPECT_EQ(config.http().tile_cache_mib(), 0u);
  EXPECT_EQ(config.sequencer().max_batch_entries(), 7u);
  EXPECT_FALSE(config.sequencer().has_max_batch_delay_us());
  EXPECT_EQ(config.ingest().secrets_dir(), "/work/here/s");
  EXPECT_EQ(config.ingest().k8s_cluster(), "prod");
  EXPECT_EQ(config.origin(), "example.com/log");
  EXPECT_TRUE(built->overrides.empty());
}

TEST(VellumdConfigTest, NeedsADataDirectory) {
  EXPECT_EQ(Build({"--listen", "127.0.0.1:1"}).status(),
            absl::InvalidArgumentError(
                "no data directory: want --data-dir DIR, or data_dir in the --config file"));
}

TEST(VellumdConfigTest, AFlagOverridesTheFileAndSaysSo) {
  const std::string vkey = CosignerKey("witness.example/w1");
  const std::string file = WriteConfig(
      "override.yaml", absl::StrCat("listen: 127.0.0.1:8443\n"
                                    "data_dir: data\n"
                                    "http: {threads: 2}\n"
                                    "witnessing:\n"
                                    "  witnesses: [{url: 'http://127.0.0.1:9', vkey: '",
                                    vkey, "'}]\n"));
  absl::StatusOr<VellumdConfig> built =
      Build({"--config", file, "--listen", "127.0.0.1:0", "--signer-key", "key",
             "--witness", "http://127.0.0.1:10=" + vkey});
  ASSERT_TRUE(built.ok()) << built.status();
  const api::config::Config& config = built->config;
  EXPECT_EQ(config.listen(), "127.0.0.1:0");
  // The file's path resolves against its folder, the flag's against the working directory.
  EXPECT_EQ(config.data_dir(), absl::StrCat(::testing::TempDir(), "/data"));
  EXPECT_EQ(config.signer_key(), "/work/here/key");
  EXPECT_EQ(config.http().threads(), 2u);
  ASSERT_EQ(config.witnessing().witnesses_size(), 1);
  EXPECT_EQ(config.witnessing().witnesses(0).url(), "http://127.0.0.1:10");
  EXPECT_THAT(built->overrides,
              ElementsAre("--listen overrides listen of " + file,
                          "--witness overrides witnessing.witnesses of " + file));
}

TEST(VellumdConfigTest, ErrorsNameTheFlagOrTheFile) {
  EXPECT_EQ(Build({"--data-dir", "d", "--http-threads", "65"}).status(),
            absl::InvalidArgumentError("--http-threads: http.threads: got 65, want 1 to 64"));
  EXPECT_EQ(Build({"--data-dir", "d", "--http-threads", "0"}).status(),
            absl::InvalidArgumentError("--http-threads: http.threads: got 0, want 1 to 64"));
  EXPECT_TRUE(Build({"--data-dir", "d", "--http-threads", "64"}).ok());
  EXPECT_EQ(Build({"--data-dir", "d", "--tile-cache-mib", "4294967296"}).status(),
            absl::InvalidArgumentError("--tile-cache-mib: got 4294967296, want at most 4294967295"));
  EXPECT_TRUE(Build({"--data-dir", "d", "--tile-cache-mib", "4294967295"}).ok());
  EXPECT_EQ(Build({"--data-dir", "d", "--max-batch-entries", "0"}).status(),
            absl::InvalidArgumentError(
                "--max-batch-entries: sequencer.max_batch_entries: got 0, want at least 1"));
  EXPECT_THAT(Build({"--data-dir", "d", "--http-threads", "two"}).status().message(),
              HasSubstr("--http-threads"));
  EXPECT_EQ(Build({"--data-dir", "d", "--listen", "nowhere"}).status(),
            absl::InvalidArgumentError(
                "--listen: listen: want HOST:PORT (no port), got \"nowhere\""));
  EXPECT_EQ(Build({"--data-dir", "d", "--witness", "=key"}).status(),
            absl::InvalidArgumentError("--witness =key: want URL=VKEY"));
  EXPECT_EQ(Build({"--data-dir", "d", "--witness-quorum", "1"}).status(),
            absl::InvalidArgumentError("witnessing: quorum and interval_ms need witnesses"));

  const std::string bad = WriteConfig("bad.yaml", "data_dir: d\nhttp: {threads: 65}\n");
  EXPECT_EQ(Build({"--config", bad}).status(),
            absl::InvalidArgumentError(
                absl::StrCat(bad, ": http.threads (line 2): got 65, want 1 to 64")));
  // The file must be valid by itself, even where a flag would replace the bad key.
  EXPECT_EQ(Build({"--config", bad, "--http-threads", "4"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(VellumdConfigTest, Witnesses) {
  api::config::Witnessing witnessing;
  absl::StatusOr<WitnessSetup> none = WitnessesFromConfig(witnessing);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->witnesses.empty());

  for (const char* name : {"w.example/1", "w.example/2"}) {
    api::config::Witness* witness = witnessing.add_witnesses();
    witness->set_url(absl::StrCat("http://127.0.0.1:", witnessing.witnesses_size()));
    witness->set_vkey(CosignerKey(name));
  }
  absl::StatusOr<WitnessSetup> all = WitnessesFromConfig(witnessing);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->witnesses.size(), 2u);
  EXPECT_EQ(all->options.quorum, 2u);
  EXPECT_EQ(all->options.interval, absl::Seconds(1));

  witnessing.set_quorum(1);
  witnessing.set_interval_ms(250);
  absl::StatusOr<WitnessSetup> one = WitnessesFromConfig(witnessing);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->options.quorum, 1u);
  EXPECT_EQ(one->options.interval, absl::Milliseconds(250));

  witnessing.set_quorum(3);
  EXPECT_EQ(WitnessesFromConfig(witnessing).status().code(), absl::StatusCode::kInvalidArgument);

  witnessing.set_quorum(1);
  witnessing.mutable_witnesses(1)->set_vkey("not a key");
  absl::Status bad_key = WitnessesFromConfig(witnessing).status();
  EXPECT_EQ(bad_key.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_key.message(),
              HasSubstr("witnessing.witnesses[1].vkey (http://127.0.0.1:2): "));
}

TEST(VellumdConfigTest, TheClockSectionBoundsAForwardJump) {
  EXPECT_EQ(ClockOptionsOf(api::config::Clock()).max_forward_jump, absl::Minutes(10));
  const std::string file =
      WriteConfig("clock.yaml", "data_dir: d\nclock:\n  max_forward_jump_seconds: 30\n");
  absl::StatusOr<VellumdConfig> built = Build({"--config", file});
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(ClockOptionsOf(built->config.clock()).max_forward_jump, absl::Seconds(30));
  api::config::Clock off;
  off.set_max_forward_jump_seconds(0);
  EXPECT_EQ(ClockOptionsOf(off).max_forward_jump, absl::InfiniteDuration());
}

}  // namespace
}  // namespace cli
}  // namespace vellum
