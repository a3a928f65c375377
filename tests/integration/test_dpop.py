"""DPoP (RFC 9449) through HTTP with proofs made by PyJWT: tokens bound to the proof's key at
the token endpoint (cnf.jkt, token_type DPoP), a public client's refresh tokens bound too, the
proof rules with their exact errors, replay through the JTI table, server nonces, and the
resource side (/api/me, /auth/check, userinfo) checking the proof and the binding."""
import time
import unittest

import jwt

from assertions import DpopKey, private_key, public_jwk
from harness import FORM, Server, TempDir, basic, edit, form, init_home, uncomment_own_tokens_example
from login_support import Browser, pkce_pair

ISSUER = "https://idgate.example.test"
TOKEN_URL = ISSUER + "/oauth2/token"
CB = "http://127.0.0.1:9/cb"
PASSWORD = "correct horse battery"


def claims_of(token):
    return jwt.decode(token, options={"verify_signature": False})


class DpopServer(unittest.TestCase):
    """A server with a fixed issuer (the proofs name its endpoints) accepting its own tokens at
    /api/me and /auth/check."""
    IDENTITY_EDIT = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        home, _ = init_home(cls.tmp.__enter__(), issuer=ISSUER)
        uncomment_own_tokens_example(home)
        edit(home + "/conf/server.xml", 'tokenReuse="true"/>', 'tokenReuse="true" audiences="%s"/>' % ISSUER)
        if cls.IDENTITY_EDIT:
            edit(home + "/conf/identity.xml", *cls.IDENTITY_EDIT)
        cls.server = Server(home).start()
        s = cls.server
        cls.secret = s.register(client_id="svc", scope="orders")["client_secret"]
        cls.bound_secret = s.register(client_id="bound-svc", scope="orders",
                                      dpop_bound_access_tokens=True)["client_secret"]
        s.admin("POST", "/api/admin/users", {"username": "rita", "password": PASSWORD})
        s.register(client_id="app", token_endpoint_auth_method="none",
                   grant_types=["authorization_code", "refresh_token"], redirect_uris=[CB])

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.__exit__(None, None, None)

    def token(self, proof=None, client="svc", secret=None, **fields):
        headers = dict(FORM, Authorization=basic(client, secret or (self.secret if client == "svc" else self.bound_secret)))
        if proof is not None:
            headers["DPoP"] = proof
        fields.setdefault("grant_type", "client_credentials")
        return self.server.request("POST", "/oauth2/token", form(**fields), headers)

    def bound_token(self, key):
        r = self.token(key.proof("POST", TOKEN_URL))
        self.assertEqual(r.status, 200, r.text)
        return r.json()["access_token"]

    def me(self, token, proof=None, scheme="DPoP"):
        headers = {"Authorization": scheme + " " + token}
        if proof:
            headers["DPoP"] = proof
        return self.server.request("GET", "/api/me", headers=headers)


class DpopTest(DpopServer):
    def test_a_token_bound_to_the_proofs_key(self):
        key = DpopKey()
        r = self.token(key.proof("POST", TOKEN_URL))
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["token_type"], "DPoP")
        at = r.json()["access_token"]
        self.assertEqual(claims_of(at)["cnf"], {"jkt": key.jkt})
        r = self.server.request("POST", "/oauth2/introspect", form(token=at),
                                dict(FORM, Authorization=basic("svc", self.secret)))
        # svc may not introspect: registered without introspection_allowed.
        self.assertEqual(r.json()["error"], "unauthorized_client")
        # Without a proof: a Bearer token, as before.
        r = self.token()
        self.assertEqual((r.json()["token_type"], "cnf" in claims_of(r.json()["access_token"])), ("Bearer", False))

    def test_the_proof_rules_at_the_token_endpoint(self):
        key = DpopKey()
        other = private_key("ES256")
        hs = jwt.encode({"jti": "x", "htm": "POST", "htu": TOKEN_URL, "iat": int(time.time())}, "k" * 32,
                        algorithm="HS256", headers={"typ": "dpop+jwt", "jwk": key.jwk})
        private = dict(public_jwk(key.key), d="AAAA")
        cases = (
            (key.proof("POST", TOKEN_URL, headers={"typ": "JWT"}), "the DPoP proof's typ must be dpop+jwt"),
            (key.proof("GET", TOKEN_URL), "the DPoP proof's htm is not POST"),
            (key.proof("POST", ISSUER + "/oauth2/other"), "the DPoP proof's htu is not " + TOKEN_URL),
            (key.proof("POST", TOKEN_URL, iat=int(time.time()) - 1000),
             "the DPoP proof's iat is not recent (proofs are good for 300 s)"),
            (key.proof("POST", TOKEN_URL, jti=None), "the DPoP proof needs a jti of 1 to 200 characters"),
            (hs, "the DPoP proof's alg 'HS256' is not accepted (accepted: ES256 ES384 ES512 PS256 PS384 PS512 "
                 "RS256 RS384 RS512 EdDSA)"),
            (jwt.encode({"jti": "y", "htm": "POST", "htu": TOKEN_URL, "iat": int(time.time())}, other,
                        algorithm="ES256", headers={"typ": "dpop+jwt", "jwk": key.jwk}),
             "the DPoP proof's signature is not valid"),
            (key.proof("POST", TOKEN_URL, headers={"jwk": private}), None),
            ("not-a-proof", "the DPoP proof is not a JWS (malformed token)"),
        )
        for proof, description in cases:
            with self.subTest(description):
                r = self.token(proof)
                self.assertEqual((r.status, r.json()["error"]), (400, "invalid_dpop_proof"), r.text)
                if description:
                    self.assertEqual(r.json()["error_description"], description)
        # Query and fragment do not count; scheme and host case do not either.
        r = self.token(key.proof("POST", "HTTPS://IDGATE.example.test/oauth2/token?x=1"))
        self.assertEqual(r.status, 200, r.text)

    def test_a_proof_is_good_once(self):
        key = DpopKey()
        proof = key.proof("POST", TOKEN_URL)
        self.assertEqual(self.token(proof).status, 200)
        r = self.token(proof)
        self.assertEqual(r.json(), {"error": "invalid_dpop_proof",
                                    "error_description": "the DPoP proof was already used (jti)"})

    def test_a_client_registered_dpop_bound_needs_a_proof(self):
        r = self.token(client="bound-svc")
        self.assertEqual((r.status, r.json()["error"]), (400, "invalid_dpop_proof"))
        self.assertEqual(r.json()["error_description"],
                         "client 'bound-svc' is registered with dpop_bound_access_tokens: send a DPoP proof "
                         "(RFC 9449) with every token request")
        key = DpopKey()
        r = self.token(key.proof("POST", TOKEN_URL), client="bound-svc")
        self.assertEqual((r.status, r.json()["token_type"]), (200, "DPoP"))

    def test_the_resource_server_checks_proof_and_binding(self):
        key = DpopKey()
        at = self.bound_token(key)
        me_url = self.server.url + "/api/me"
        r = self.me(at, key.proof("GET", me_url, at))
        self.assertEqual(r.status, 200, r.text)
        self.assertNotIn("set-cookie", r.headers)
        r = self.me(at, key.proof("GET", me_url, at))  # the validated-token cache: the proof still counts
        self.assertEqual(r.status, 200, r.text)
        # As a Bearer token: refused, and told to use DPoP.
        r = self.me(at, scheme="Bearer")
        self.assertEqual(r.status, 401)
        self.assertTrue(r.headers["www-authenticate"].startswith('DPoP realm="idgate", error="invalid_token"'))
        self.assertIn('algs="ES256 ', r.headers["www-authenticate"])
        self.assertEqual(r.json()["error_description"],
                         "the token is bound to a DPoP key (cnf.jkt): send it as Authorization: DPoP with a DPoP proof")
        thief = DpopKey()
        for proof, description in (
                (None, "a DPoP proof (the DPoP header) is required with a DPoP-bound token"),
                (key.proof("GET", me_url), "the DPoP proof's ath is not the hash of this access token"),
                (key.proof("POST", me_url, at), "the DPoP proof's htm is not GET"),
                (key.proof("GET", self.server.url + "/api/other", at), "the DPoP proof's htu is not " + me_url),
                (thief.proof("GET", me_url, at), "the DPoP proof is signed with another key than the token is bound to")):
            with self.subTest(description):
                r = self.me(at, proof)
                self.assertEqual((r.status, r.json()), (401, {"error": "invalid_dpop_proof", "error_description": description}))
                self.assertTrue(r.headers["www-authenticate"].startswith('DPoP realm="idgate", error="invalid_dpop_proof"'))
        proof = key.proof("GET", me_url, at)
        self.assertEqual(self.me(at, proof).status, 200)
        self.assertEqual(self.me(at, proof).json()["error_description"], "the DPoP proof was already used (jti)")
        # An unbound token sent as DPoP.
        plain = self.token().json()["access_token"]
        r = self.me(plain, key.proof("GET", me_url, plain))
        self.assertEqual(r.json()["error_description"], "the token is not bound to a DPoP key: send it as Authorization: Bearer")
        # /auth/check: the htu is the original request's URL.
        fwd = {"X-Forwarded-Uri": "/orders/7", "X-Forwarded-Host": "idgate.example.test", "X-Forwarded-Proto": "https",
               "X-Forwarded-Method": "DELETE", "Authorization": "DPoP " + at,
               "DPoP": key.proof("DELETE", ISSUER + "/orders/7", at)}
        r = self.server.request("GET", "/auth/check", headers=fwd)
        self.assertEqual(r.status, 200, r.text)

    def test_refresh_tokens_of_a_public_client_are_bound(self):
        key = DpopKey()
        b = Browser(self.server.url)
        verifier, challenge = pkce_pair()
        page = b.get("/oauth2/authorize", response_type="code", client_id="app", redirect_uri=CB,
                     scope="openid offline_access", code_challenge=challenge, code_challenge_method="S256")
        page = b.login(page, "rita", PASSWORD)
        if page.status == 200:
            page = b.consent(page)
        code = page.redirect_params()["code"]
        r = self.server.request("POST", "/oauth2/token", form(
            grant_type="authorization_code", code=code, redirect_uri=CB, code_verifier=verifier, client_id="app"),
            dict(FORM, DPoP=key.proof("POST", TOKEN_URL)))
        self.assertEqual((r.status, r.json()["token_type"]), (200, "DPoP"), r.text)
        t = r.json()

        def refresh(proof):
            headers = dict(FORM)
            if proof:
                headers["DPoP"] = proof
            return self.server.request("POST", "/oauth2/token", form(
                grant_type="refresh_token", refresh_token=t["refresh_token"], client_id="app"), headers)

        r = refresh(None)
        self.assertEqual(r.json(), {"error": "invalid_grant", "error_description":
                                    "the refresh token is bound to a DPoP key: send a DPoP proof signed with it"})
        r = refresh(DpopKey().proof("POST", TOKEN_URL))
        self.assertEqual(r.json()["error_description"],
                         "the DPoP proof is signed with another key than the refresh token is bound to")
        r = refresh(key.proof("POST", TOKEN_URL))
        self.assertEqual(r.status, 200, "the refused attempts did not spend it: " + r.text)
        self.assertEqual(claims_of(r.json()["access_token"])["cnf"], {"jkt": key.jkt})
        # Userinfo is a protected resource too (its URL as discovery names it).
        at = r.json()["access_token"]
        r = self.server.request("GET", "/oauth2/userinfo", headers={
            "Authorization": "DPoP " + at, "DPoP": key.proof("GET", ISSUER + "/oauth2/userinfo", at)})
        self.assertEqual(r.status, 200, r.text)
        r = self.server.request("GET", "/oauth2/userinfo", headers={"Authorization": "Bearer " + at})
        self.assertEqual(r.status, 401)
        self.assertTrue(r.headers["www-authenticate"].startswith("DPoP "))

    def code(self, b, **extra):
        """A code for rita and app through the login pages; extra: authorization parameters."""
        verifier, challenge = pkce_pair()
        page = b.get("/oauth2/authorize", response_type="code", client_id="app", redirect_uri=CB,
                     scope="openid", code_challenge=challenge, code_challenge_method="S256", **extra)
        if page.status == 200 and page.hidden("ix") and "password" in page.text:
            page = b.login(page, "rita", PASSWORD)
        if page.status == 200:
            page = b.consent(page)
        return page.redirect_params(), verifier

    def redeem(self, code, verifier, proof=None):
        headers = dict(FORM)
        if proof:
            headers["DPoP"] = proof
        return self.server.request("POST", "/oauth2/token", form(
            grant_type="authorization_code", code=code, redirect_uri=CB, code_verifier=verifier,
            client_id="app"), headers)

    def test_a_code_bound_with_dpop_jkt(self):
        key = DpopKey()
        b = Browser(self.server.url)
        params, verifier = self.code(b, dpop_jkt=key.jkt)
        r = self.redeem(params["code"], verifier)
        self.assertEqual(r.json(), {"error": "invalid_dpop_proof", "error_description":
                                    "the authorization code is bound to a DPoP key (dpop_jkt): send a DPoP "
                                    "proof signed with it"})
        r = self.redeem(params["code"], verifier, DpopKey().proof("POST", TOKEN_URL))
        self.assertEqual(r.json()["error_description"],
                         "the DPoP proof is signed with another key than the authorization request's dpop_jkt")
        r = self.redeem(params["code"], verifier, key.proof("POST", TOKEN_URL))
        self.assertEqual(r.status, 200, "the refused attempts did not spend the code: " + r.text)
        self.assertEqual(claims_of(r.json()["access_token"])["cnf"], {"jkt": key.jkt})
        params, _ = self.code(b, dpop_jkt="not-a-thumbprint", state="s")
        self.assertEqual((params["error"], params["state"]), ("invalid_request", "s"))

    def test_a_proof_with_the_pushed_request_binds_the_code(self):
        key = DpopKey()
        verifier, challenge = pkce_pair()
        fields = dict(response_type="code", client_id="app", redirect_uri=CB, scope="openid",
                      code_challenge=challenge, code_challenge_method="S256")
        r = self.server.request("POST", "/oauth2/par", form(**fields),
                                dict(FORM, DPoP=key.proof("POST", ISSUER + "/oauth2/par")))
        self.assertEqual(r.status, 201, r.text)
        b = Browser(self.server.url)
        page = b.get("/oauth2/authorize", client_id="app", request_uri=r.json()["request_uri"])
        if page.status == 200 and "password" in page.text:
            page = b.login(page, "rita", PASSWORD)
        if page.status == 200:
            page = b.consent(page)
        code = page.redirect_params()["code"]
        self.assertEqual(self.redeem(code, verifier, DpopKey().proof("POST", TOKEN_URL)).json()["error"],
                         "invalid_dpop_proof")
        self.assertEqual(self.redeem(code, verifier, key.proof("POST", TOKEN_URL)).status, 200)
        # dpop_jkt and the proof disagree: refused when pushed.
        r = self.server.request("POST", "/oauth2/par", form(dpop_jkt=DpopKey().jkt, **fields),
                                dict(FORM, DPoP=key.proof("POST", ISSUER + "/oauth2/par")))
        self.assertEqual(r.json(), {"error": "invalid_dpop_proof",
                                    "error_description": "dpop_jkt is not the thumbprint of the DPoP proof's key"})

    def test_discovery(self):
        d = self.server.request("GET", "/.well-known/openid-configuration").json()
        self.assertEqual(d["dpop_signing_alg_values_supported"],
                         ["ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512", "EdDSA"])


class DpopNonceTest(DpopServer):
    IDENTITY_EDIT = ('<DPoP requireNonce="false"', '<DPoP requireNonce="true"')

    def test_the_server_nonce_at_the_token_endpoint_and_the_resource(self):
        key = DpopKey()
        r = self.token(key.proof("POST", TOKEN_URL))
        self.assertEqual((r.status, r.json()["error"]), (400, "use_dpop_nonce"))
        nonce = r.headers["dpop-nonce"]
        r = self.token(key.proof("POST", TOKEN_URL, nonce=nonce))
        self.assertEqual(r.status, 200, r.text)
        at = r.json()["access_token"]
        r = self.token(key.proof("POST", TOKEN_URL, nonce="v1.forged"))
        self.assertEqual(r.json()["error_description"], "the DPoP nonce is not valid any more: use the one in DPoP-Nonce")
        me_url = self.server.url + "/api/me"
        r = self.me(at, key.proof("GET", me_url, at))
        self.assertEqual(r.status, 401)
        self.assertTrue(r.headers["www-authenticate"].startswith('DPoP realm="idgate", error="use_dpop_nonce"'))
        r = self.me(at, key.proof("GET", me_url, at, nonce=r.headers["dpop-nonce"]))
        self.assertEqual(r.status, 200, r.text)


if __name__ == "__main__":
    unittest.main()
