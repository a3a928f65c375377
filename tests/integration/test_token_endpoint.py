"""Token endpoint, metadata endpoints and protocol errors, over HTTP against a running server."""
import json
import socket
import unittest

import jwt

from harness import ADMIN_PASSWORD, FORM, ServerTestCase, basic, form

GRANT = "grant_type=client_credentials"


class TokenEndpointTest(ServerTestCase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.basic = cls.server.register(client_id="basic-app", scope="orders:read orders:write",
                                        client_name="Basic app")
        cls.post = cls.server.register(client_id="post-app", token_endpoint_auth_method="client_secret_post",
                                       client_secret="a-post-secret-of-32-characters!!")
        cls.public = cls.server.register(client_id="spa", token_endpoint_auth_method="none")

    def verify(self, token, audience=None):
        """Verifies with PyJWT against the published JWKS: an implementation that is not ours."""
        jwks = jwt.PyJWKClient(self.server.url + "/oauth2/jwks")
        key = jwks.get_signing_key_from_jwt(token)
        self.assertEqual(jwt.get_unverified_header(token)["typ"], "at+jwt")
        return jwt.decode(token, key.key, algorithms=["ES256"], audience=audience or self.server.url,
                          issuer=self.server.url)

    def test_client_secret_basic_with_curl(self):
        code, body = self.server.curl_token(GRANT, "scope=orders:read",
                                            user="basic-app:" + self.basic["client_secret"])
        self.assertEqual(code, 200, body)
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["expires_in"], 3600)
        self.assertEqual(body["scope"], "orders:read")
        claims = self.verify(body["access_token"])
        self.assertEqual(claims["sub"], "basic-app")
        self.assertEqual(claims["client_id"], "basic-app")
        self.assertEqual(claims["scope"], "orders:read")
        self.assertEqual(claims["exp"] - claims["iat"], 3600)
        self.assertTrue(claims["jti"])

    def test_client_secret_post_on_liferay_path(self):
        code, body = self.server.curl_token(GRANT, "client_id=post-app",
                                            "client_secret=a-post-secret-of-32-characters!!",
                                            path="/o/oauth2/token")
        self.assertEqual(code, 200, body)
        self.assertNotIn("scope", body)
        self.assertEqual(self.verify(body["access_token"])["sub"], "post-app")

    def test_default_scope_is_the_registered_scope(self):
        code, body = self.server.curl_token(GRANT, user="basic-app:" + self.basic["client_secret"])
        self.assertEqual(code, 200)
        self.assertEqual(body["scope"], "orders:read orders:write")

    def test_resource_parameters_become_audience(self):
        code, body = self.server.curl_token(GRANT, "resource=https://api.example.com/a",
                                            "resource=https://api.example.com/b",
                                            user="basic-app:" + self.basic["client_secret"])
        self.assertEqual(code, 200, body)
        claims = self.verify(body["access_token"], audience="https://api.example.com/b")
        self.assertEqual(claims["aud"], ["https://api.example.com/a", "https://api.example.com/b"])

    def test_wrong_secret_is_401_with_basic_challenge(self):
        r = self.server.request("POST", "/oauth2/token", GRANT,
                                dict(FORM, Authorization=basic("basic-app", "wrong")))
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json(), {"error": "invalid_client",
                                    "error_description": "client unknown or secret does not match"})
        self.assertEqual(r.headers["www-authenticate"], 'Basic realm="idgate", charset="UTF-8"')
        self.assertEqual(r.headers["cache-control"], "no-store")

    def test_wrong_post_secret_has_no_basic_challenge(self):
        r = self.server.request("POST", "/oauth2/token",
                                form(grant_type="client_credentials", client_id="post-app", client_secret="x" * 20),
                                FORM)
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json()["error"], "invalid_client")
        self.assertNotIn("www-authenticate", r.headers)

    def test_unknown_client_looks_like_a_wrong_secret(self):
        for user in ("nobody:whatever", "basic-app:whatever"):
            code, body = self.server.curl_token(GRANT, user=user)
            self.assertEqual((code, body), (401, {"error": "invalid_client",
                                                  "error_description": "client unknown or secret does not match"}))
        for client_id in ("nobody", "post-app"):
            r = self.server.request("POST", "/oauth2/token", form(grant_type="client_credentials", client_id=client_id,
                                                                 client_secret="x" * 20), FORM)
            self.assertEqual((r.status, r.json()["error_description"]),
                             (401, "client unknown or secret does not match"), client_id)

    def test_registered_method_is_enforced(self):
        code, body = self.server.curl_token(GRANT, "client_id=basic-app",
                                            "client_secret=" + self.basic["client_secret"])
        self.assertEqual(code, 401)
        self.assertEqual(body["error_description"],
                         "client is registered for client_secret_basic, not client_secret_post")

    def test_public_client_may_not_use_client_credentials(self):
        code, body = self.server.curl_token(GRANT, "client_id=spa")
        self.assertEqual((code, body["error"]), (400, "unauthorized_client"))
        # Without credentials, an unknown id and a confidential client's id get the same answer.
        for client_id in ("nobody", "basic-app"):
            code, body = self.server.curl_token(GRANT, "client_id=" + client_id)
            self.assertEqual((code, body), (401, {
                "error": "invalid_client",
                "error_description": "client unknown, or not registered for token_endpoint_auth_method none"}))

    def test_two_methods_at_once_is_invalid_request(self):
        code, body = self.server.curl_token(GRANT, "client_secret=x", user="basic-app:" + self.basic["client_secret"])
        self.assertEqual(code, 400)
        self.assertEqual(body, {"error": "invalid_request",
                                "error_description": "more than one client authentication method used"})

    def test_no_credentials_is_invalid_client(self):
        code, body = self.server.curl_token(GRANT)
        self.assertEqual((code, body["error"]), (401, "invalid_client"))

    def test_repeated_parameter_is_invalid_request(self):
        code, body = self.server.curl_token(GRANT, GRANT, user="basic-app:" + self.basic["client_secret"])
        self.assertEqual(code, 400)
        self.assertEqual(body["error_description"], "parameter 'grant_type' is repeated")

    def test_grant_and_scope_errors(self):
        user = "basic-app:" + self.basic["client_secret"]
        self.assertEqual(self.server.curl_token("scope=x", user=user)[1]["error"], "invalid_request")
        self.assertEqual(self.server.curl_token("grant_type=password", user=user)[1]["error"], "unsupported_grant_type")
        code, body = self.server.curl_token(GRANT, "scope=admin", user=user)
        self.assertEqual((code, body["error"]), (400, "invalid_scope"))
        code, body = self.server.curl_token(GRANT, "resource=relative/path", user=user)
        self.assertEqual((code, body["error"]), (400, "invalid_target"))

    def test_form_values_must_be_utf8_and_resource_an_absolute_uri(self):
        auth = dict(FORM, Authorization=basic("basic-app", self.basic["client_secret"]))
        r = self.server.request("POST", "/oauth2/token", GRANT + "&resource=https://x/%FF", auth)
        self.assertEqual((r.status, r.json()), (400, {
            "error": "invalid_request",
            "error_description": "parameter 'resource' is not valid UTF-8 after percent-decoding"}))
        for resource in ("https://x/a#frag", "https://caf\u00e9.example/", "https://x/a b", "urn:x", "https://x/%G1"):
            with self.subTest(resource=resource):
                r = self.server.request("POST", "/oauth2/token", GRANT + "&" + form(resource=resource), auth)
                self.assertEqual((r.status, r.json()["error"]), (400, "invalid_target"), r.text)
                self.assertIn("absolute URI without fragment", r.json()["error_description"])
        r = self.server.request("POST", "/oauth2/token", GRANT + "&resource=https%3A%2F%2Fx%2F%25FF", auth)
        self.assertEqual(r.status, 200, "a percent-encoded byte inside the URI is fine")
        self.assertEqual(jwt.decode(r.json()["access_token"], options={"verify_signature": False})["aud"],
                         "https://x/%FF")

    def test_json_bodies_and_log_lines_carry_no_raw_bytes(self):
        auth = dict(FORM, Authorization=basic("basic-app", self.basic["client_secret"]))
        r = self.server.request("POST", "/oauth2/token", "grant_type=%FF%FE", auth)
        self.assertEqual((r.status, r.json()["error"]), (400, "invalid_request"))
        r.data.decode("utf-8")  # strict: raises on an invalid byte
        # Valid UTF-8 with control characters: echoed escaped in JSON, never raw in the log.
        r = self.server.request("POST", "/oauth2/token", "grant_type=x%0A2026-01-01T00:00:00.000Z%20Fatal%20forged%1B%5B31m%C2%9B", auth)
        self.assertEqual((r.status, r.json()["error"]), (400, "unsupported_grant_type"))
        self.assertIn("\\n2026-01-01", r.data.decode("utf-8"))
        self.assertNotIn(b"\x1b", r.data)
        r = self.server.request("GET", "/api/admin/clients/%FF%0Aforged",
                                headers={"Authorization": basic("admin", ADMIN_PASSWORD)})
        self.assertEqual(r.status, 404)
        self.assertEqual(r.data.decode("utf-8"), json.dumps(
            {"error": "not_found", "error_description": "no client '\ufffd\nforged'"}, separators=(",", ":")))
        log = self.server.log()
        self.assertNotIn("\x1b", log)
        self.assertNotIn("\x9b", log)
        for line in log.splitlines():
            self.assertFalse(line.startswith("2026-01-01T00:00:00.000Z"), line)
            self.assertFalse(line.startswith("forged"), line)
        self.assertIn("\\n2026-01-01", log, "the value is there, escaped")

    def test_api_me_without_any_openid_connect_client_says_so(self):
        token = self.server.curl_token(GRANT, user="basic-app:" + self.basic["client_secret"])[1]["access_token"]
        for headers in ({"Authorization": "Bearer " + token}, {}):
            r = self.server.request("GET", "/api/me", headers=headers)
            self.assertEqual(r.status, 401)
            self.assertEqual(r.json(), {
                "error": "unauthorized",
                "error_description": "no <openidConnectClient> is configured, so no bearer token is accepted: "
                                     "add one to conf/server.xml (docs/guides/resource-server.md)"})

    def test_wrong_content_type_is_400(self):
        r = self.server.request("POST", "/oauth2/token", json.dumps({"grant_type": "client_credentials"}),
                                {"Content-Type": "application/json",
                                 "Authorization": basic("basic-app", self.basic["client_secret"])})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"], "invalid_request")

    def test_oversized_body_is_413(self):
        r = self.server.request("POST", "/oauth2/token", "a=" + "x" * 70000, FORM)
        self.assertEqual(r.status, 413)
        self.assertEqual(r.json()["error"], "invalid_request")

    def test_oversized_chunked_body_is_413(self):
        host, port = self.server.url.split("//")[1].split(":")
        s = socket.create_connection((host, int(port)), timeout=10)
        chunk = b"x" * 8192
        s.sendall(b"POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        try:
            for _ in range(10):
                s.sendall(b"2000\r\n" + chunk + b"\r\n")
        except OSError:
            pass  # the server may close once it has answered
        reply = s.recv(4096).decode()
        s.close()
        self.assertTrue(reply.startswith("HTTP/1.1 413"), reply)

    def test_get_on_token_endpoint_is_405(self):
        r = self.server.request("GET", "/oauth2/token")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.headers["allow"], "POST")

    def test_unknown_path_is_404_json(self):
        r = self.server.request("GET", "/no/such/thing")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json(), {"error": "not_found", "error_description": "no endpoint at /no/such/thing"})

    def test_discovery_lists_active_plugins(self):
        for path in ("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"):
            d = self.server.request("GET", path).json()
            self.assertEqual(d["issuer"], self.server.url)
            self.assertEqual(d["token_endpoint"], self.server.url + "/oauth2/token")
            self.assertEqual(d["jwks_uri"], self.server.url + "/oauth2/jwks")
            self.assertEqual(d["token_endpoint_auth_methods_supported"],
                             ["client_secret_basic", "client_secret_post", "private_key_jwt",
                              "client_secret_jwt", "none"])
            self.assertEqual(sorted(d["token_endpoint_auth_signing_alg_values_supported"]),
                             ["ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512",
                              "PS256", "PS384", "PS512", "RS256", "RS384", "RS512"])

    def test_jwks_publishes_only_public_key(self):
        keys = self.server.request("GET", "/oauth2/jwks").json()["keys"]
        self.assertEqual(len(keys), 1)
        self.assertEqual({k: keys[0][k] for k in ("kty", "crv", "alg", "use")},
                         {"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig"})
        self.assertNotIn("d", keys[0])

    def test_health(self):
        r = self.server.request("GET", "/health")
        self.assertEqual((r.status, r.json()), (200, {"status": "ok", "database": "ok"}))

    def test_request_id_in_header_and_log_and_no_secrets_in_log(self):
        secret = self.basic["client_secret"]
        r = self.server.request("POST", "/oauth2/token", GRANT, dict(FORM, Authorization=basic("basic-app", secret)))
        self.assertEqual(r.status, 200)
        rid = r.headers["x-request-id"]
        token = r.json()["access_token"]
        log = self.server.log()
        self.assertIn("[%s] POST /oauth2/token 200" % rid, log)
        self.assertNotIn(secret, log)
        self.assertNotIn(token, log)
        self.assertNotIn(token.split(".")[2], log)
        self.assertNotIn(self.post["client_secret"] if "client_secret" in self.post else "a-post-secret", log)


if __name__ == "__main__":
    unittest.main()
