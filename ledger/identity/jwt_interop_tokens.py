"""Writes the JWKS and tokens of jwt_interop_test into a directory, using PyJWT and
python-cryptography only (Debian's python3-jwt and python3-cryptography), so that Vellum's JWT
code is checked against an independent implementation. Keys are fresh on every run.

Usage: /usr/bin/python3 jwt_interop_tokens.py DIR

Writes DIR/jwks-a-1.json and DIR/jwks-a-2.json (issuer A's key set before and after it adds
"rsa-2"), DIR/jwks-b.json, DIR/jwks-k8s.json, and DIR/cases.txt: one case a line,
  CASE <name> <issuer to check with, or "auth"> <token file> ok <principal> <groups or ->
  CASE <name> <issuer or "auth"> <token file> refuse <start of the reason>
  ADVANCE <seconds>      (moves the checker's clock forward)
  FETCHES <issuer> <n>   (the checker's JWKS source of that issuer was fetched n times)
"""

import base64
import hashlib
import hmac
import json
import os
import sys
import time

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

ISSUER_A = "https://idp.example.com"
ISSUER_B = "https://other-idp.example.com"
ISSUER_K8S = "https://kubernetes.default.svc.cluster.local"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwk(to_jwk, private_key, kid):
    key = json.loads(to_jwk(private_key.public_key()))
    key["kid"] = kid
    key["use"] = "sig"
    return key


def main(out):
    now = int(time.time())
    rsa_1 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_2 = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    ec_1 = ec.generate_private_key(ec.SECP256R1())
    ed_1 = ed25519.Ed25519PrivateKey.generate()
    ed_other = ed25519.Ed25519PrivateKey.generate()
    b_1 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    k8s = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    keys_a = [jwk(RSAAlgorithm.to_jwk, rsa_1, "rsa-1"), jwk(ECAlgorithm.to_jwk, ec_1, "ec-1"),
              jwk(OKPAlgorithm.to_jwk, ed_1, "ed-1")]
    files = {
        "jwks-a-1.json": {"keys": keys_a},
        "jwks-a-2.json": {"keys": keys_a + [jwk(RSAAlgorithm.to_jwk, rsa_2, "rsa-2")]},
        "jwks-b.json": {"keys": [jwk(RSAAlgorithm.to_jwk, b_1, "b-1")]},
        "jwks-k8s.json": {"keys": [jwk(RSAAlgorithm.to_jwk, k8s, "k8s-1")]},
    }
    for name, content in files.items():
        with open(os.path.join(out, name), "w") as f:
            json.dump(content, f)

    def claims(**changes):
        c = {"iss": ISSUER_A, "aud": "vellum", "sub": "alice", "iat": now, "nbf": now - 10,
             "exp": now + 3600, "groups": ["ml-writers", "ml-auditors"]}
        c.update(changes)
        return {k: v for k, v in c.items() if v is not None}

    def sign(key, alg, kid, **changes):
        return jwt.encode(claims(**changes), key, algorithm=alg, headers={"kid": kid})

    # RS256 with the RSA key's public PEM as the HMAC secret: PyJWT refuses to make it, as it
    # should, so the HMAC is computed here.
    pem = rsa_1.public_key().public_bytes(serialization.Encoding.PEM,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = (b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
                     + "." + b64url(json.dumps(claims()).encode()))
    hs256 = signing_input + "." + b64url(
        hmac.new(pem, signing_input.encode(), hashlib.sha256).digest())

    good = sign(rsa_1, "RS256", "rsa-1")
    k8s_claims = {
        "iss": ISSUER_K8S, "aud": ["vellum"], "sub": "system:serviceaccount:ml:deployer",
        "iat": now, "nbf": now, "exp": now + 600,
        "kubernetes.io": {"namespace": "ml", "pod": {"name": "deployer-7d9", "uid": "p-1"},
                          "serviceaccount": {"name": "deployer", "uid": "sa-1"}},
    }
    groups = "ml-writers,ml-auditors"
    alice = ISSUER_A + "#alice"
    cases = [
        ("rs256_valid", "auth", good, "ok", alice, groups),
        ("es256_valid", "auth", sign(ec_1, "ES256", "ec-1"), "ok", alice, groups),
        ("eddsa_valid", "auth", sign(ed_1, "EdDSA", "ed-1"), "ok", alice, groups),
        ("aud_array_valid", "auth", sign(rsa_1, "RS256", "rsa-1", aud=["other", "vellum"]),
         "ok", alice, groups),
        ("expired", "auth", sign(rsa_1, "RS256", "rsa-1", exp=now - 3600, iat=now - 7200,
                                 nbf=None), "refuse", "JWT exp: expired at"),
        ("not_yet_valid", "auth", sign(rsa_1, "RS256", "rsa-1", nbf=now + 3600), "refuse",
         "JWT nbf: not valid before"),
        ("issued_in_future", "auth", sign(ec_1, "ES256", "ec-1", iat=now + 3600), "refuse",
         "JWT iat: issued in the future"),
        ("no_exp", "auth", sign(rsa_1, "RS256", "rsa-1", exp=None), "refuse", "JWT exp: missing"),
        ("wrong_issuer", "auth", sign(rsa_1, "RS256", "rsa-1", iss=ISSUER_A + "/"), "refuse",
         "JWT iss: got \"" + ISSUER_A + "/\", not a configured issuer"),
        ("wrong_issuer_direct", ISSUER_A, sign(rsa_1, "RS256", "rsa-1", iss=ISSUER_B), "refuse",
         "JWT iss: got \"" + ISSUER_B + "\", want \"" + ISSUER_A + "\""),
        ("wrong_audience", "auth", sign(rsa_1, "RS256", "rsa-1", aud="other"), "refuse",
         "JWT aud: got [\"other\"], want one of [\"vellum\"]"),
        ("no_audience", "auth", sign(rsa_1, "RS256", "rsa-1", aud=None), "refuse",
         "JWT aud: missing"),
        ("alg_none", "auth", jwt.encode(claims(), None, algorithm="none"), "refuse",
         "JWT alg: got \"none\""),
        ("hs256_with_rsa_public_key", "auth", hs256, "refuse", "JWT alg: got \"HS256\""),
        ("hs256_with_rsa_public_key_direct", ISSUER_A, hs256, "refuse", "JWT alg: got \"HS256\""),
        ("es256_for_rs256_pinned_issuer", "auth",
         sign(ec_1, "ES256", "ec-1", iss=ISSUER_B), "refuse",
         "JWT alg: got \"ES256\", want one of [RS256]"),
        ("rs256_header_with_ec_key", "auth",
         jwt.encode(claims(), rsa_1, algorithm="RS256", headers={"kid": "ec-1"}), "refuse",
         "JWT alg: got RS256, but key \"ec-1\" is a ES256 key"),
        ("eddsa_wrong_key", "auth", sign(ed_other, "EdDSA", "ed-1"), "refuse",
         "JWT signature: EdDSA signature does not verify"),
        ("rs256_other_claims", "auth",
         good.split(".")[0] + "." + b64url(json.dumps(claims(sub="mallory")).encode()) + "."
         + good.split(".")[2], "refuse", "JWT signature: RS256 signature does not verify"),
        ("truncated", "auth", good[:-10], "refuse", "JWT signature:"),
        ("truncated_to_two_parts", "auth", good[:good.rindex(".")], "refuse",
         "JWT token: got 2 dot-separated parts, want 3"),
        ("oversized", "auth", sign(rsa_1, "RS256", "rsa-1", pad="p" * 20000), "refuse",
         "JWT token: got"),
        ("token_for_another_issuer", ISSUER_B, sign(b_1, "RS256", "b-1", iss=ISSUER_B), "ok",
         ISSUER_B + "#alice", groups),
        ("another_issuers_token_with_our_key", "auth",
         sign(rsa_1, "RS256", "rsa-1", iss=ISSUER_B), "refuse", "JWT kid: got \"rsa-1\""),
        ("k8s_service_account", "auth",
         jwt.encode(k8s_claims, k8s, algorithm="RS256", headers={"kid": "k8s-1"}), "ok",
         "system:serviceaccount:ml:deployer", "system:serviceaccounts,system:serviceaccounts:ml"),
        ("unknown_kid_before_a_minute", "auth", sign(rsa_2, "RS256", "rsa-2"), "refuse",
         "JWT kid: got \"rsa-2\", not among the issuer's 3 keys (the JWKS is refetched at most"),
    ]
    lines = []

    def add(case):
        name = case[0]
        path = os.path.join(out, name + ".jwt")
        with open(path, "w") as f:
            f.write(case[2])
        lines.append(" ".join(["CASE", name, case[1], name + ".jwt"] + list(case[3:])))

    for case in cases:
        add(case)
    lines.append("FETCHES " + ISSUER_A + " 1")
    lines.append("ADVANCE 61")
    add(("unknown_kid_refetched", "auth", sign(rsa_2, "RS256", "rsa-2"), "ok", alice, groups))
    lines.append("FETCHES " + ISSUER_A + " 2")
    with open(os.path.join(out, "cases.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: jwt_interop_tokens.py DIR")
    main(sys.argv[1])
