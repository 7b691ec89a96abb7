#include "ledger/identity/jwt_test_keys.h"

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "proof/crypto.h"

namespace vellum {
namespace ledger {
namespace identity {
namespace testkeys {
namespace {

std::unique_ptr<crypto::Ed25519PrivateKey> Key(uint8_t seed) {
  crypto::Ed25519Seed bytes;
  bytes.fill(seed);
  auto key = crypto::Ed25519PrivateKey::Create(bytes);
  if (!key.ok()) std::abort();  // Test set-up: cannot fail with a valid seed.
  return *std::move(key);
}

absl::string_view View(absl::Span<const uint8_t> bytes) {
  return absl::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace

const char kFixedJwks[] =
    "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"rsa-1\",\"use\":\"sig\",\"alg\":\"RS256\",\"n\":\"1dgfr8l2ZRtw-zEXpDITa-4"
    "WO4TEyCxVW_eEw2s3NjagLTje1oVQvAahghIAZ-zsWri_59NF5GtlXD7FOjx11hiVbgS3V3rOHQTOcwBEX9jKXHUAJ"
    "Hx7vgPdImiAEYnJnIaiOKbidqeuzeePXS5mhyV6_V6Th80RR9H_DlchItsrKZ2dOdk4LXmUt9N8sslvnev63Rdxlh4"
    "T5yeQcZO6gBDAGvfgKl-L7O6ii24nc4G1LKl_V3XXT8Kl-acTbTXRt7FaMkqXQSkZCo88hnn9RVPxObZEThvQGaoIL"
    "rvs4zSQuB9itddn78r83X_qoZu3tn_N9-wxONASucaIjQkVTw\",\"e\":\"AQAB\"},{\"kty\":\"EC\",\"kid\":\"ec-1\",\"c"
    "rv\":\"P-256\",\"x\":\"yh0Z7OM3wuZ8Hm9yvLn67emPcMQhRYtZ2hiEs7cAUgs\",\"y\":\"8z7GC5rTM0zP8DOhcYmyxuh"
    "J7lqm1QMX6EwF2byMUUs\"}]}";

const char kFixedRs256Token[] =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS0xIiwidHlwIjoiSldUIn0.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcG"
    "xlLmNvbSIsImF1ZCI6InZlbGx1bSIsInN1YiI6ImFsaWNlIiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjE3MDAwMDAw"
    "MDAsImdyb3VwcyI6WyJtbC13cml0ZXJzIl19.pYcTcM_LZ1yzzdJV_1pjVx7wz3_K7hZHdXTApWQOxT6trdX8MimqJ"
    "dLAsOyu9hLUlmryI1OQRtUbobFeduQVgr-fXsPGF1Z7MNcO4SCl9xqGNkcDQGmusoV9svkV_kU1l41RtRmehCOq-7-"
    "voRRBAAIeV6oWYqMUiY3Cco4hU9muhUcgz7WXFZkwBHGKTQ_Cyxk9fGxlA_oaMO8g1TtOA0b5blGi60jq8yparTirP"
    "sTASv44lSogDb95wSILNImOrZKct8G5bBqWMjbuqT_RCsbF6YkC6qEs4AzEUsmD__gBSn7eey6ooBJ-0UDecyy-iPV"
    "V4Xt5f6cdQhy9vfea5Q";

const char kFixedEs256Token[] =
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImVjLTEiLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGx"
    "lLmNvbSIsImF1ZCI6InZlbGx1bSIsInN1YiI6ImFsaWNlIiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjE3MDAwMDAwM"
    "DAsImdyb3VwcyI6WyJtbC13cml0ZXJzIl19.LOWcCK11CT7cuHHIxnC1eF-MA8abUZQAuHJ7JH-NXsJ2JFnmoP04zn"
    "0XmeLxYaYm7Raz3LUblTEoWi-RPLZH-w";

std::string Base64Url(absl::string_view bytes) { return absl::WebSafeBase64Escape(bytes); }

std::string Ed25519Jwk(uint8_t seed, absl::string_view kid, absl::string_view extra) {
  return absl::StrCat(R"({"kty":"OKP","crv":"Ed25519","kid":")", kid, R"(","x":")",
                      Base64Url(View(Key(seed)->public_key())), "\"",
                      extra.empty() ? "" : ",", extra, "}");
}

std::string Jwks(const std::vector<std::string>& keys) {
  return absl::StrCat(R"({"keys":[)", absl::StrJoin(keys, ","), "]}");
}

std::string SignEdDsa(uint8_t seed, absl::string_view header, absl::string_view claims) {
  const std::string signing_input = absl::StrCat(Base64Url(header), ".", Base64Url(claims));
  auto signature = Key(seed)->Sign(signing_input);
  if (!signature.ok()) std::abort();
  return absl::StrCat(signing_input, ".", Base64Url(View(*signature)));
}

}  // namespace testkeys
}  // namespace identity
}  // namespace ledger
}  // namespace vellum
