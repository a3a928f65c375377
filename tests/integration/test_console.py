"""The admin console (/console): its page and assets under a strict CSP, its session (cookie,
CSRF token, idle timeout, sign-out, admin-role users), the admin API calls it makes that are
new with it (secret rotation, plugins switched and moved through identity.xml, the signing key
rotated live), and the whole console in Debian's Chromium driven by playwright-core
(tests/interop/console_browser.mjs), with a screenshot of each page kept in
<build>/test-artifacts/console/."""
import json
import os
import re
import subprocess
import time
import unittest

from harness import (ADMIN_PASSWORD, BUILD, FORM, Server, ServerTestCase, TempDir, basic, bootstrap_property,
                     edit, enable_https, form, init_home)

INTEROP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop")
ARTIFACTS = os.path.join(BUILD, "test-artifacts", "console")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
JSON = {"Content-Type": "application/json"}


class Console:
    """A signed-in console session, as the page holds it: the cookie and the CSRF token."""

    def __init__(self, server, username="admin", password=ADMIN_PASSWORD):
        self.server = server
        r = server.request("POST", "/console/session", json.dumps({"username": username, "password": password}), JSON)
        if r.status != 200:
            raise AssertionError("console sign-in: %d %s" % (r.status, r.text))
        self.set_cookie = r.headers["set-cookie"]
        self.cookie = self.set_cookie.split(";")[0]
        self.body = r.json()
        self.csrf = self.body["csrf_token"]

    def call(self, method, path, payload=None, csrf=True):
        headers = {"Cookie": self.cookie}
        if csrf:
            headers["X-CSRF-Token"] = self.csrf
        body = None
        if payload is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(payload)
        return self.server.request(method, path, body, headers)


class ConsoleHttpTest(ServerTestCase, unittest.TestCase):
    def test_page_and_assets_are_served_under_a_strict_csp(self):
        r = self.server.request("GET", "/console")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["content-type"], "text/html; charset=utf-8")
        self.assertEqual(r.headers["content-security-policy"], CSP)
        self.assertEqual(r.headers["x-frame-options"], "DENY")
        self.assertEqual(r.headers["cache-control"], "no-store")
        self.assertIn('<script src="/console/assets/console.js" defer></script>', r.text)
        self.assertNotRegex(r.text, r"(?i)<script>|style=|https?://", "no inline code, no external resources")
        js = self.server.request("GET", "/console/assets/console.js")
        self.assertEqual((js.status, js.headers["content-type"]), (200, "text/javascript; charset=utf-8"))
        self.assertNotIn("innerHTML", re.sub(r"//.*", "", js.text))
        css = self.server.request("GET", "/console/assets/console.css")
        self.assertEqual((css.status, css.headers["content-type"]), (200, "text/css; charset=utf-8"))
        for path in ("/console/assets/nope.js", "/console/assets/index.html", "/console/users"):
            self.assertEqual(self.server.request("GET", path).status, 404, path)
        self.assertEqual(self.server.request("POST", "/console").status, 405)

    def test_sign_in_session_csrf_and_sign_out(self):
        wrong = self.server.request("POST", "/console/session",
                                    json.dumps({"username": "admin", "password": "not it"}), JSON)
        self.assertEqual(wrong.status, 401)
        self.assertEqual(wrong.json(), {"error": "unauthorized",
                                        "error_description": "Wrong username or password, or not an administrator."})
        self.assertNotIn("www-authenticate", wrong.headers, "no browser password prompt over the console")
        as_form = self.server.request("POST", "/console/session", form(username="admin", password=ADMIN_PASSWORD), FORM)
        self.assertEqual(as_form.status, 400, "a cross-site form cannot sign a browser in")
        self.assertEqual(self.server.request("GET", "/console/session").status, 401)

        c = Console(self.server)
        self.assertEqual(c.body["username"], "admin")
        self.assertEqual(c.body["idle_timeout_seconds"], 900)
        self.assertRegex(c.set_cookie, r"^idgate_console=[A-Za-z0-9_-]{40,}; Path=/; HttpOnly; SameSite=Strict$")
        again = self.server.request("GET", "/console/session", headers={"Cookie": c.cookie})
        self.assertEqual(again.json()["csrf_token"], c.csrf)

        ok = c.call("GET", "/api/admin/clients")
        self.assertEqual(ok.status, 200, ok.text)
        forged = c.call("GET", "/api/admin/clients", csrf=False)
        self.assertEqual(forged.status, 403)
        self.assertEqual(forged.json()["error"], "access_denied")
        self.assertIn("X-CSRF-Token", forged.json()["error_description"])
        bad = self.server.request("GET", "/api/admin/clients", headers={"Cookie": c.cookie, "X-CSRF-Token": "x" + c.csrf[1:]})
        self.assertEqual(bad.status, 403)
        metrics = c.call("GET", "/metrics")
        self.assertEqual(metrics.status, 200)
        self.assertIn("\nidgate_jti_entries ", metrics.text)

        out = self.server.request("DELETE", "/console/session", headers={"Cookie": c.cookie})
        self.assertEqual(out.status, 403, "signing out takes the CSRF token too")
        out = c.call("DELETE", "/console/session")
        self.assertEqual(out.status, 204)
        self.assertIn("Max-Age=0", out.headers["set-cookie"])
        gone = c.call("GET", "/api/admin/clients")
        self.assertEqual(gone.status, 401)
        self.assertEqual(gone.json()["error"], "unauthorized")
        self.assertNotIn("www-authenticate", gone.headers)
        no_cookie = self.server.request("GET", "/api/admin/clients", headers={"X-CSRF-Token": c.csrf})
        self.assertEqual(no_cookie.status, 401)
        self.assertNotIn("www-authenticate", no_cookie.headers)
        # Basic keeps working beside the console, with its challenge.
        self.assertIn("Basic", self.server.request("GET", "/api/admin/clients").headers["www-authenticate"])

    def test_admin_role_users_and_their_sessions(self):
        for name, claims in (("ops-admin", {"roles": ["admin", "ops"]}), ("ops-reader", {"roles": ["ops"]})):
            r = self.server.admin("POST", "/api/admin/users",
                                  {"username": name, "password": "console user pass 1", "claims": claims})
            self.assertEqual(r.status, 201, r.text)
        c = Console(self.server, "ops-admin", "console user pass 1")
        self.assertEqual(c.call("GET", "/api/admin/users").status, 200)
        # A username with '@', as the console sends it (percent-encoded).
        self.assertEqual(self.server.admin("POST", "/api/admin/users", {
            "username": "ann@ops.example", "password": "console user pass 2"}).status, 201)
        r = c.call("PATCH", "/api/admin/users/ann%40ops.example", {"disabled": True})
        self.assertEqual((r.status, r.json()["disabled"]), (200, True))
        self.assertEqual(c.call("DELETE", "/api/admin/users/ann%40ops.example").status, 204)
        refused = self.server.request("POST", "/console/session",
                                      json.dumps({"username": "ops-reader", "password": "console user pass 1"}), JSON)
        self.assertEqual(refused.status, 401, "the right password without the admin role")
        # Disabled: the session it had ends at once.
        self.assertEqual(self.server.admin("PATCH", "/api/admin/users/ops-admin", {"disabled": True}).status, 200)
        self.assertEqual(c.call("GET", "/api/admin/users").status, 401)
        again = self.server.request("POST", "/console/session",
                                    json.dumps({"username": "ops-admin", "password": "console user pass 1"}), JSON)
        self.assertEqual(again.status, 401)

    def test_rotate_a_client_secret(self):
        created = self.server.admin("POST", "/api/admin/clients", {"client_id": "rot-1", "scope": "a"}).json()
        c = Console(self.server)
        r = c.call("POST", "/api/admin/clients/rot-1/secret")
        self.assertEqual(r.status, 200, r.text)
        new = r.json()["client_secret"]
        self.assertNotEqual(new, created["client_secret"])
        self.assertRegex(self.server.log(), r"idgate\.admin: \[[^\]]+\] console user admin: POST /api/admin/clients/rot-1/secret")
        self.assertNotIn(new, self.server.log(), "a secret is never logged")
        token = lambda secret: self.server.request(
            "POST", "/oauth2/token", form(grant_type="client_credentials"),
            dict(FORM, Authorization=basic("rot-1", secret)))
        self.assertEqual(token(created["client_secret"]).status, 401)
        self.assertEqual(token(new).status, 200)
        self.assertNotIn("client_secret", c.call("GET", "/api/admin/clients/rot-1").json())
        pub = self.server.admin("POST", "/api/admin/clients",
                                {"client_id": "rot-public", "token_endpoint_auth_method": "none",
                                 "grant_types": ["authorization_code"], "redirect_uris": ["https://app.example/cb"]})
        self.assertEqual(pub.status, 201, pub.text)
        none = c.call("POST", "/api/admin/clients/rot-public/secret")
        self.assertEqual(none.status, 400)
        self.assertIn("authenticates without a client secret", none.json()["error_description"])
        self.assertEqual(c.call("POST", "/api/admin/clients/nobody/secret").status, 404)
        self.assertEqual(c.call("GET", "/api/admin/clients/rot-1/secret").status, 405)

    def test_plugins_switched_and_moved_through_identity_xml(self):
        identity = os.path.join(self.server.home, "conf", "identity.xml")
        with open(identity) as f:
            original = f.read()
        self.server.admin("POST", "/api/admin/clients",
                          {"client_id": "post-1", "token_endpoint_auth_method": "client_secret_post"})
        secret = self.server.admin("POST", "/api/admin/clients/post-1/secret").json()["client_secret"]
        post = lambda: self.server.request("POST", "/oauth2/token", form(
            grant_type="client_credentials", client_id="post-1", client_secret=secret), FORM)
        self.assertEqual(post().status, 200)
        try:
            r = self.server.admin("PATCH", "/api/admin/plugins/client_secret_post", {"enabled": False})
            self.assertEqual(r.status, 200, r.text)
            self.assertTrue(r.json()["applied"])
            with open(identity) as f:
                now = f.read()
            self.assertEqual(now, original.replace('name="client_secret_post" orderId="20" enable="true"',
                                                   'name="client_secret_post" orderId="20" enable="false"'))
            refused = post()
            self.assertEqual((refused.status, refused.json()["error"]), (401, "invalid_client"))
            moved = self.server.admin("PATCH", "/api/admin/plugins/client_secret_post", {"enabled": True, "order_id": 5})
            self.assertEqual(moved.status, 200, moved.text)
            order = self.server.admin("GET", "/api/admin/plugins").json()["order_by_kind"]["client_authenticator"]
            self.assertEqual(order[0], "client_secret_post")
            self.assertEqual(post().status, 200)
            # The WSO2 class name the basic authenticator's element uses names it too.
            alias = self.server.admin("PATCH", "/api/admin/plugins/client_secret_basic", {"order_id": 11})
            self.assertEqual(alias.status, 200, alias.text)
            with open(identity) as f:
                self.assertIn('BasicAuthClientAuthenticator"\n                   orderId="11" enable="true"/>', f.read())
        finally:
            with open(identity, "w") as f:
                f.write(original)
            self.assertEqual(self.server.admin("POST", "/api/admin/plugins/reload").status, 200)
        for body, status in (({}, 400), ({"enabled": "yes"}, 400), ({"order_id": 1.5}, 400),
                             ({"enabled": True, "color": "red"}, 400)):
            r = self.server.admin("PATCH", "/api/admin/plugins/none", body)
            self.assertEqual(r.status, status, (body, r.text))
        missing = self.server.admin("PATCH", "/api/admin/plugins/nope", {"enabled": True})
        self.assertEqual(missing.status, 404)
        self.assertIn("GET /api/admin/plugins lists them", missing.json()["error_description"])

    def test_signing_key_rotated_live(self):
        self.server.admin("POST", "/api/admin/clients", {"client_id": "sk-1", "scope": "a"})
        secret = self.server.admin("POST", "/api/admin/clients/sk-1/secret").json()["client_secret"]

        def token_kid():
            r = self.server.request("POST", "/oauth2/token", form(grant_type="client_credentials"),
                                    dict(FORM, Authorization=basic("sk-1", secret)))
            import base64
            head = r.json()["access_token"].split(".")[0]
            return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))["kid"]

        before = token_kid()
        r = Console(self.server).call("POST", "/api/admin/keystore/signing-key")
        self.assertEqual(r.status, 200, r.text)
        body = r.json()
        self.assertEqual(body["signing_alias"], "idgate")
        self.assertRegex(body["retired_alias"], r"^idgate\.retired-until\.\d+$")
        after = token_kid()
        self.assertEqual(after, body["kid"])
        self.assertNotEqual(after, before)
        kids = [k["kid"] for k in self.server.request("GET", "/oauth2/jwks").json()["keys"]]
        self.assertEqual(kids, [after, before], "the old key stays published")
        ks = self.server.admin("GET", "/api/admin/keystore").json()
        self.assertEqual((ks["signing_alias"], ks["signing_kid"]), ("idgate", after))
        retired = [e for e in ks["entries"] if e["alias"] == body["retired_alias"]]
        self.assertEqual(retired[0]["published_until"], body["published_until"])
        # A retired key past its time is deleted by the next rotation, which keeps working.
        storepass = bootstrap_property(self.server.home, "keystore.password")
        out = subprocess.run([os.path.join(BUILD, "bin", "idgate-keytool"), "-genkeypair", "-alias",
                              "idgate.retired-until.1000", "-keyalg", "EC", "-groupname", "secp256r1",
                              "-dname", "CN=old", "-keystore", self.server.home + "/keystore/idgate.p12",
                              "-storepass", storepass], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        time.sleep(1.1)  # a new retired alias (its second differs)
        again = Console(self.server).call("POST", "/api/admin/keystore/signing-key")
        self.assertEqual(again.status, 200, again.text)
        self.assertEqual(again.json()["removed_aliases"], ["idgate.retired-until.1000"])
        self.assertEqual(token_kid(), again.json()["kid"])
        kids = [k["kid"] for k in self.server.request("GET", "/oauth2/jwks").json()["keys"]]
        self.assertEqual(kids[0], again.json()["kid"])
        self.assertEqual(sorted(kids[1:]), sorted([before, after]), "both retired keys still published")


class SigningKeyWithTlsTest(unittest.TestCase):
    def test_rotation_refused_while_a_listener_serves_the_signing_key(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            enable_https(home)
            server = Server(home).start()
            try:
                r = server.admin("POST", "/api/admin/keystore/signing-key")
                self.assertEqual(r.status, 409, r.text)
                self.assertIn("serves the signing key's certificate (KeyAlias 'idgate'): give it a key of its own",
                              r.json()["error_description"])
                self.assertEqual(len(server.request("GET", "/oauth2/jwks").json()["keys"]), 1, "nothing changed")
            finally:
                server.stop()


class ConsoleIdleTimeoutTest(ServerTestCase, unittest.TestCase):
    @classmethod
    def prepare_home(cls, home):
        edit(home + "/conf/server.xml", 'consoleIdleTimeoutSeconds="900"', 'consoleIdleTimeoutSeconds="2"')

    def test_an_idle_session_ends(self):
        c = Console(self.server)
        self.assertEqual(c.body["idle_timeout_seconds"], 2)
        self.assertEqual(c.call("GET", "/api/admin/clients").status, 200)
        time.sleep(3.5)
        r = c.call("GET", "/api/admin/clients")
        self.assertEqual(r.status, 401)
        self.assertIn("idle for more than 2 s", r.json()["error_description"])


class ConsoleBrowserTest(ServerTestCase, unittest.TestCase):
    def test_console_in_chromium(self):
        os.makedirs(ARTIFACTS, exist_ok=True)
        shots = ("signin.png", "dashboard.png", "client.png", "clients.png", "keystore.png", "plugins.png",
                 "users.png", "signed-out.png")
        for f in shots:
            if os.path.exists(os.path.join(ARTIFACTS, f)):
                os.remove(os.path.join(ARTIFACTS, f))
        out = subprocess.run(["node", os.path.join(INTEROP, "console_browser.mjs"), self.server.url, ADMIN_PASSWORD,
                              ARTIFACTS], capture_output=True, text=True, timeout=300, cwd=INTEROP)
        self.assertEqual(out.returncode, 0, out.stdout[-3000:] + out.stderr[-4000:] + "\n" + self.server.log()[-3000:])
        r = json.loads(out.stdout.strip().splitlines()[-1])
        self.assertEqual(r["wrong_password_message"], "Wrong username or password, or not an administrator.")
        self.assertEqual(r["dashboard_heading"], "Dashboard")
        self.assertEqual(r["token"], {"status": 200, "token_type": "Bearer", "has_access_token": True})
        self.assertEqual(r["search_rows"], 1)
        self.assertTrue(r["search_first_id"].startswith("console-pkjwt-"))
        self.assertTrue(r["imported_alias_listed"])
        self.assertEqual(r["imported_subject"], "CN=console-test")
        rot = r["rotation"]
        self.assertTrue(rot["kid_changed"])
        self.assertEqual(rot["jwks_kids"], [rot["new_kid"], rot["old_kid"]])
        self.assertIn("stays published", rot["status_text"])
        self.assertTrue(rot["retired_row"])
        self.assertEqual(r["disabled_status_text"], "disabled")
        self.assertEqual(r["post_while_disabled"], {"status": 401, "error": "invalid_client"})
        self.assertEqual(r["post_after_enable_status"], 200)
        self.assertEqual(r["signed_out_message"], "Signed out.")
        self.assertEqual(r["api_after_signout_status"], 401)
        self.assertEqual(r["role_user_heading"], "Dashboard")
        self.assertEqual(r["console_errors"], [])
        for f in shots:
            self.assertGreater(os.path.getsize(os.path.join(ARTIFACTS, f)), 2000, f)


if __name__ == "__main__":
    unittest.main()
