"""A real OAuth client library, the npm package openid-client v6 (pinned in tests/interop),
performs client_credentials with private_key_jwt and client_secret_jwt through discovery."""
import json
import os
import subprocess
import unittest

import jwt

from harness import ADMIN_PASSWORD, ServerTestCase

INTEROP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop")


class OpenIdClientTest(ServerTestCase, unittest.TestCase):
    def run_client(self, method):
        out = subprocess.run(["node", "openid_client_check.mjs", self.server.url, ADMIN_PASSWORD, method],
                             cwd=INTEROP, capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr + out.stdout)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        self.assertEqual(result["issuer"], self.server.url)
        self.assertIn(method, result["methods"])
        self.assertEqual(result["token_type"].lower(), "bearer")
        self.assertEqual(result["scope"], "orders:read")
        token = result["access_token"]
        keys = jwt.PyJWKClient(self.server.url + "/oauth2/jwks")
        claims = jwt.decode(token, keys.get_signing_key_from_jwt(token).key, algorithms=["ES256"],
                            audience=self.server.url)
        self.assertEqual(claims["client_id"], result["client_id"])
        self.assertIn("POST /oauth2/token 200", self.server.log())
        self.assertIn("client=%s method=%s" % (result["client_id"], method), self.server.log())

    def test_private_key_jwt(self):
        self.run_client("private_key_jwt")

    def test_client_secret_jwt(self):
        self.run_client("client_secret_jwt")


if __name__ == "__main__":
    unittest.main()
