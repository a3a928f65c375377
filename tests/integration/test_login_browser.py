"""The interactive login in a real browser with a real relying party: Debian's Chromium driven by
playwright-core, and the npm openid-client doing PAR (private_key_jwt), PKCE, the code exchange,
ID token validation, userinfo and logout (tests/interop/login_browser.mjs). The login and consent
pages' screenshots are kept in <build>/test-artifacts/login/."""
import json
import os
import subprocess
import unittest

from harness import ADMIN_PASSWORD, BUILD, ServerTestCase

INTEROP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop")
ARTIFACTS = os.path.join(BUILD, "test-artifacts", "login")


class LoginBrowserTest(ServerTestCase, unittest.TestCase):
    def test_openid_client_through_chromium(self):
        for f in ("login.png", "consent.png"):
            if os.path.exists(os.path.join(ARTIFACTS, f)):
                os.remove(os.path.join(ARTIFACTS, f))
        out = subprocess.run(["node", os.path.join(INTEROP, "login_browser.mjs"), self.server.url,
                              ADMIN_PASSWORD, ARTIFACTS],
                             capture_output=True, text=True, timeout=300, cwd=INTEROP)
        self.assertEqual(out.returncode, 0, out.stderr[-4000:] + "\n" + self.server.log()[-4000:])
        r = json.loads(out.stdout.strip().splitlines()[-1])
        self.assertTrue(r["authorize_url_uses_request_uri"])
        self.assertEqual(r["login_title"], "Sign in · Interop RP")
        self.assertEqual(r["focus_order"], ["username", "password", "Sign in"])
        self.assertEqual(r["labels"], ["Username", "Password"])
        self.assertEqual(r["wrong_password_message"], "Wrong username or password.")
        self.assertEqual(r["consent_heading"], "Allow Interop RP?")
        self.assertEqual([s.split()[-1] for s in r["consent_scopes"]], ["openid", "profile", "email"])
        self.assertEqual(r["callback_iss"], self.server.url)
        t = r["id_token"]
        self.assertTrue(t["nonce_ok"])
        self.assertEqual((t["name"], t["amr"], t["has_sid"], t["has_at_hash"]), ("Pat Browser", ["pwd"], True, True))
        self.assertIsNone(r["refresh_token"])  # refresh tokens come with the token lifecycle issue
        self.assertEqual(r["userinfo"]["sub"], t["sub"])
        self.assertEqual(r["userinfo"]["email_verified"], True)
        self.assertTrue(r["after_logout_url"].endswith("/bye?state=bye-1"), r["after_logout_url"])
        self.assertEqual(r["prompt_none_after_logout"], {"error": "login_required", "state": "silent"})
        for f in ("login.png", "consent.png"):
            self.assertGreater(os.path.getsize(os.path.join(ARTIFACTS, f)), 1000)


if __name__ == "__main__":
    unittest.main()
