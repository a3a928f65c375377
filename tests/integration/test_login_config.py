"""The interactive login as the operator configures it (conf/identity.xml <Login>, the
templates in conf/templates/), its throttling of password guesses, and what expires: a code and
a pushed request after 60 seconds."""
import os
import time
import unittest

from harness import FORM, Server, ServerTestCase, TempDir, basic, edit, enable_https, form, init_home
from login_support import Browser, pkce_pair

CB = "http://127.0.0.1:9/cb"
PASSWORD = "correct horse battery"


def add_user_and_client(server, require_par=False):
    server.admin("POST", "/api/admin/users", {"username": "ann", "password": PASSWORD})
    server.admin("POST", "/api/admin/users", {"username": "ben", "password": PASSWORD})
    server.register(client_id="spa", client_name="Web Shop", token_endpoint_auth_method="none",
                    grant_types=["authorization_code"], redirect_uris=[CB])
    server.register(client_id="web", token_endpoint_auth_method="client_secret_basic",
                    client_secret="web-secret-0123456789", grant_types=["authorization_code"],
                    redirect_uris=[CB])


def authorize(browser, **extra):
    verifier, challenge = pkce_pair()
    params = {"response_type": "code", "client_id": "spa", "redirect_uri": CB, "scope": "openid",
              "state": "s", "code_challenge": challenge, "code_challenge_method": "S256"}
    params.update(extra)
    return browser.get("/oauth2/authorize", **params), verifier


class ConfiguredLoginTest(ServerTestCase, unittest.TestCase):
    @classmethod
    def prepare_home(cls, home):
        edit(home + "/conf/identity.xml", 'requirePushedAuthorizationRequests="false"',
             'requirePushedAuthorizationRequests="true"')
        edit(home + "/conf/identity.xml", 'failedLoginsBeforeDelay="5" maxLoginDelaySeconds="300"',
             'failedLoginsBeforeDelay="2" maxLoginDelaySeconds="2"')
        with open(home + "/conf/templates/login.html") as f:
            page = f.read()
        with open(home + "/conf/templates/login.html", "w") as f:
            f.write(page.replace("<h1>Sign in</h1>", "<h1>Sign in to ACME</h1>"))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        add_user_and_client(cls.server)

    def test_server_wide_par_requirement(self):
        d = self.server.request("GET", "/.well-known/openid-configuration").json()
        self.assertIs(d["require_pushed_authorization_requests"], True)
        page, _ = authorize(Browser(self.server.url))
        self.assertEqual(page.status, 303)
        got = page.redirect_params()
        self.assertEqual(got["error"], "invalid_request")
        self.assertIn("pushed authorization requests are required by this server", got["error_description"])

    def par_login_page(self, browser):
        verifier, challenge = pkce_pair()
        r = self.server.request("POST", "/oauth2/par", form(
            response_type="code", client_id="web", redirect_uri=CB, scope="openid", state="s",
            code_challenge=challenge, code_challenge_method="S256"),
            dict(FORM, Authorization=basic("web", "web-secret-0123456789")))
        self.assertEqual(r.status, 201, r.text)
        return browser.get("/oauth2/authorize", client_id="web", request_uri=r.json()["request_uri"]), verifier, r.json()["request_uri"]

    def test_operator_template_is_used(self):
        page, _, _ = self.par_login_page(Browser(self.server.url))
        self.assertEqual(page.status, 200)
        self.assertIn("<h1>Sign in to ACME</h1>", page.text)

    def test_throttle_per_account_and_per_address_without_a_long_lockout(self):
        b = Browser(self.server.url)
        page, _, _ = self.par_login_page(b)
        for _ in range(2):
            self.assertEqual(b.login(page, "ann", "wrong password!").status, 401)
        r = b.login(page, "ann", PASSWORD)
        self.assertEqual(r.status, 429)
        self.assertIn("Too many failed sign-ins. Try again in", r.text)
        self.assertEqual(r.headers["retry-after"], "1")
        self.assertEqual(r.hidden("ix"), page.hidden("ix"))
        time.sleep(2.2)  # maxLoginDelaySeconds: the account is never held longer
        r = b.login(page, "ann", PASSWORD)
        self.assertEqual(r.status, 200, r.text)  # the consent page
        self.assertIn("Allow", r.text)
        # The address remembers its two failures: one more, at another account, and it waits
        # (twice as long now) even for a user with the right password. Successes from it are
        # never counted (many people may sign in from one address at once).
        time.sleep(2.2)
        b = Browser(self.server.url)
        page, _, _ = self.par_login_page(b)
        self.assertEqual(b.login(page, "nobody-1", "wrong password!").status, 401)
        r = b.login(page, "ben", PASSWORD)
        self.assertEqual((r.status, r.headers["retry-after"]), (429, "2"))
        time.sleep(2.2)
        self.assertEqual(b.login(page, "ben", PASSWORD).status, 200)


class ExpiryTest(ServerTestCase, unittest.TestCase):
    """Codes and pushed requests are good for 60 seconds: one wait checks both."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        add_user_and_client(cls.server)

    def test_code_and_request_uri_expire_after_60_seconds(self):
        b = Browser(self.server.url)
        page, verifier = authorize(b)
        page = b.consent(b.login(page, "ben", PASSWORD))
        code = page.redirect_params()["code"]
        verifier2, challenge = pkce_pair()
        r = self.server.request("POST", "/oauth2/par", form(
            response_type="code", client_id="web", redirect_uri=CB, scope="openid",
            code_challenge=challenge, code_challenge_method="S256"),
            dict(FORM, Authorization=basic("web", "web-secret-0123456789")))
        request_uri = r.json()["request_uri"]
        time.sleep(61.5)
        r = self.server.request("POST", "/oauth2/token", form(
            grant_type="authorization_code", code=code, redirect_uri=CB, code_verifier=verifier,
            client_id="spa"), FORM)
        self.assertEqual((r.status, r.json()["error"]), (400, "invalid_grant"))
        self.assertEqual(r.json()["error_description"],
                         "authorization code expired (codes are good for 60 seconds): start the authorization again")
        page = b.get("/oauth2/authorize", client_id="web", request_uri=request_uri)
        self.assertEqual(page.status, 400)
        self.assertIn("invalid_request_uri", page.text)
        self.assertIn("unknown, used or expired", page.text)


class HttpsCookieTest(unittest.TestCase):
    def test_cookies_are_secure_over_https(self):
        with TempDir() as d:
            home, _ = init_home(d)
            enable_https(home)
            server = Server(home).start()
            try:
                https = server.https_url()
                add_user_and_client(server)
                b = Browser(https)
                page, _ = authorize(b)
                self.assertEqual(page.status, 200, page.text)
                consent = b.login(page, "ann", PASSWORD)
                cookies = page.cookies_set() + consent.cookies_set()
                names = sorted(c.split("=", 1)[0] for c in cookies)
                self.assertEqual(names, ["idgate_browser", "idgate_login"])
                for c in cookies:
                    self.assertTrue(c.endswith("; Path=/oauth2/; HttpOnly; SameSite=Lax; Secure"), c)
            finally:
                server.stop()


class BadTemplateTest(unittest.TestCase):
    def test_unknown_placeholder_stops_startup_naming_the_file(self):
        with TempDir() as d:
            home, _ = init_home(d)
            with open(home + "/conf/templates/consent.html", "w") as f:
                f.write("<p>{{clientname}}</p>")
            server = Server(home)
            code = server.start(expect_failure=True)
            self.assertNotEqual(code, 0)
            self.assertIn(os.path.join(home, "conf/templates/consent.html") +
                          ": unknown placeholder {{clientname}}", server.log())


if __name__ == "__main__":
    unittest.main()
