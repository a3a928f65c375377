"""private_key_jwt and client_secret_jwt end to end: assertions made by PyJWT, sent over HTTP
(and curl) to a running server; every rule of the client assertion reference and the attacks
that apply to a client assertion."""
import base64
import http.server
import socket
import json
import os
import subprocess
import threading
import time
import unittest
import urllib.parse

import jwt
from cryptography.hazmat.primitives import serialization

import assertions as A
from harness import FORM, ServerTestCase, basic, edit


class JwksServer:
    """A client's jwks_uri on loopback: mutable key sets, counted fetches."""

    def __init__(self):
        self.sets = {}
        self.fetches = {}
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.fetches[self.path] = outer.fetches.get(self.path, 0) + 1
                body = json.dumps(outer.sets.get(self.path, {"keys": []})).encode()
                self.send_response(200 if self.path in outer.sets else 404)
                self.send_header("Content-Type", "application/jwk-set+json")
                self.send_header("Cache-Control", "max-age=600")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()


class AssertionTestBase(ServerTestCase, unittest.TestCase):
    properties = ""

    @classmethod
    def prepare_home(cls, home):
        edit(home + "/conf/server.xml", 'refetchIntervalSeconds="30" allowPrivateAddresses="false"',
             'refetchIntervalSeconds="1" allowPrivateAddresses="true"')
        if cls.properties:  # replaces the first (private_key_jwt) entry's reuse and age settings
            edit(home + "/conf/identity.xml", '<Property name="PreventTokenReuse">true</Property>\n'
                 '      <Property name="RejectBeforeInMinutes">300</Property>', cls.properties)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token_url = cls.server.url + "/oauth2/token"
        cls.jwks = JwksServer()

    @classmethod
    def tearDownClass(cls):
        cls.jwks.stop()
        super().tearDownClass()

    def post(self, params, path="/oauth2/token", headers=None):
        h = dict(FORM, **(headers or {}))
        return self.server.request("POST", path, urllib.parse.urlencode(params), h)

    def expect_denied(self, params, description, status=401, error="invalid_client"):
        r = self.post(params)
        self.assertEqual((r.status, r.json().get("error"), r.json().get("error_description")),
                         (status, error, description), r.text)

    _counter = 0

    def pk_client(self, alg="ES256", kid="k1", **metadata):
        AssertionTestBase._counter += 1
        client_id = "pk-%s-%d" % (alg.lower(), AssertionTestBase._counter)
        key = A.private_key(alg)
        body = {"client_id": client_id, "token_endpoint_auth_method": "private_key_jwt",
                "jwks": {"keys": [A.public_jwk(key, kid)]}}
        body.update(metadata)
        self.server.register(**body)
        return client_id, key


class PrivateKeyJwtTest(AssertionTestBase):
    def test_every_algorithm_with_inline_jwks_then_replay(self):
        for alg in A.ASYMMETRIC:
            with self.subTest(alg=alg):
                client_id, key = self.pk_client(alg)
                assertion = A.sign(A.claims(client_id, self.token_url), key, alg, kid="k1")
                r = self.post(A.form(assertion))
                self.assertEqual(r.status, 200, r.text)
                token = r.json()["access_token"]
                keys = jwt.PyJWKClient(self.server.url + "/oauth2/jwks")
                claims = jwt.decode(token, keys.get_signing_key_from_jwt(token).key, algorithms=["ES256"],
                                    audience=self.server.url)
                self.assertEqual(claims["client_id"], client_id)
                self.expect_denied(A.form(assertion), "jti already used")

    def test_curl_on_liferay_path_with_token_url_audience(self):
        client_id, key = self.pk_client("RS256")
        aud = self.server.url + "/o/oauth2/token"
        assertion = A.sign(A.claims(client_id, aud), key, "RS256", kid="k1")
        out = subprocess.run(["curl", "-sS", "-d", "grant_type=client_credentials",
                              "-d", "client_assertion_type=" + A.JWT_BEARER, "-d", "client_assertion=" + assertion,
                              "-d", "client_id=" + client_id, self.server.url + "/o/oauth2/token"],
                             capture_output=True, text=True, timeout=30)
        self.assertIn('"access_token"', out.stdout)

    def test_issuer_and_one_element_array_audiences(self):
        client_id, key = self.pk_client()
        for aud in (self.server.url, [self.token_url]):
            r = self.post(A.form(A.sign(A.claims(client_id, aud), key, "ES256", kid="k1")))
            self.assertEqual(r.status, 200, (aud, r.text))

    def test_audience_attacks(self):
        client_id, key = self.pk_client()
        for aud in ([self.server.url, "https://evil.example"], [123], self.server.url + "/", "https://evil.example",
                    [], None):
            with self.subTest(aud=aud):
                c = A.claims(client_id, aud)
                if aud is None:
                    del c["aud"]
                self.expect_denied(A.form(A.sign(c, key, "ES256", kid="k1")), "aud not accepted")

    def test_strict_audience_per_client(self):
        client_id, key = self.pk_client(client_assertion_audience_mode="strict")
        self.expect_denied(A.form(A.sign(A.claims(client_id, self.token_url), key, "ES256", kid="k1")),
                           "aud not accepted")
        r = self.post(A.form(A.sign(A.claims(client_id, self.server.url), key, "ES256", kid="k1")))
        self.assertEqual(r.status, 200, r.text)

    def test_time_rules(self):
        client_id, key = self.pk_client()
        now = int(time.time())
        cases = [
            (dict(exp=now - 61), "assertion expired"),
            (dict(nbf=now + 120), "assertion not yet valid"),
            (dict(iat=now + 120), "assertion issued in the future"),
            (dict(iat=now - 301 * 60 - 60), "assertion too old"),
            (dict(exp=now + 2 * 3600), "assertion lifetime too long"),
            (dict(exp=None), "exp is required"),
            (dict(exp="9999999999"), "exp, nbf and iat must be numeric dates"),
            (dict(exp=1e30), "exp, nbf and iat must be numeric dates"),
            (dict(exp=2 ** 64 + 1), "exp, nbf and iat must be numeric dates"),
            (dict(exp=-1), "exp, nbf and iat must be numeric dates"),
            (dict(exp=True), "exp, nbf and iat must be numeric dates"),
            (dict(iat="now"), "exp, nbf and iat must be numeric dates"),
            (dict(jti=None), "jti is required (a string of 1-255 characters)"),
            (dict(jti=42), "jti is required (a string of 1-255 characters)"),
        ]
        for overrides, description in cases:
            with self.subTest(overrides=overrides):
                c = A.claims(client_id, self.token_url, **{k: v for k, v in overrides.items() if v is not None})
                for k, v in overrides.items():
                    if v is None:
                        c.pop(k)
                self.expect_denied(A.form(A.sign(c, key, "ES256", kid="k1")), description)
        # Within the skew: accepted. Fractional seconds are allowed.
        c = A.claims(client_id, self.token_url, exp=now - 30, iat=now - 40, nbf=now + 30)
        self.assertEqual(self.post(A.form(A.sign(c, key, "ES256", kid="k1"))).status, 200)
        c = A.claims(client_id, self.token_url, exp=now + 30.5)
        self.assertEqual(self.post(A.form(A.sign(c, key, "ES256", kid="k1"))).status, 200)

    def test_identity_rules(self):
        client_id, key = self.pk_client()
        self.expect_denied(A.form(A.sign(A.claims(client_id, self.token_url, iss="other"), key, "ES256", kid="k1")),
                           "iss and sub must both equal the client id")
        self.expect_denied(A.form(A.sign(A.claims("nobody", self.token_url), key, "ES256", kid="k1")),
                           "client unknown")
        self.expect_denied(A.form(A.sign(A.claims(client_id, self.token_url), key, "ES256", kid="k1"),
                                  client_id="someone-else"),
                           "client_id does not match the assertion's sub", 400, "invalid_request")

    def test_a_failed_assertion_does_not_burn_its_jti(self):
        client_id, key = self.pk_client()
        c = A.claims(client_id, "https://evil.example")
        self.expect_denied(A.form(A.sign(c, key, "ES256", kid="k1")), "aud not accepted")
        c["aud"] = self.token_url
        self.assertEqual(self.post(A.form(A.sign(c, key, "ES256", kid="k1"))).status, 200)

    def test_request_errors(self):
        client_id, key = self.pk_client()
        a = A.sign(A.claims(client_id, self.token_url), key, "ES256", kid="k1")
        r = self.post({"grant_type": "client_credentials", "client_assertion_type": "jwt-bearer",
                       "client_assertion": a})
        self.assertEqual((r.status, r.json()["error"]), (400, "invalid_request"))
        r = self.post({"grant_type": "client_credentials", "client_assertion_type": A.JWT_BEARER})
        self.assertEqual((r.status, r.json()["error_description"]), (400, "client_assertion is required"))
        r = self.post(A.form(a), headers={"Authorization": basic(client_id, "x")})
        self.assertEqual((r.status, r.json()["error_description"]),
                         (400, "more than one client authentication method used"))

    def test_algorithm_pinning_and_confusion(self):
        client_id, key = self.pk_client("RS256", token_endpoint_auth_signing_alg="RS256")
        self.expect_denied(A.form(A.sign(A.claims(client_id, self.token_url), A.private_key("PS256"), "PS256",
                                         kid="k1")), "algorithm not allowed")
        # HS256 MACed with the client's public key (PEM) as the secret: classic RS/HS confusion.
        pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        forged = self.hs256(A.claims(client_id, self.token_url), pem, kid="k1")
        self.expect_denied(A.form(forged), "algorithm not allowed")
        der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        n = A.public_jwk(key)["n"].encode()
        for secret in (der, n, b""):
            forged = self.hs256(A.claims(client_id, self.token_url), secret, kid="k1")
            self.expect_denied(A.form(forged), "algorithm not allowed")
        for none in ("none", "None", "NONE"):
            self.expect_denied(A.form(self.raw({"alg": none}, A.claims(client_id, self.token_url), b"")),
                               "algorithm not allowed")

    def test_kid_and_header_key_injection(self):
        client_id, key = self.pk_client()
        other_id, other_key = self.pk_client(kid="other-kid")
        for kid in ("../../dev/null", "' OR '1'='1", "x" * 10000, "k1\u0000", "other-kid"):
            with self.subTest(kid=kid[:20]):
                a = A.sign(A.claims(client_id, self.token_url), key, "ES256", kid=kid)
                r = self.post(A.form(a))
                self.assertEqual(r.status, 401 if len(a) < 16384 else 400, r.text)
                if r.status == 401:
                    # A NUL never reaches a lookup: the strict JSON parser refuses the header.
                    self.assertEqual(r.json()["error_description"],
                                     "malformed client_assertion (bad header)" if "\u0000" in kid
                                     else "unknown kid")
        attacker = A.private_key("ES256")
        for header in ({"jwk": A.public_jwk(attacker)}, {"jku": self.jwks.url + "/evil"},
                       {"x5u": self.jwks.url + "/evil"}):
            a = A.sign(A.claims(client_id, self.token_url), attacker, "ES256", kid="k1", **header)
            self.expect_denied(A.form(a), "bad signature")

    def test_curve_must_match_algorithm(self):
        # A P-384 key registered; an assertion that claims ES256 but is signed with that key.
        client_id, key = self.pk_client("ES384")
        a = A.sign(A.claims(client_id, self.token_url), key, "ES384", kid="k1")
        head, body, sig = a.split(".")
        header = self.b64(json.dumps({"alg": "ES256", "kid": "k1"}).encode())
        self.expect_denied(A.form("%s.%s.%s" % (header, body, sig)), "algorithm not allowed")

    def test_registration_refuses_weak_and_invalid_keys(self):
        off_curve = {"kty": "EC", "crv": "P-256", "kid": "x", "x": self.b64(b"\x01" * 32), "y": self.b64(b"\x02" * 32)}
        small_rsa = A.public_jwk(A.private_key("RS256", rsa_bits=1024), "small")
        for jwk, description in ((off_curve, "jwks: EC point is not on the curve"),
                                 (small_rsa, "jwks: RSA key smaller than 2048 bits")):
            r = self.server.admin("POST", "/api/admin/clients", {"token_endpoint_auth_method": "private_key_jwt",
                                                                 "jwks": {"keys": [jwk]}})
            self.assertEqual((r.status, r.json()["error_description"]), (400, description))
        # More keys than the token endpoint accepts in a set: refused here, not at every assertion.
        key = A.public_jwk(A.private_key("ES256"), "k")
        many = [dict(key, kid="k%d" % i) for i in range(101)]
        r = self.server.admin("POST", "/api/admin/clients", {"token_endpoint_auth_method": "private_key_jwt",
                                                             "jwks": {"keys": many}})
        self.assertEqual((r.status, r.json()), (400, {
            "error": "invalid_client_metadata",
            "error_description": "jwks holds 101 keys; at most 100 are accepted"}))
        r = self.server.admin("POST", "/api/admin/clients", {"token_endpoint_auth_method": "private_key_jwt",
                                                             "jwks": {"keys": many[:100]}})
        self.assertEqual(r.status, 201, r.text)

    def test_replay_near_the_end_of_the_skew_window(self):
        client_id, key = self.pk_client()
        c = A.claims(client_id, self.token_url, exp=int(time.time()) - 59, iat=int(time.time()) - 100)
        a = A.sign(c, key, "ES256", kid="k1")
        self.assertEqual(self.post(A.form(a)).status, 200, "exp + skew - 1 s is still valid")
        self.expect_denied(A.form(a), "jti already used")

    def test_crit_is_refused(self):
        client_id, key = self.pk_client()
        for crit in (["exp2"], [], ["alg"]):
            a = A.sign(A.claims(client_id, self.token_url), key, "ES256", kid="k1", crit=crit)
            self.expect_denied(A.form(a), "crit header not supported")

    def test_typ_confusion(self):
        client_id, key = self.pk_client()
        for typ in ("at+jwt", "application/at+jwt", "id_token+jwt", "logout+jwt"):
            a = A.sign(A.claims(client_id, self.token_url), key, "ES256", kid="k1", typ=typ)
            self.expect_denied(A.form(a), "typ '%s' is not a client assertion" % typ)
        for typ in ("JWT", "client-authentication+jwt"):
            a = A.sign(A.claims(client_id, self.token_url), key, "ES256", kid="k1", typ=typ)
            self.assertEqual(self.post(A.form(a)).status, 200, typ)

    def test_psychic_and_malformed_ecdsa_signatures(self):
        client_id, key = self.pk_client()
        good = A.sign(A.claims(client_id, self.token_url), key, "ES256", kid="k1")
        head, body, sig = good.split(".")
        raw = base64.urlsafe_b64decode(sig + "==")
        n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
        bad_sigs = [b"\x00" * 64, b"\x00" * 32 + raw[32:], raw[:32] + b"\x00" * 32,
                    n.to_bytes(32, "big") + raw[32:], raw[:32] + n.to_bytes(32, "big"), raw[:63], raw + b"\x00"]
        from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
        bad_sigs.append(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")))
        for s in bad_sigs:
            forged = "%s.%s.%s" % (head, body, base64.urlsafe_b64encode(s).rstrip(b"=").decode())
            self.expect_denied(A.form(forged), "bad signature")

    def test_short_rsa_signature(self):
        client_id, key = self.pk_client("RS256")
        head, body, _ = A.sign(A.claims(client_id, self.token_url), key, "RS256", kid="k1").split(".")
        self.expect_denied(A.form("%s.%s.AAAA" % (head, body)), "bad signature")

    def test_malformed_compact_serializations(self):
        client_id, key = self.pk_client()
        good = A.sign(A.claims(client_id, self.token_url), key, "ES256", kid="k1")
        head, body, sig = good.split(".")
        header_json = base64.urlsafe_b64decode(head + "==").decode()
        cases = {
            "two segments": "%s.%s" % (head, body),
            "four segments": "%s.%s.%s.%s" % (head, body, sig, sig),
            "empty header": ".%s.%s" % (body, sig),
            "padding": "%s.%s.%s" % (head, body + "==", sig),
            "standard alphabet": good.replace("-", "+").replace("_", "/") if ("-" in good or "_" in good) else None,
            "whitespace": "%s .%s.%s" % (head, body, sig),
            "json serialization": json.dumps({"payload": body, "signature": sig}),
            "duplicate claim": "%s.%s.%s" % (head, self.b64(b'{"sub":"a","sub":"b"}'), sig),
            "duplicate alg": "%s.%s.%s" % (self.b64(header_json[:-1].encode() + b',"alg":"ES256"}'), body, sig),
            "deep nesting": "%s.%s.%s" % (head, self.b64(b'{"a":' + b"[" * 1000 + b"]" * 1000 + b"}"), sig),
        }
        for name, token in cases.items():
            if token is None:
                continue
            with self.subTest(case=name):
                r = self.post(A.form(token))
                self.assertEqual(r.status, 401, r.text)
                self.assertTrue(r.json()["error_description"].startswith("malformed client_assertion"), r.text)
        # Non-canonical base64url: the unused low bits of the last character set.
        last = sig[-1]
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        tweaked = sig[:-1] + alphabet[alphabet.index(last) | 1] if alphabet.index(last) % 2 == 0 else None
        if tweaked and len(sig) % 4 != 0:
            r = self.post(A.form("%s.%s.%s" % (head, body, tweaked)))
            self.assertEqual(r.status, 401)

    def test_size_caps(self):
        client_id, key = self.pk_client()
        big = A.sign(A.claims(client_id, self.token_url, pad="x" * 20000), key, "ES256", kid="k1")
        r = self.post(A.form(big))
        self.assertEqual((r.status, r.json()["error_description"]), (400, "client_assertion is too large"))
        r = self.server.request("POST", "/oauth2/token", "client_assertion=" + "." * 100000, FORM)
        self.assertEqual(r.status, 413)
        # 10 MB announced: refused from the Content-Length, before the body is read.
        host, port = self.server.url.split("//")[1].split(":")
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(b"POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                      b"Content-Length: 10485760\r\n\r\nclient_assertion=aaaa")
            self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 413"))

    def test_jwks_uri_with_key_rotation_and_throttled_refetch(self):
        path = "/jwks-%d" % os.getpid()
        key_a, key_b, key_c = A.private_key("ES256"), A.private_key("ES256"), A.private_key("ES256")
        self.jwks.sets[path] = {"keys": [A.public_jwk(key_a, "a")]}
        self.server.register(client_id="uri-client", token_endpoint_auth_method="private_key_jwt",
                             jwks_uri=self.jwks.url + path)
        ok = lambda k, kid: self.post(A.form(A.sign(A.claims("uri-client", self.token_url), k, "ES256", kid=kid)))
        self.assertEqual(ok(key_a, "a").status, 200)
        self.assertEqual(ok(key_a, "a").status, 200)
        self.assertEqual(self.jwks.fetches[path], 1, "cached (max-age=600)")
        time.sleep(1.1)
        self.jwks.sets[path] = {"keys": [A.public_jwk(key_b, "b")]}  # the client rotates
        r = ok(key_b, "b")
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(self.jwks.fetches[path], 2, "one refetch for the unknown kid")
        # Unknown kids right after: at most one refetch per interval.
        for _ in range(3):
            r = ok(key_c, "c")
            self.assertEqual(r.json()["error_description"], "unknown kid")
        self.assertEqual(self.jwks.fetches[path], 2)
        time.sleep(1.1)
        self.assertEqual(ok(key_c, "c").json()["error_description"], "unknown kid")
        self.assertEqual(self.jwks.fetches[path], 3)

    def test_unreachable_jwks_uri(self):
        self.server.register(client_id="dead-uri", token_endpoint_auth_method="private_key_jwt",
                             jwks_uri="http://127.0.0.1:9/jwks")
        a = A.sign(A.claims("dead-uri", self.token_url), A.private_key("ES256"), "ES256", kid="a")
        self.expect_denied(A.form(a), "client keys unavailable (jwks_uri)")

    @staticmethod
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    def raw(self, header, payload, signature):
        return "%s.%s.%s" % (self.b64(json.dumps(header).encode()), self.b64(json.dumps(payload).encode()),
                             self.b64(signature))

    def hs256(self, payload, secret, kid):
        import hashlib
        import hmac
        signing_input = "%s.%s" % (self.b64(json.dumps({"alg": "HS256", "kid": kid}).encode()),
                                   self.b64(json.dumps(payload).encode()))
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        return signing_input + "." + self.b64(mac)


class ClientSecretJwtTest(AssertionTestBase):
    def register(self, alg=None, secret="s3cret-" + "x" * 57):
        AssertionTestBase._counter += 1
        client_id = "cs-%d" % AssertionTestBase._counter
        body = {"client_id": client_id, "token_endpoint_auth_method": "client_secret_jwt", "client_secret": secret}
        if alg:
            body["token_endpoint_auth_signing_alg"] = alg
        self.server.register(**body)
        return client_id, secret

    def test_every_hmac_algorithm_keyed_with_the_secret_bytes(self):
        for alg in A.HMAC:
            with self.subTest(alg=alg):
                client_id, secret = self.register()
                a = A.sign(A.claims(client_id, self.server.url + "/o/oauth2/token"), secret.encode(), alg)
                r = self.post(A.form(a, client_id=client_id), path="/o/oauth2/token")
                self.assertEqual(r.status, 200, r.text)
                self.expect_denied(A.form(a), "jti already used")

    def test_base64_of_the_secret_is_not_the_key(self):
        client_id, secret = self.register()
        a = A.sign(A.claims(client_id, self.token_url), base64.b64encode(secret.encode()), "HS256")
        self.expect_denied(A.form(a), "bad signature")

    def test_pinned_algorithm(self):
        client_id, secret = self.register(alg="HS512")
        self.expect_denied(A.form(A.sign(A.claims(client_id, self.token_url), secret.encode(), "HS256")),
                           "algorithm not allowed")
        self.assertEqual(self.post(A.form(A.sign(A.claims(client_id, self.token_url), secret.encode(), "HS512"))).status,
                         200)

    def test_asymmetric_algorithm_is_not_allowed(self):
        client_id, _ = self.register()
        a = A.sign(A.claims(client_id, self.token_url), A.private_key("ES256"), "ES256")
        self.expect_denied(A.form(a), "algorithm not allowed")

    def test_registration_refuses_short_secrets(self):
        r = self.server.admin("POST", "/api/admin/clients", {"token_endpoint_auth_method": "client_secret_jwt",
                                                             "client_secret": "x" * 31})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error_description"],
                         "client_secret for client_secret_jwt must be at least 32 bytes (the hash size of HS256)")

    def test_generated_secret_works(self):
        created = self.server.register(token_endpoint_auth_method="client_secret_jwt")
        secret = created["client_secret"]
        self.assertGreaterEqual(len(secret.encode()), 64)
        a = A.sign(A.claims(created["client_id"], self.token_url), secret.encode(), "HS512")
        self.assertEqual(self.post(A.form(a)).status, 200)


class AliasAndReuseTest(AssertionTestBase):
    properties = ('<Property name="TokenEndPointAlias">https://idp.example.com/oauth2/token</Property>'
                  '<Property name="preventTokenReuse">false</Property>'
                  '<Property name="RejectBeforeInMinutes">0</Property>')

    def test_alias_is_accepted_audience_and_reuse_allowed(self):
        client_id, key = self.pk_client()
        a = A.sign(A.claims(client_id, "https://idp.example.com/oauth2/token", iat=int(time.time()) - 86400 * 30),
                   key, "ES256", kid="k1")
        self.assertEqual(self.post(A.form(a)).status, 200)
        self.assertEqual(self.post(A.form(a)).status, 200, "PreventTokenReuse=false")
        log = self.server.log()
        self.assertIn("property spelled 'preventTokenReuse'", log)
        self.assertIn("audience aliases from property spelled 'TokenEndPointAlias'", log)
        # A plugin's own log lines name it and the identity.xml EventListener it runs under.
        line = [l for l in log.splitlines() if "property spelled 'preventTokenReuse'" in l][0]
        self.assertIn(" idgate.plugin.private_key_jwt(org.wso2.carbon.identity.oauth2.token.handler."
                      "clientauth.jwt.PrivateKeyJWTClientAuthenticator): ", line)


if __name__ == "__main__":
    unittest.main()
