"""The token lifecycle. Refresh tokens (RFC 6749 §6, RFC 9700 §4.14): issued with offline_access
to clients registered for refresh_token, rotated at every use, a reused one revoking its whole
family (unless within the configured grace), scope narrowed but never widened, never with
client_credentials. Revocation (RFC 7009) and introspection (RFC 7662)."""
import unittest

import jwt

from harness import FORM, Server, ServerTestCase, TempDir, basic, edit, form, init_home, uncomment_own_tokens_example
from login_support import Browser, pkce_pair, verify_id_token

CB = "http://127.0.0.1:9/cb"
PASSWORD = "correct horse battery"


def setup(server):
    r = server.admin("POST", "/api/admin/users", {"username": "rita", "password": PASSWORD,
                                                  "claims": {"email": "rita@example.com"}})
    assert r.status == 201, r.text
    server.register(client_id="app", token_endpoint_auth_method="none",
                    grant_types=["authorization_code", "refresh_token"], redirect_uris=[CB])
    server.register(client_id="other", token_endpoint_auth_method="none",
                    grant_types=["authorization_code", "refresh_token"], redirect_uris=[CB])
    server.register(client_id="service", client_secret="service-secret-012345",
                    grant_types=["client_credentials", "refresh_token"], scope="orders")
    server.register(client_id="api", client_secret="api-secret-0123456789", introspection_allowed=True)


def sign_in(server, scope="openid email offline_access"):
    b = Browser(server.url)
    verifier, challenge = pkce_pair()
    page = b.get("/oauth2/authorize", response_type="code", client_id="app", redirect_uri=CB,
                 scope=scope, code_challenge=challenge, code_challenge_method="S256")
    page = b.login(page, "rita", PASSWORD)
    if page.status == 200:
        page = b.consent(page)
    code = page.redirect_params()["code"]
    r = server.request("POST", "/oauth2/token", form(grant_type="authorization_code", code=code,
                                                     redirect_uri=CB, code_verifier=verifier,
                                                     client_id="app"), FORM)
    assert r.status == 200, r.text
    return r.json()


def refresh(server, token, client_id="app", url=None, **extra):
    return server.request("POST", "/oauth2/token", form(grant_type="refresh_token", refresh_token=token,
                                                        client_id=client_id, **extra), FORM, url=url)


class RefreshTokenTest(ServerTestCase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        setup(cls.server)

    def test_rotation_and_reuse_revokes_the_family(self):
        first = sign_in(self.server)
        self.assertEqual(first["scope"], "openid email offline_access")
        self.assertGreaterEqual(len(first["refresh_token"]), 43)
        r = refresh(self.server, first["refresh_token"])
        self.assertEqual(r.status, 200, r.text)
        second = r.json()
        self.assertNotEqual(second["refresh_token"], first["refresh_token"])
        self.assertNotEqual(second["access_token"], first["access_token"])
        a = verify_id_token(self.server, first["id_token"], "app")
        b = verify_id_token(self.server, second["id_token"], "app")
        self.assertEqual((b["sub"], b["auth_time"], b["email"]), (a["sub"], a["auth_time"], "rita@example.com"))
        self.assertNotIn("nonce", b)
        # The rotated token comes back: someone holds a copy. The family ends.
        r = refresh(self.server, first["refresh_token"])
        self.assertEqual((r.status, r.json()["error"]), (400, "invalid_grant"))
        self.assertEqual(r.json()["error_description"],
                         "refresh token was already used; every token of this grant is revoked (sign in again)")
        r = refresh(self.server, second["refresh_token"])
        self.assertEqual(r.json()["error_description"], "refresh token revoked")
        self.assertIn("refresh token reuse for client app", self.server.log())

    def test_scope_narrowed_never_widened(self):
        t = sign_in(self.server)
        r = refresh(self.server, t["refresh_token"], scope="openid")
        self.assertEqual(r.status, 200, r.text)
        narrowed = r.json()
        self.assertEqual(narrowed["scope"], "openid")
        r = refresh(self.server, narrowed["refresh_token"], scope="openid profile")
        self.assertEqual((r.status, r.json()["error"]), (400, "invalid_scope"))
        self.assertEqual(r.json()["error_description"],
                         "scope 'profile' was not granted to this refresh token (granted: openid email offline_access)")
        # The refused request did not spend the token; without scope the family's comes back.
        r = refresh(self.server, narrowed["refresh_token"])
        self.assertEqual((r.status, r.json()["scope"]), (200, "openid email offline_access"))

    def test_only_its_client_and_never_client_credentials(self):
        t = sign_in(self.server)
        r = refresh(self.server, t["refresh_token"], client_id="other")
        self.assertEqual((r.status, r.json()["error_description"]), (400, "unknown refresh token"))
        self.assertEqual(refresh(self.server, t["refresh_token"]).status, 200, "not spent by the other client")
        r = self.server.request("POST", "/oauth2/token", form(grant_type="client_credentials"),
                                dict(FORM, Authorization=basic("service", "service-secret-012345")))
        self.assertEqual(r.status, 200, r.text)
        self.assertNotIn("refresh_token", r.json())
        self.assertEqual(refresh(self.server, "nonsense").json()["error_description"], "unknown refresh token")
        r = self.server.request("POST", "/oauth2/token", form(grant_type="refresh_token", client_id="app"), FORM)
        self.assertEqual(r.json(), {"error": "invalid_request", "error_description": "refresh_token is required"})

    def test_no_refresh_token_without_offline_access(self):
        t = sign_in(self.server, scope="openid email")
        self.assertNotIn("refresh_token", t)


class RevokeAndIntrospectTest(ServerTestCase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        setup(cls.server)

    def post(self, path, auth=None, **fields):
        headers = dict(FORM)
        if auth:
            headers["Authorization"] = basic(*auth)
        return self.server.request("POST", path, form(**fields), headers)

    def introspect(self, token, **extra):
        r = self.post("/oauth2/introspect", ("api", "api-secret-0123456789"), token=token, **extra)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.headers["cache-control"], "no-store")
        return r.json()

    def test_introspection(self):
        t = sign_in(self.server)
        at = self.introspect(t["access_token"], token_type_hint="access_token")
        self.assertEqual((at["active"], at["token_type"], at["client_id"], at["scope"]),
                         (True, "Bearer", "app", "openid email offline_access"))
        rt = self.introspect(t["refresh_token"])
        self.assertEqual((rt["active"], rt["token_type"], rt["client_id"], rt["sub"]),
                         (True, "refresh_token", "app", at["sub"]))
        # Rotated, unknown, or garbage: inactive, without saying which.
        refresh(self.server, t["refresh_token"])
        self.assertEqual(self.introspect(t["refresh_token"]), {"active": False})
        self.assertEqual(self.introspect("no-such-token"), {"active": False})
        self.assertEqual(self.introspect(t["access_token"][:-4] + "AAAA"), {"active": False})
        # Only clients registered for it may ask.
        r = self.post("/oauth2/introspect", ("service", "service-secret-012345"), token=t["access_token"])
        self.assertEqual((r.status, r.json()["error"]), (400, "unauthorized_client"))
        r = self.post("/oauth2/introspect", ("api", "wrong-secret-00000000"), token=t["access_token"])
        self.assertEqual((r.status, r.json()["error"]), (401, "invalid_client"))
        r = self.post("/oauth2/introspect", ("api", "api-secret-0123456789"))
        self.assertEqual(r.json(), {"error": "invalid_request", "error_description": "token is required"})

    def test_introspection_as_a_signed_jwt(self):
        t = sign_in(self.server)
        headers = dict(FORM, Authorization=basic("api", "api-secret-0123456789"),
                       Accept="application/token-introspection+jwt")
        r = self.server.request("POST", "/oauth2/introspect", form(token=t["access_token"]), headers)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.headers["content-type"], "application/token-introspection+jwt")
        header = jwt.get_unverified_header(r.text)
        self.assertEqual(header["typ"], "token-introspection+jwt")
        key = jwt.PyJWKClient(self.server.url + "/oauth2/jwks").get_signing_key_from_jwt(r.text).key
        claims = jwt.decode(r.text, key, algorithms=["ES256"], audience="api", issuer=self.server.url)
        self.assertEqual((claims["token_introspection"]["active"], claims["token_introspection"]["client_id"]),
                         (True, "app"))
        r = self.server.request("POST", "/oauth2/introspect", form(token="unknown"), headers)
        claims = jwt.decode(r.text, key, algorithms=["ES256"], audience="api", issuer=self.server.url)
        self.assertEqual(claims["token_introspection"], {"active": False})

    def test_revocation(self):
        t = sign_in(self.server)
        # Only the client the token was issued to.
        r = self.post("/oauth2/revoke", client_id="other", token=t["refresh_token"])
        self.assertEqual((r.status, r.json()["error"]), (400, "unauthorized_client"))
        r = self.post("/oauth2/revoke", client_id="app", token=t["refresh_token"], token_type_hint="refresh_token")
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(refresh(self.server, t["refresh_token"]).json()["error_description"], "refresh token revoked")
        self.assertEqual(self.introspect(t["refresh_token"]), {"active": False})
        # The access token issued with it ends with it.
        self.assertEqual(self.introspect(t["access_token"]), {"active": False})
        # An access token alone: listed until its exp; userinfo and introspection see it revoked.
        t = sign_in(self.server)
        self.assertEqual(self.introspect(t["access_token"])["active"], True)
        r = self.post("/oauth2/revoke", client_id="app", token=t["access_token"])
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(self.introspect(t["access_token"]), {"active": False})
        r = self.server.request("GET", "/oauth2/userinfo", headers={"Authorization": "Bearer " + t["access_token"]})
        self.assertEqual((r.status, r.json()["error_description"]), (401, "the token has been revoked"))
        # Unknown tokens: 200.
        self.assertEqual(self.post("/oauth2/revoke", client_id="app", token="no-such-token").status, 200)

    def test_discovery_lists_the_endpoints(self):
        d = self.server.request("GET", "/.well-known/openid-configuration").json()
        self.assertEqual(d["revocation_endpoint"], self.server.url + "/oauth2/revoke")
        self.assertEqual(d["introspection_endpoint"], self.server.url + "/oauth2/introspect")
        self.assertIn("private_key_jwt", d["introspection_endpoint_auth_methods_supported"])
        self.assertIn("refresh_token", d["grant_types_supported"])


class ResourceServerRevocationTest(unittest.TestCase):
    """idgate as the resource server of its own tokens (init's <openidConnectClient> example):
    a revoked access token is refused at once on the node that revoked it, from the validated
    token cache too, at /api/me and /auth/check; a refresh token's reuse ends the access tokens
    issued from its family."""
    ISSUER = "https://idgate.example.test"
    FWD = {"X-Forwarded-Uri": "/orders", "X-Forwarded-Host": "idgate.example.test", "X-Forwarded-Proto": "https"}

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        home, _ = init_home(cls.tmp.__enter__(), issuer=cls.ISSUER)
        uncomment_own_tokens_example(home)
        # /auth/check describes a request to the proxy: the token must be meant for it.
        edit(home + "/conf/server.xml", 'tokenReuse="true"/>', 'tokenReuse="true" audiences="%s"/>' % cls.ISSUER)
        cls.server = Server(home).start()
        setup(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.__exit__(None, None, None)

    def me(self, token):
        return self.server.request("GET", "/api/me", headers={"Authorization": "Bearer " + token})

    def check(self, token):
        return self.server.request("GET", "/auth/check", headers=dict(self.FWD, Authorization="Bearer " + token))

    def assert_revoked(self, r):
        self.assertEqual(r.status, 401, r.text)
        self.assertEqual(r.json(), {"error": "invalid_token", "error_description": "the token has been revoked"})
        self.assertIn('error="invalid_token"', r.headers["www-authenticate"])

    def test_a_revoked_access_token_is_refused_at_once(self):
        t = sign_in(self.server)
        self.assertEqual(self.me(t["access_token"]).status, 200)
        self.assertEqual(self.me(t["access_token"]).status, 200)  # now in the validated-token cache
        r = self.check(t["access_token"])
        self.assertEqual(r.status, 200, r.text)
        r = self.server.request("POST", "/oauth2/revoke", form(client_id="app", token=t["access_token"]), FORM)
        self.assertEqual(r.status, 200, r.text)
        self.assert_revoked(self.me(t["access_token"]))
        self.assert_revoked(self.check(t["access_token"]))
        self.assertIn("refused a token: the token has been revoked", self.server.log())
        # Its refresh token is another grant's business: still good, and its new access token too.
        r = refresh(self.server, t["refresh_token"])
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(self.me(r.json()["access_token"]).status, 200)

    def test_the_admin_api_refuses_a_revoked_admin_token(self):
        c = self.server.register(client_id="ops", scope="idgate:admin")
        r = self.server.request("POST", "/oauth2/token", form(grant_type="client_credentials"),
                                dict(FORM, Authorization=basic("ops", c["client_secret"])))
        token = r.json()["access_token"]
        admin = {"Authorization": "Bearer " + token}
        self.assertEqual(self.server.request("GET", "/api/admin/clients", headers=admin).status, 200)
        r = self.server.request("POST", "/oauth2/revoke", form(token=token),
                                dict(FORM, Authorization=basic("ops", c["client_secret"])))
        self.assertEqual(r.status, 200, r.text)
        self.assert_revoked(self.server.request("GET", "/api/admin/clients", headers=admin))

    def test_refresh_token_reuse_ends_the_access_tokens_of_its_family(self):
        t = sign_in(self.server)
        second = refresh(self.server, t["refresh_token"]).json()
        for token in (t["access_token"], second["access_token"]):
            self.assertEqual(self.me(token).status, 200)
        r = refresh(self.server, t["refresh_token"])  # reuse: a stolen copy
        self.assertEqual(r.json()["error"], "invalid_grant")
        for token in (t["access_token"], second["access_token"]):
            self.assert_revoked(self.me(token))

    def test_revoking_a_refresh_token_ends_its_access_tokens(self):
        t = sign_in(self.server)
        self.assertEqual(self.me(t["access_token"]).status, 200)
        r = self.server.request("POST", "/oauth2/revoke", form(client_id="app", token=t["refresh_token"]), FORM)
        self.assertEqual(r.status, 200, r.text)
        self.assert_revoked(self.me(t["access_token"]))


class GraceTest(ServerTestCase, unittest.TestCase):
    @classmethod
    def prepare_home(cls, home):
        edit(home + "/conf/identity.xml", 'reuseGraceSeconds="0"', 'reuseGraceSeconds="30"')

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        setup(cls.server)

    def test_a_retry_within_the_grace_gets_a_successor(self):
        t = sign_in(self.server)
        first = refresh(self.server, t["refresh_token"])
        retry = refresh(self.server, t["refresh_token"])  # the client lost the first answer
        self.assertEqual((first.status, retry.status), (200, 200), retry.text)
        self.assertEqual(refresh(self.server, first.json()["refresh_token"]).status, 200)
        self.assertEqual(refresh(self.server, retry.json()["refresh_token"]).status, 200)


if __name__ == "__main__":
    unittest.main()
