"""Extension framework 2.0 through the interfaces a user touches: the admin API's plugin listing
(ABI, capabilities, secret form, generation), a dropin refused a host service it did not
declare, a 1.x dropin loaded through the adapter, the bundled token customizer and JWT bearer
grant with curl and PyJWT, live reload (admin API and SIGHUP) under a token load, and local
users."""
import concurrent.futures
import json
import os
import shutil
import signal
import threading
import time
import unittest
import uuid

import jwt

from assertions import private_key, public_jwk
from harness import (BUILD, FIXTURE_DROPINS, FORM, Server, ServerTestCase, TempDir, basic, edit,
                     form, init_home)

JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
LISTENER = '<EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler" '


def add_listener(home, xml):
    edit(home + "/conf/identity.xml", "</EventListeners>", xml + "</EventListeners>")


def token_claims(access_token):
    return jwt.decode(access_token, options={"verify_signature": False})


class PluginListingTest(ServerTestCase, unittest.TestCase):
    """One server with every kind of bundled and fixture plugin."""

    ISSUER_KEY = private_key("ES256")

    @classmethod
    def prepare_home(cls, home):
        for f in ("fixture_undeclared_capability.so", "fixture_legacy_authenticator.so"):
            shutil.copy(os.path.join(FIXTURE_DROPINS, f), os.path.join(home, "dropins"))
        jwks = json.dumps({"keys": [public_jwk(cls.ISSUER_KEY, kid="partner-1")]})
        add_listener(home,
                     LISTENER + 'name="com.example.LegacyKeyAuthenticator" orderId="30" enable="true">'
                     '<Property name="Key">legacy-key-1</Property></EventListener>'
                     + LISTENER + 'name="client_claims" orderId="10" enable="true">'
                     '<Property name="RequiredClaims">tenant</Property>'
                     '<Property name="ClientNameClaim">client_name</Property></EventListener>'
                     + LISTENER + 'name="jwt_bearer_grant" orderId="40" enable="true">'
                     '<TrustedIssuer issuer="https://partner.example.com" subjectClaim="email">%s</TrustedIssuer>'
                     '</EventListener>' % jwks
                     + LISTENER + 'name="local_users" orderId="10" enable="true"/>')

    def plugins(self):
        return {p["file"]: p for p in self.server.admin("GET", "/api/admin/plugins").json()["plugins"]}

    def test_listing_shows_abi_capabilities_secret_form_and_generation(self):
        listing = self.server.admin("GET", "/api/admin/plugins").json()
        self.assertEqual(listing["generation"], 1)
        self.assertRegex(listing["loaded_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        p = self.plugins()
        jwt_plugin = p["idgate-client-secret-jwt.so"]
        self.assertEqual(jwt_plugin["abi"], "2.2")
        self.assertEqual(jwt_plugin["capabilities"], ["client_read", "client_secret_read", "jti_write"])
        self.assertEqual(jwt_plugin["secret_form"], "sealed")
        self.assertEqual(p["idgate-client-secret-basic.so"]["secret_form"], "hashed")
        self.assertTrue(p["idgate-client-secret-basic.so"]["default_method"])
        self.assertEqual(p["idgate-client-secret-basic.so"]["capabilities"], ["client_secret_verify"])
        self.assertEqual(p["idgate-private-key-jwt.so"]["capabilities"],
                         ["client_read", "keystore_read", "jti_write", "url_fetch"])
        self.assertEqual(p["idgate-jwt-bearer-grant.so"]["kind"], "grant_handler")
        self.assertEqual(p["idgate-jwt-bearer-grant.so"]["grant_type"], JWT_BEARER_GRANT)
        self.assertEqual(p["idgate-client-claims.so"]["kind"], "token_customizer")
        self.assertEqual(p["idgate-local-users.so"]["kind"], "user_authenticator")
        self.assertEqual(p["idgate-local-users.so"]["capabilities"], ["user_read"])
        self.assertEqual(p["fixture_legacy_authenticator.so"]["abi"], "1.2")
        self.assertEqual(p["fixture_undeclared_capability.so"]["version"], "0.3.1")
        self.assertEqual(len(p["idgate-client-secret-basic.so"]["sha256"]), 64)
        self.assertEqual(listing["order_by_kind"]["grant_handler"], ["jwt_bearer_grant", "token_exchange_grant"])
        self.assertEqual(listing["order_by_kind"]["token_customizer"], ["client_claims"])
        discovery = self.server.request("GET", "/.well-known/openid-configuration").json()
        self.assertEqual(discovery["grant_types_supported"],
                         ["client_credentials", "authorization_code", "refresh_token", JWT_BEARER_GRANT,
                          "urn:ietf:params:oauth:grant-type:token-exchange"])

    def test_undeclared_host_call_is_refused_logged_and_counted(self):
        self.server.register(client_id="victim", token_endpoint_auth_method="client_secret_jwt",
                             client_secret="a-secret-of-more-than-thirty-two-bytes!")
        self.server.register(client_id="thief", token_endpoint_auth_method="undeclared_capability")
        before = self.plugins()["fixture_undeclared_capability.so"]["calls"]["refused_host_calls"]
        for _ in range(2):
            r = self.server.request("POST", "/oauth2/token",
                                    form(grant_type="client_credentials", client_id="victim", fixture="steal"), FORM)
            self.assertEqual(r.status, 500, r.text)
            self.assertEqual(r.json()["error"], "server_error")
            self.assertNotIn("a-secret-of", r.text)
        calls = self.plugins()["fixture_undeclared_capability.so"]["calls"]
        self.assertEqual(calls["refused_host_calls"] - before, 2)
        log = self.server.log()
        self.assertRegex(log, r"Error idgate.plugin.undeclared_capability: \[[^]]+\] client_secret_get refused: "
                              r"the plugin did not declare the capability 'client_secret_read' \(declared: "
                              r"client_read\)")
        self.assertEqual(log.count("client_secret_get refused"), 1, "logged once, then counted")

    def test_abi_1_dropin_authenticates_through_the_adapter(self):
        self.server.register(client_id="old-svc", token_endpoint_auth_method="legacy_key",
                             token_claims={"tenant": "old"})
        r = self.server.request("POST", "/oauth2/token", form(grant_type="client_credentials", key="legacy-key-1"),
                                dict(FORM, Authorization="Legacy old-svc"))
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(token_claims(r.json()["access_token"])["client_id"], "old-svc")
        # 1.x kept everything but a client's plain secret.
        r = self.server.request("POST", "/oauth2/token", form(grant_type="client_credentials", fixture="steal"),
                                dict(FORM, Authorization="Legacy old-svc"))
        self.assertEqual(r.status, 500, r.text)

    def test_token_customizer_adds_registered_claims_or_denies(self):
        c = self.server.register(client_id="acme-svc", client_name="Acme billing",
                                 token_claims={"tenant": "acme", "tier": ["gold", "eu"]})
        r = self.server.request("POST", "/oauth2/token", form(grant_type="client_credentials"),
                                dict(FORM, Authorization=basic("acme-svc", c["client_secret"])))
        self.assertEqual(r.status, 200, r.text)
        claims = token_claims(r.json()["access_token"])
        self.assertEqual(claims["tenant"], "acme")
        self.assertEqual(claims["tier"], ["gold", "eu"])
        self.assertEqual(claims["client_name"], "Acme billing")
        self.assertEqual(claims["client_id"], "acme-svc")
        # No tenant registered: RequiredClaims refuses the token.
        c = self.server.register(client_id="no-tenant")
        r = self.server.request("POST", "/oauth2/token", form(grant_type="client_credentials"),
                                dict(FORM, Authorization=basic("no-tenant", c["client_secret"])))
        self.assertEqual(r.status, 403, r.text)
        self.assertEqual(r.json(), {"error": "access_denied",
                                    "error_description": "client no-tenant has no 'tenant' in its registered "
                                                         "token_claims"})
        # Registration refuses claims the token sets itself.
        r = self.server.admin("POST", "/api/admin/clients", {"token_claims": {"iss": "https://evil"}})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error_description"],
                         "token_claims: 'iss' is set by the server and cannot be registered")

    def assertion(self, **overrides):
        now = int(time.time())
        claims = {"iss": "https://partner.example.com", "sub": "u-123", "email": "ann@partner.example.com",
                  "aud": self.server.url + "/oauth2/token", "exp": now + 60, "iat": now, "jti": str(uuid.uuid4())}
        claims.update(overrides)
        return jwt.encode(claims, self.ISSUER_KEY, algorithm="ES256", headers={"kid": "partner-1"})

    def bearer_grant(self, client, secret, assertion, **extra):
        return self.server.request("POST", "/oauth2/token",
                                   form(grant_type=JWT_BEARER_GRANT, assertion=assertion, **extra),
                                   dict(FORM, Authorization=basic(client, secret)))

    def test_jwt_bearer_grant(self):
        c = self.server.register(client_id="bridge", grant_types=[JWT_BEARER_GRANT], scope="orders:read",
                                 token_claims={"tenant": "partner"})
        a = self.assertion()
        r = self.bearer_grant("bridge", c["client_secret"], a)
        self.assertEqual(r.status, 200, r.text)
        claims = token_claims(r.json()["access_token"])
        self.assertEqual(claims["sub"], "ann@partner.example.com", "the issuer's subjectClaim")
        self.assertEqual(claims["client_id"], "bridge")
        self.assertEqual(claims["assertion_iss"], "https://partner.example.com")
        self.assertEqual(claims["scope"], "orders:read")
        self.assertEqual(claims["tenant"], "partner", "customizers see grant tokens too")
        # The same assertion again: its jti went to the durable table.
        r = self.bearer_grant("bridge", c["client_secret"], a)
        self.assertEqual((r.status, r.json()), (400, {"error": "invalid_grant",
                                                      "error_description": "assertion jti already used"}))
        for overrides, reason in (
                ({"iss": "https://evil.example.com"},
                 "issuer 'https://evil.example.com' is not a trusted issuer of this grant"),
                ({"exp": int(time.time()) - 3600}, None),
                ({"aud": "https://someone-else.example.com"}, None),
                ({"email": None}, "the assertion has no email (the subject claim of this issuer)")):
            claims = {k: v for k, v in overrides.items() if v is not None}
            a = self.assertion(**claims)
            if overrides.get("email", 1) is None:
                a = jwt.encode({k: v for k, v in jwt.decode(a, options={"verify_signature": False}).items()
                                if k != "email"}, self.ISSUER_KEY, algorithm="ES256", headers={"kid": "partner-1"})
            r = self.bearer_grant("bridge", c["client_secret"], a)
            self.assertEqual(r.status, 400, r.text)
            self.assertEqual(r.json()["error"], "invalid_grant")
            if reason:
                self.assertEqual(r.json()["error_description"], reason)
        other = private_key("ES256")
        forged = jwt.encode(jwt.decode(self.assertion(), options={"verify_signature": False}), other,
                            algorithm="ES256", headers={"kid": "partner-1"})
        r = self.bearer_grant("bridge", c["client_secret"], forged)
        self.assertEqual(r.json(), {"error": "invalid_grant", "error_description": "bad signature"})
        r = self.bearer_grant("bridge", c["client_secret"], "")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"], "invalid_request")
        # The client still authenticates, and must be registered for the grant.
        r = self.bearer_grant("bridge", "wrong-secret-wrong-secret", self.assertion())
        self.assertEqual(r.status, 401)
        plain = self.server.register(client_id="plain", token_claims={"tenant": "x"})
        r = self.bearer_grant("plain", plain["client_secret"], self.assertion())
        self.assertEqual(r.json(), {"error": "unauthorized_client",
                                    "error_description": "client is not registered for the grant type "
                                                         + JWT_BEARER_GRANT + "; add it to the client's grant_types"})

    def test_local_users_admin_api(self):
        r = self.server.admin("POST", "/api/admin/users",
                              {"username": "ann", "password": "correct horse battery", "claims": {"email": "ann@x"}})
        self.assertEqual(r.status, 201, r.text)
        user = r.json()
        self.assertEqual(user["username"], "ann")
        self.assertEqual(user["claims"], {"email": "ann@x"})
        self.assertEqual(len(user["subject"]), 22)
        self.assertNotIn("password", r.text)
        self.assertNotIn("correct horse", self.server.admin("GET", "/api/admin/users").text)
        self.assertEqual(self.server.admin("GET", "/api/admin/users/ann").json()["subject"], user["subject"])
        # The user authenticator chain (local_users is enabled) with the credentials.
        r = self.server.admin("POST", "/api/admin/user-check", {"username": "ann", "password": "correct horse battery"})
        self.assertEqual(r.json(), {"authenticated": True, "authenticator": "local_users",
                                    "subject": user["subject"], "claims": {"email": "ann@x"}})
        r = self.server.admin("POST", "/api/admin/user-check", {"username": "ann", "password": "wrong horse battery"})
        self.assertEqual(r.json(), {"authenticated": False, "authenticator": "local_users",
                                    "reason": "wrong username or password"})
        r = self.server.admin("POST", "/api/admin/user-check", {"username": "nobody", "password": "whatever it is"})
        self.assertEqual(r.json(), {"authenticated": False, "reason": "no user authenticator knows this user"})
        # Disable: the right password no longer signs in, and says no more than a typo would.
        r = self.server.admin("PATCH", "/api/admin/users/ann", {"disabled": True})
        self.assertEqual((r.status, r.json()["disabled"]), (200, True), r.text)
        check = {"username": "ann", "password": "correct horse battery"}
        self.assertEqual(self.server.admin("POST", "/api/admin/user-check", check).json(),
                         {"authenticated": False, "authenticator": "local_users",
                          "reason": "wrong username or password"})
        r = self.server.admin("PATCH", "/api/admin/users/ann",
                              {"disabled": False, "password": "a brand new passphrase", "claims": {"email": "a@y"}})
        self.assertEqual((r.status, r.json()["disabled"], r.json()["claims"]), (200, False, {"email": "a@y"}))
        self.assertFalse(self.server.admin("POST", "/api/admin/user-check", check).json()["authenticated"])
        r = self.server.admin("POST", "/api/admin/user-check", {"username": "ann", "password": "a brand new passphrase"})
        self.assertEqual(r.json()["claims"], {"email": "a@y"})
        r = self.server.admin("POST", "/api/admin/users", {"username": "bobby", "password": "my name is Bobby!"})
        self.assertEqual((r.status, r.json()["error_description"]), (400, "password must not contain the username"))
        for body, reason in (({"password": "short"}, "password must be a string of 12 to 1024 bytes"),
                             ({"password": "aaaaaaaaaaaaaaa"}, "password must not be one character repeated"),
                             ({"disabled": "yes"}, "disabled must be true or false"),
                             ({"role": "admin"}, "unknown member 'role' (known: password, claims, disabled)")):
            r = self.server.admin("PATCH", "/api/admin/users/ann", body)
            self.assertEqual((r.status, r.json()["error_description"]), (400, reason), body)
        self.assertEqual(self.server.admin("PATCH", "/api/admin/users/nobody", {"disabled": True}).status, 404)
        r = self.server.admin("POST", "/api/admin/users", {"username": "ann", "password": "another long one"})
        self.assertEqual(r.status, 409)
        r = self.server.admin("POST", "/api/admin/users", {"username": "bob", "password": "short"})
        self.assertEqual((r.status, r.json()["error_description"]),
                         (400, "password must be a string of 12 to 1024 bytes"))
        self.assertEqual(self.server.admin("DELETE", "/api/admin/users/ann").status, 204)
        self.assertEqual(self.server.admin("GET", "/api/admin/users/ann").status, 404)


def grow(path):
    """A new build of the same plugin: the same code, other bytes (another hash)."""
    with open(path, "ab") as f:
        f.write(b"\0new build " + uuid.uuid4().hex.encode())


class ReloadTest(unittest.TestCase):
    def test_reload_under_load(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            server = Server(home).start()
            try:
                basic_client = server.register(client_id="steady")
                post_client = server.register(client_id="poster", token_endpoint_auth_method="client_secret_post")
                stop = threading.Event()
                results = []

                def load():
                    while not stop.is_set():
                        r = server.request("POST", "/oauth2/token", form(grant_type="client_credentials"),
                                           dict(FORM, Authorization=basic("steady", basic_client["client_secret"])))
                        results.append(r.status)

                def post_token():
                    return server.request("POST", "/oauth2/token",
                                          form(grant_type="client_credentials", client_id="poster",
                                               client_secret=post_client["client_secret"]), FORM)

                with concurrent.futures.ThreadPoolExecutor(4) as pool:
                    futures = [pool.submit(load) for _ in range(4)]
                    time.sleep(0.5)
                    # A new build of client_secret_basic, the method the load uses.
                    grow(home + "/dropins/idgate-client-secret-basic.so")
                    r = server.admin("POST", "/api/admin/plugins/reload")
                    self.assertEqual(r.status, 200, r.text)
                    self.assertEqual(r.json(), {"applied": True, "generation": 2, "changes": [
                        "idgate-client-secret-basic.so: replaced by a new build (active)"]})
                    time.sleep(0.3)
                    # Disable client_secret_post: the next request with it fails, the load does not.
                    listener = 'name="client_secret_post" orderId="20" enable="%s"'
                    edit(home + "/conf/identity.xml", listener % "true", listener % "false")
                    self.assertTrue(server.admin("POST", "/api/admin/plugins/reload").json()["applied"])
                    r = post_token()
                    self.assertEqual(r.status, 401, r.text)
                    self.assertEqual(r.json()["error"], "invalid_client")
                    edit(home + "/conf/identity.xml", listener % "false", listener % "true")
                    server.proc.send_signal(signal.SIGHUP)
                    deadline = time.time() + 10
                    while "reload: generation 4 in force" not in server.log() and time.time() < deadline:
                        time.sleep(0.05)
                    self.assertEqual(post_token().status, 200)
                    # A broken identity.xml: refused with the reason, the running set serves on.
                    edit(home + "/conf/identity.xml", "<EventListeners>", "<EventListeners><Bogus/>")
                    r = server.admin("POST", "/api/admin/plugins/reload")
                    self.assertEqual(r.status, 409, r.text)
                    body = r.json()
                    self.assertEqual((body["applied"], body["generation"], body["error"]),
                                     (False, 4, "reload_refused"))
                    self.assertIn("Bogus", body["error_description"])
                    self.assertIn("identity.xml", body["problems"][0])
                    self.assertEqual(post_token().status, 200)
                    edit(home + "/conf/identity.xml", "<EventListeners><Bogus/>", "<EventListeners>")
                    # A broken new dropin: refused, named, the running set serves on.
                    with open(home + "/dropins/zz-broken.so", "w") as f:
                        f.write("not a library")
                    r = server.admin("POST", "/api/admin/plugins/reload")
                    self.assertEqual(r.status, 409)
                    self.assertEqual(r.json()["problems"], ["zz-broken.so: not a shared library (no ELF header)"])
                    time.sleep(0.3)
                    stop.set()
                    for f in futures:
                        f.result()
                self.assertGreater(len(results), 20)
                self.assertEqual(set(results), {200}, "no request of the steady load failed")
                listing = server.admin("GET", "/api/admin/plugins").json()
                self.assertEqual(listing["generation"], 4)
            finally:
                self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
