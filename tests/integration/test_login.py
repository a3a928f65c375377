"""The interactive login (authorization code + PKCE, OIDC Core) through HTTP as a browser and a
client send it: the pages, the code exchange, the ID token, userinfo, PAR, logout, and every
refusal with its exact error."""
import os
import shutil
import time
import unittest

import jwt

from harness import FIXTURE_DROPINS, FORM, ServerTestCase, basic, edit, form
from login_support import Browser, at_hash, pkce_pair, verify_id_token

CB = "http://127.0.0.1:9/cb"
PASSWORD = "correct horse battery"


class LoginTest(ServerTestCase, unittest.TestCase):
    @classmethod
    def prepare_home(cls, home):
        # A user authenticator that answers acr and amr from what ABI 2.1 tells it.
        shutil.copy(os.path.join(FIXTURE_DROPINS, "fixture_sign_in_context.so"), home + "/dropins")
        edit(home + "/conf/identity.xml", "</EventListeners>",
             '<EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler" '
             'name="sign_in_context" orderId="5" enable="true"/></EventListeners>')

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        for name, claims in (("alice", {"email": "alice@example.com", "name": "Alice Liddell"}),
                             ("bob", {"email": "bob@example.com"}),
                             ("carol", {}), ("dave", {}), ("erin", {})):
            r = s.admin("POST", "/api/admin/users", {"username": name, "password": PASSWORD, "claims": claims})
            assert r.status == 201, r.text
        s.register(client_id="spa", client_name="Web Shop", token_endpoint_auth_method="none",
                   grant_types=["authorization_code"], redirect_uris=[CB],
                   post_logout_redirect_uris=["http://127.0.0.1:9/bye"])
        s.register(client_id="other-spa", client_name="Other App", token_endpoint_auth_method="none",
                   grant_types=["authorization_code"], redirect_uris=[CB])
        s.register(client_id="web", client_name="Backend App", token_endpoint_auth_method="client_secret_basic",
                   client_secret="web-secret-0123456789", grant_types=["authorization_code"],
                   redirect_uris=["https://app.example.com/cb"])
        s.register(client_id="admin-spa", token_endpoint_auth_method="none", scope="idgate:admin orders",
                   grant_types=["authorization_code"], redirect_uris=[CB])
        s.register(client_id="par-only", token_endpoint_auth_method="client_secret_basic",
                   client_secret="par-secret-0123456789", grant_types=["authorization_code"],
                   redirect_uris=["https://app.example.com/cb"], require_pushed_authorization_requests=True)

    def authorize(self, browser, client_id="spa", redirect_uri=CB, scope="openid email", **extra):
        verifier, challenge = pkce_pair()
        params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
                  "scope": scope, "state": "st-123", "nonce": "n-456",
                  "code_challenge": challenge, "code_challenge_method": "S256"}
        params.update(extra)
        params = {k: v for k, v in params.items() if v is not None}
        return browser.get("/oauth2/authorize", **params), verifier

    def sign_in(self, user="alice", client_id="spa", scope="openid email", **extra):
        """A fresh browser through login and consent; returns (browser, code, verifier)."""
        b = Browser(self.server.url)
        page, verifier = self.authorize(b, client_id=client_id, scope=scope, **extra)
        self.assertEqual(page.status, 200, page.text)
        page = b.login(page, user, PASSWORD)
        if page.status == 200:
            page = b.consent(page)
        self.assertEqual(page.status, 303, page.text)
        return b, page.redirect_params()["code"], verifier

    def exchange(self, code, verifier, client_id="spa", redirect_uri=CB, auth=None):
        fields = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if verifier is not None:
            fields["code_verifier"] = verifier
        headers = dict(FORM)
        if auth:
            headers["Authorization"] = basic(*auth)
        else:
            fields["client_id"] = client_id
        return self.server.request("POST", "/oauth2/token", form(**fields), headers)

    def test_every_sign_in_makes_a_new_session(self):
        # Session fixation: a session cookie already in the browser (planted by someone who signed
        # in as themselves, or the user's own earlier one) is never the session of a new sign-in.
        # Users of its own: the other tests expect alice's and bob's consent pages.
        for name in ("fixation-planter", "fixation-victim"):
            r = self.server.admin("POST", "/api/admin/users",
                                  {"username": name, "password": PASSWORD, "claims": {"email": name + "@example.com"}})
            self.assertEqual(r.status, 201, r.text)
        b, _, _ = self.sign_in(user="fixation-planter")
        planted = b.cookies["idgate_login"]
        page, verifier = self.authorize(b, prompt="login")
        self.assertEqual(page.status, 200, page.text)
        page = b.login(page, "fixation-victim", PASSWORD)
        if page.status == 200:
            page = b.consent(page)
        self.assertEqual(page.status, 303, page.text)
        self.assertNotEqual(b.cookies["idgate_login"], planted)
        tokens = self.exchange(page.redirect_params()["code"], verifier)
        self.assertEqual(tokens.status, 200, tokens.text)
        claims = jwt.decode(tokens.json()["id_token"], options={"verify_signature": False})
        self.assertEqual(claims["email"], "fixation-victim@example.com")  # the new session's user

    # --- the whole flow ------------------------------------------------------------------
    def test_login_consent_code_id_token_userinfo(self):
        b = Browser(self.server.url)
        page, verifier = self.authorize(b)
        self.assertEqual(page.status, 200)
        self.assertIn('name="username"', page.text)
        self.assertIn('name="password"', page.text)
        self.assertIn('<label for="username">', page.text)
        self.assertIn("Web Shop", page.text)
        csp = page.headers["content-security-policy"]
        self.assertIn("default-src 'none'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertEqual(page.headers["x-frame-options"], "DENY")
        self.assertEqual(page.headers["cache-control"], "no-store")
        self.assertNotIn("http", csp.replace("http://127.0.0.1:9", ""))  # no external source

        page = b.login(page, "alice", PASSWORD)
        self.assertEqual(page.status, 200, page.text)
        self.assertIn("Allow Web Shop?", page.text)
        self.assertIn("See your email address", page.text)
        self.assertIn('name="decision" value="allow"', page.text)
        self.assertIn('name="decision" value="deny"', page.text)
        cookie = [c for c in page.cookies_set() if c.startswith("idgate_login=")][0]
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Lax", cookie)
        self.assertNotIn("Secure", cookie)  # plain HTTP here

        page = b.consent(page)
        self.assertEqual(page.status, 303)
        self.assertTrue(page.location().startswith(CB + "?code="))
        got = page.redirect_params()
        self.assertEqual(got["state"], "st-123")
        self.assertEqual(got["iss"], self.server.url)
        self.assertGreaterEqual(len(got["code"]), 43)  # 256 random bits

        r = self.exchange(got["code"], verifier)
        self.assertEqual(r.status, 200, r.text)
        tokens = r.json()
        self.assertEqual(tokens["token_type"], "Bearer")
        self.assertEqual(tokens["scope"], "openid email")
        claims = verify_id_token(self.server, tokens["id_token"], "spa")
        user = self.server.admin("GET", "/api/admin/users/alice").json()
        self.assertEqual(claims["sub"], user["subject"])
        self.assertEqual(claims["nonce"], "n-456")
        self.assertEqual(claims["amr"], ["pwd"])
        self.assertEqual(claims["email"], "alice@example.com")
        self.assertNotIn("name", claims)  # profile was not asked for
        self.assertEqual(claims["at_hash"], at_hash(tokens["access_token"]))
        self.assertLessEqual(abs(claims["auth_time"] - time.time()), 30)
        self.assertTrue(claims["sid"])

        r = self.server.request("GET", "/oauth2/userinfo", headers={"Authorization": "Bearer " + tokens["access_token"]})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json(), {"sub": user["subject"], "email": "alice@example.com"})

        # The code is good once; the second exchange revokes what the first issued.
        r = self.exchange(got["code"], verifier)
        self.assertEqual((r.status, r.json()["error"]), (400, "invalid_grant"))
        self.assertEqual(r.json()["error_description"],
                         "authorization code was already used; the tokens issued with it are revoked")
        r = self.server.request("GET", "/oauth2/userinfo", headers={"Authorization": "Bearer " + tokens["access_token"]})
        self.assertEqual(r.status, 401)
        self.assertIn('error="invalid_token"', r.headers["www-authenticate"])
        self.assertEqual(r.json()["error_description"], "the token has been revoked")

        # Signed in, consent remembered: the next authorization answers at once.
        page, verifier = self.authorize(b)
        self.assertEqual(page.status, 303, page.text)
        r = self.exchange(page.redirect_params()["code"], verifier)
        self.assertEqual(r.status, 200, r.text)
        # prompt=none with the session answers without a page.
        page, _ = self.authorize(b, prompt="none")
        self.assertEqual(page.status, 303)
        self.assertIn("code", page.redirect_params())
        # prompt=login asks again; prompt=consent asks again.
        page, _ = self.authorize(b, prompt="login")
        self.assertEqual(page.status, 200)
        self.assertIn('name="password"', page.text)
        page, _ = self.authorize(b, prompt="consent")
        self.assertEqual(page.status, 200)
        self.assertIn("Allow Web Shop?", page.text)

    def test_profile_scope_claims_and_preferred_username(self):
        b, code, verifier = self.sign_in(scope="openid profile offline_access")
        tokens = self.exchange(code, verifier).json()
        self.assertEqual(tokens["scope"], "openid profile")  # spa is not registered for refresh_token
        self.assertNotIn("refresh_token", tokens)
        claims = verify_id_token(self.server, tokens["id_token"], "spa")
        self.assertEqual((claims["name"], claims["preferred_username"]), ("Alice Liddell", "alice"))
        self.assertNotIn("email", claims)

    def test_user_authenticator_sees_the_sign_in_and_sets_acr_and_amr(self):
        b = Browser(self.server.url)
        page, verifier = self.authorize(b, scope="openid profile", login_hint="ctx-user",
                                        acr_values="urn:example:loa:2 urn:example:loa:1")
        self.assertIn('value="ctx-user"', page.text)  # login_hint fills the username
        bad = b.login(page, "ctx-bad-amr", "context password")
        self.assertEqual(bad.status, 500)
        self.assertIn("Sign-in is not available right now.", bad.text)
        page = b.consent(b.login(page, "ctx-user", "context password"))
        tokens = self.exchange(page.redirect_params()["code"], verifier).json()
        claims = verify_id_token(self.server, tokens["id_token"], "spa")
        self.assertEqual((claims["sub"], claims["acr"], claims["amr"], claims["nickname"]),
                         ("ctx:ctx-user", "urn:example:loa:2", ["pwd", "hwk"], "spa|ctx-user"))

    def test_max_age_asks_again(self):
        b, _, _ = self.sign_in(user="bob")
        time.sleep(1.1)
        page, _ = self.authorize(b, max_age="0", prompt="none")
        self.assertEqual(page.redirect_params()["error_description"],
                         "the sign-in is older than max_age and prompt=none forbids asking the user")
        page, _ = self.authorize(b, max_age="0")
        self.assertEqual(page.status, 200)
        self.assertIn('name="password"', page.text)
        page, _ = self.authorize(b, max_age="3600", prompt="none")
        self.assertIn("code", page.redirect_params())

    def test_form_post_response_mode(self):
        b = Browser(self.server.url)
        page, verifier = self.authorize(b, response_mode="form_post")
        page = b.consent(b.login(page, "bob", PASSWORD))
        self.assertEqual(page.status, 200, page.text)
        self.assertIn('<form method="post" action="%s"' % CB, page.text)
        self.assertEqual(page.hidden("state"), "st-123")
        self.assertEqual(page.hidden("iss"), self.server.url)
        csp = page.headers["content-security-policy"]
        self.assertIn("form-action 'self' http://127.0.0.1:9", csp)
        self.assertRegex(csp, r"script-src 'nonce-[A-Za-z0-9_-]+'")
        r = self.exchange(page.hidden("code"), verifier)
        self.assertEqual(r.status, 200, r.text)

    def test_confidential_client_with_secret(self):
        b = Browser(self.server.url)
        page, verifier = self.authorize(b, client_id="web", redirect_uri="https://app.example.com/cb")
        page = b.consent(b.login(page, "carol", PASSWORD))
        code = page.redirect_params()["code"]
        r = self.exchange(code, verifier, redirect_uri="https://app.example.com/cb", auth=("web", "wrong-secret-000000"))
        self.assertEqual((r.status, r.json()["error"]), (401, "invalid_client"))
        # The failed authentication did not spend the code.
        r = self.exchange(code, verifier, redirect_uri="https://app.example.com/cb", auth=("web", "web-secret-0123456789"))
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("id_token", r.json())

    # --- refusals -------------------------------------------------------------------------
    def test_redirect_uri_mismatch_and_open_redirects_are_pages(self):
        b = Browser(self.server.url)
        for uri in ("http://127.0.0.1:9/other", CB + "/../evil", CB + "?x=1", "https://evil.example/cb",
                    CB.upper(), CB + "/"):
            page, _ = self.authorize(b, redirect_uri=uri)
            self.assertEqual(page.status, 400, uri)
            self.assertIsNone(page.location())
            self.assertIn("is not registered for client &#39;spa&#39;", page.text)
        page, _ = self.authorize(b, redirect_uri=None)
        self.assertEqual(page.status, 400)
        self.assertIn("redirect_uri is required", page.text)
        page, _ = self.authorize(b, client_id="nobody")
        self.assertEqual(page.status, 400)
        self.assertIsNone(page.location())
        self.assertIn("is not a registered client", page.text)

    def test_redirectable_errors_carry_state_and_iss(self):
        b = Browser(self.server.url)
        state = "a b&c=d/é"
        page, _ = self.authorize(b, code_challenge_method="plain", state=state)
        self.assertEqual(page.status, 303)
        got = page.redirect_params()
        self.assertEqual(got["error"], "invalid_request")
        self.assertEqual(got["error_description"], "code_challenge_method 'plain' is not accepted; use S256")
        self.assertEqual(got["state"], state)
        self.assertEqual(got["iss"], self.server.url)
        page, _ = self.authorize(b, code_challenge=None, code_challenge_method=None)
        self.assertEqual(page.redirect_params()["error_description"],
                         "code_challenge is required (PKCE with S256) for public clients")
        page, _ = self.authorize(b, response_type="token")
        self.assertEqual(page.redirect_params()["error"], "unsupported_response_type")
        page, _ = self.authorize(b, scope="openid admin")
        self.assertEqual(page.redirect_params()["error"], "invalid_scope")
        # The admin API's scope is never a user's, even for a client registered with it.
        page, _ = self.authorize(b, client_id="admin-spa", scope="openid idgate:admin")
        self.assertEqual(page.redirect_params()["error_description"],
                         "scope 'idgate:admin' is granted only to clients themselves (client_credentials), "
                         "never through a user's sign-in")
        page, _ = self.authorize(b, prompt="none")
        got = page.redirect_params()
        self.assertEqual((got["error"], got["state"], got["iss"]), ("login_required", "st-123", self.server.url))
        page, _ = self.authorize(b, state=None, prompt="none")
        self.assertNotIn("state", page.redirect_params())
        page, _ = self.authorize(b, client_id="par-only", redirect_uri="https://app.example.com/cb")
        self.assertEqual(page.redirect_params()["error"], "invalid_request")
        self.assertIn("pushed authorization requests are required for this client",
                      page.redirect_params()["error_description"])

    def test_pkce_verifier_mismatch_and_missing(self):
        _, code, verifier = self.sign_in(user="dave")
        other, _ = pkce_pair()
        r = self.exchange(code, other)
        self.assertEqual((r.status, r.json()), (400, {"error": "invalid_grant",
                                                      "error_description": "code_verifier does not match the code_challenge"}))
        # A failed exchange does not spend the code: who stole it cannot burn it.
        self.assertEqual(self.exchange(code, verifier).status, 200)
        _, code, _ = self.sign_in(user="dave")
        r = self.exchange(code, None)
        self.assertEqual(r.json()["error_description"], "code_verifier is required (PKCE)")
        _, code, verifier = self.sign_in(user="dave")
        r = self.exchange(code, verifier, redirect_uri="http://127.0.0.1:9/other")
        self.assertEqual(r.json()["error_description"], "redirect_uri differs from the one of the authorization request")
        _, code, verifier = self.sign_in(user="dave")
        r = self.exchange(code, verifier, client_id="other-spa")
        self.assertEqual(r.json()["error_description"], "authorization code was issued to another client")
        r = self.exchange("not-a-code", verifier)
        self.assertEqual(r.json()["error_description"], "unknown authorization code")

    def test_csrf_token_missing_or_from_another_browser(self):
        b = Browser(self.server.url)
        page, _ = self.authorize(b)
        r = b.post("/oauth2/login", {"ix": page.hidden("ix"), "username": "alice", "password": PASSWORD})
        self.assertEqual(r.status, 403)
        self.assertIn("CSRF token is missing", r.text)
        self.assertNotIn("idgate_login=", " ".join(r.cookies_set()))
        attacker = Browser(self.server.url)
        r = attacker.post("/oauth2/login", {"ix": page.hidden("ix"), "csrf_token": page.hidden("csrf_token"),
                                            "username": "alice", "password": PASSWORD})
        self.assertEqual(r.status, 403)
        self.assertIn("does not belong to this browser", r.text)
        r = b.post("/oauth2/login", {"ix": page.hidden("ix"), "csrf_token": "x" * 32,
                                     "username": "alice", "password": PASSWORD})
        self.assertEqual(r.status, 403)
        # The page still works with its own token.
        self.assertEqual(b.login(page, "alice", PASSWORD).status, 200)

    def test_forms_work_only_for_their_stage_and_sign_in(self):
        b = Browser(self.server.url)
        page, _ = self.authorize(b, scope="openid phone")
        # A login form's fields are no consent.
        r = b.consent(page)
        self.assertEqual(r.status, 400)
        self.assertIn("this page has expired or was already used", r.text)
        consent = b.login(page, "carol", PASSWORD)
        self.assertIn("See your phone number", consent.text)
        # Signed in again (here as someone else) in another tab: the old consent page is void.
        page2, _ = self.authorize(b, scope="openid phone", prompt="login")
        b.login(page2, "dave", PASSWORD)
        r = b.consent(consent)
        self.assertEqual(r.status, 400)
        self.assertIn("you signed in again since this page was shown", r.text)

    def test_cross_site_posts_are_resent_as_get(self):
        b, code, verifier = self.sign_in(user="erin")
        tokens = self.exchange(code, verifier).json()
        # With the sign-in cookie a POST is answered as it is: signed in, consent remembered.
        _, challenge = pkce_pair()
        r = b.post("/oauth2/authorize", {"response_type": "code", "client_id": "spa", "redirect_uri": CB,
                                         "scope": "openid email", "code_challenge": challenge,
                                         "code_challenge_method": "S256"})
        self.assertEqual(r.status, 303)
        self.assertTrue(r.location().startswith(CB + "?code="), r.location())
        # An application's auto-submitting form: the browser sends no SameSite=Lax cookie.
        bare = Browser(self.server.url)
        r = bare.post("/oauth2/logout", {"id_token_hint": tokens["id_token"], "state": "x y"})
        self.assertEqual(r.status, 303)
        self.assertTrue(r.location().startswith("/oauth2/logout?id_token_hint="), r.location())
        self.assertEqual(bare.cookies, {}, "nothing set on the way")
        done = b.get(r.location())  # the browser follows it, now with its cookie
        self.assertIn("You are signed out", done.text)
        page, _ = self.authorize(b, prompt="none")
        self.assertEqual(page.redirect_params()["error"], "login_required")

    def test_session_cookie_of_another_kind_or_client(self):
        b, _, _ = self.sign_in(user="erin")
        # The sign-in is shared by clients, consent is not: prompt=none for another client.
        page, _ = self.authorize(b, client_id="other-spa", prompt="none")
        self.assertEqual(page.redirect_params()["error"], "consent_required")
        # A sealed value of another purpose, or a tampered one, is no session.
        for forged in (b.cookies["idgate_browser"], b.cookies["idgate_login"][:-2] + "AA", "v1.AAAA"):
            other = Browser(self.server.url)
            other.cookies["idgate_login"] = forged
            page, _ = self.authorize(other, prompt="none")
            self.assertEqual(page.redirect_params()["error"], "login_required", forged)

    def test_wrong_credentials_same_message_and_throttle(self):
        b = Browser(self.server.url)
        page, _ = self.authorize(b)
        wrong = b.login(page, "alice", "not the password")
        unknown = b.login(page, "no-such-user", "not the password")
        self.assertEqual((wrong.status, unknown.status), (401, 401))
        for p in (wrong, unknown):
            self.assertIn("Wrong username or password.", p.text)
        # The form goes on working after a failure.
        self.assertEqual(wrong.hidden("ix"), page.hidden("ix"))

    def test_deny_and_disable(self):
        b = Browser(self.server.url)
        page, _ = self.authorize(b)
        page = b.consent(b.login(page, "bob", PASSWORD), decision="deny")
        got = page.redirect_params()
        self.assertEqual((got["error"], got["error_description"], got["state"]),
                         ("access_denied", "the user denied the request", "st-123"))

    def test_disabled_user_sessions_end(self):
        self.server.admin("POST", "/api/admin/users", {"username": "frank", "password": PASSWORD})
        b, code, verifier = self.sign_in(user="frank")
        token = self.exchange(code, verifier).json()["access_token"]
        r = self.server.admin("PATCH", "/api/admin/users/frank", {"disabled": True})
        self.assertEqual(r.status, 200)
        r = self.server.request("GET", "/oauth2/userinfo", headers={"Authorization": "Bearer " + token})
        self.assertEqual((r.status, r.json()["error_description"]),
                         (401, "the sign-in session this token was issued in has ended"))
        page, _ = self.authorize(b, prompt="none")
        self.assertEqual(page.redirect_params()["error"], "login_required")
        page, _ = self.authorize(b)
        self.assertEqual(b.login(page, "frank", PASSWORD).status, 401)

    # --- PAR ------------------------------------------------------------------------------
    def test_pushed_authorization_request(self):
        verifier, challenge = pkce_pair()
        fields = {"response_type": "code", "client_id": "par-only", "redirect_uri": "https://app.example.com/cb",
                  "scope": "openid", "state": "par-state", "code_challenge": challenge,
                  "code_challenge_method": "S256"}
        headers = dict(FORM, Authorization=basic("par-only", "par-secret-0123456789"))
        r = self.server.request("POST", "/oauth2/par", form(**fields), headers)
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(r.json()["expires_in"], 60)
        request_uri = r.json()["request_uri"]
        self.assertTrue(request_uri.startswith("urn:ietf:params:oauth:request_uri:"))
        b = Browser(self.server.url)
        # The pushed parameters count, not those next to request_uri.
        page = b.get("/oauth2/authorize", client_id="par-only", request_uri=request_uri, state="ignored")
        self.assertEqual(page.status, 200, page.text)
        page = b.consent(b.login(page, "carol", PASSWORD))
        got = page.redirect_params()
        self.assertEqual(got["state"], "par-state")
        r = self.exchange(got["code"], verifier, redirect_uri="https://app.example.com/cb",
                          auth=("par-only", "par-secret-0123456789"))
        self.assertEqual(r.status, 200, r.text)
        # Single use.
        page = b.get("/oauth2/authorize", client_id="par-only", request_uri=request_uri)
        self.assertEqual(page.status, 400)
        self.assertIn("invalid_request_uri", page.text)
        # Refusals are JSON at the PAR endpoint.
        bad = dict(fields, redirect_uri="https://evil.example/cb")
        r = self.server.request("POST", "/oauth2/par", form(**bad), headers)
        self.assertEqual((r.status, r.json()["error"]), (400, "invalid_request"))
        r = self.server.request("POST", "/oauth2/par", form(**fields), dict(FORM, Authorization=basic("par-only", "wrong-secret-0000")))
        self.assertEqual((r.status, r.json()["error"]), (401, "invalid_client"))
        r = self.server.request("POST", "/oauth2/par", form(request_uri=request_uri, **fields), headers)
        self.assertEqual(r.json()["error_description"], "request_uri cannot be pushed (RFC 9126 §2.1)")

    # --- logout ---------------------------------------------------------------------------
    def test_logout_with_id_token_hint(self):
        b, code, verifier = self.sign_in(user="bob")
        tokens = self.exchange(code, verifier).json()
        # A code of the session not yet exchanged ends with it.
        page, verifier2 = self.authorize(b)
        pending_code = page.redirect_params()["code"]
        r = b.get("/oauth2/logout", id_token_hint=tokens["id_token"],
                  post_logout_redirect_uri="http://127.0.0.1:9/bye", state="bye-state")
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(r.location(), "http://127.0.0.1:9/bye?state=bye-state")
        self.assertNotIn("idgate_login", b.cookies)
        r = self.exchange(pending_code, verifier2)
        self.assertEqual(r.json()["error_description"], "unknown authorization code")
        r = self.server.request("GET", "/oauth2/userinfo", headers={"Authorization": "Bearer " + tokens["access_token"]})
        self.assertEqual(r.status, 401)
        page, _ = self.authorize(b, prompt="none")
        self.assertEqual(page.redirect_params()["error"], "login_required")

    def test_logout_refusals_and_confirmation(self):
        b, code, verifier = self.sign_in(user="carol")
        tokens = self.exchange(code, verifier).json()
        r = b.get("/oauth2/logout", id_token_hint=tokens["id_token"], post_logout_redirect_uri="https://evil.example/")
        self.assertEqual(r.status, 400)
        self.assertIsNone(r.location())
        self.assertIn("is not registered for client", r.text)
        r = b.get("/oauth2/logout", post_logout_redirect_uri="http://127.0.0.1:9/bye")
        self.assertEqual(r.status, 400)
        r = b.get("/oauth2/logout", id_token_hint=tokens["id_token"][:-4] + "AAAA")
        self.assertEqual(r.status, 400)
        self.assertIn("id_token_hint is not an ID token of this server", r.text)
        # Without a hint the user confirms.
        r = b.get("/oauth2/logout")
        self.assertEqual(r.status, 200)
        self.assertIn("Sign out?", r.text)
        no_csrf = b.post("/oauth2/logout/confirm", {"ix": r.hidden("ix"), "decision": "logout"})
        self.assertEqual(no_csrf.status, 403)
        done = b.post("/oauth2/logout/confirm", {"ix": r.hidden("ix"), "csrf_token": r.hidden("csrf_token"),
                                                  "decision": "logout"})
        self.assertEqual(done.status, 200)
        self.assertIn("You are signed out", done.text)
        page, _ = self.authorize(b, prompt="none")
        self.assertEqual(page.redirect_params()["error"], "login_required")

    # --- discovery, registration, assets ---------------------------------------------------
    def test_discovery(self):
        d = self.server.request("GET", "/.well-known/openid-configuration").json()
        u = self.server.url
        self.assertEqual(d["authorization_endpoint"], u + "/oauth2/authorize")
        self.assertEqual(d["pushed_authorization_request_endpoint"], u + "/oauth2/par")
        self.assertEqual(d["userinfo_endpoint"], u + "/oauth2/userinfo")
        self.assertEqual(d["end_session_endpoint"], u + "/oauth2/logout")
        self.assertEqual(d["response_types_supported"], ["code"])
        self.assertEqual(d["code_challenge_methods_supported"], ["S256"])
        self.assertEqual(d["id_token_signing_alg_values_supported"], ["ES256"])
        self.assertIn("authorization_code", d["grant_types_supported"])
        self.assertIs(d["require_pushed_authorization_requests"], False)
        self.assertIs(d["authorization_response_iss_parameter_supported"], True)
        self.assertEqual(d["scopes_supported"], ["openid", "profile", "email", "address", "phone", "offline_access"])

    def test_registration_rules(self):
        cases = [
            ({"grant_types": ["authorization_code"], "token_endpoint_auth_method": "none"},
             "grant_types authorization_code needs redirect_uris (at least one)"),
            ({"redirect_uris": ["http://app.example.com/cb"]},
             "redirect_uris: 'http://app.example.com/cb' uses http for a host that is not loopback (use https)"),
            ({"redirect_uris": ["https://app.example.com/cb#frag"]},
             "redirect_uris: 'https://app.example.com/cb#frag' has a fragment"),
            ({"redirect_uris": ["javascript:alert(1)"]},
             "redirect_uris: 'javascript:alert(1)' uses a scheme that is neither https, http to loopback, "
             "nor a private-use scheme in reverse domain form such as com.example.app"),
            ({"response_types": ["token"]}, "response type 'token' is not supported (supported: code)"),
            ({"response_types": ["code"]}, "response_types code needs grant_types to include authorization_code"),
            ({"post_logout_redirect_uris": ["http://evil.example/"]},
             "post_logout_redirect_uris: 'http://evil.example/' uses http for a host that is not loopback (use https)"),
            ({"require_pushed_authorization_requests": "yes"},
             "require_pushed_authorization_requests must be true or false"),
            ({"introspection_allowed": "yes"}, "introspection_allowed must be true or false"),
        ]
        for metadata, message in cases:
            r = self.server.admin("POST", "/api/admin/clients", dict(metadata, client_secret="s" * 20))
            self.assertEqual((r.status, r.json().get("error_description")), (400, message), metadata)
        c = self.server.register(client_id="native", token_endpoint_auth_method="none",
                                 grant_types=["authorization_code"], redirect_uris=["com.example.app:/oauth2redirect"])
        self.assertEqual(c["response_types"], ["code"])

    def test_assets_are_served_without_external_resources(self):
        r = self.server.request("GET", "/oauth2/assets/style.css")
        self.assertEqual((r.status, r.headers["content-type"]), (200, "text/css; charset=utf-8"))
        self.assertNotIn("url(", r.text)
        self.assertEqual(self.server.request("GET", "/oauth2/assets/logo.svg").status, 200)
        self.assertEqual(self.server.request("GET", "/oauth2/assets/../conf/server.xml").status, 400)
        self.assertEqual(self.server.request("GET", "/oauth2/assets/server.xml").status, 404)


if __name__ == "__main__":
    unittest.main()
