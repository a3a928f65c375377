"""A real OAuth client library, the npm package openid-client v6 (pinned in tests/interop),
performs client_credentials with private_key_jwt and client_secret_jwt through discovery, and the
token lifecycle with DPoP: refresh, introspection, revocation, token exchange, a protected
resource, server nonces."""
import json
import os
import subprocess
import time
import unittest
import uuid

import jwt

from assertions import private_key, public_jwk
from harness import (ADMIN_PASSWORD, Server, ServerTestCase, TempDir, edit, free_port, init_home,
                     uncomment_own_tokens_example)

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


class OpenIdClientLifecycleTest(unittest.TestCase):
    """The issuer is the server's URL (openid-client checks discovery's issuer), so the server
    listens on a port chosen first; it accepts its own tokens at /api/me, trusts a partner for
    the JWT bearer grant, and requires DPoP nonces."""
    PARTNER = "https://partner.example.com"

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        port = free_port()
        url = "http://127.0.0.1:%d" % port
        home, _ = init_home(cls.tmp.__enter__(), issuer=url)
        uncomment_own_tokens_example(home, url)
        cls.partner_key = private_key("ES256")
        jwks = json.dumps({"keys": [public_jwk(cls.partner_key, kid="p1")]})
        listener = ('<EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler" '
                    'name="jwt_bearer_grant" orderId="40" enable="true">'
                    '<TrustedIssuer issuer="%s" subjectClaim="email">%s</TrustedIssuer></EventListener>'
                    % (cls.PARTNER, jwks))
        edit(home + "/conf/identity.xml", "</EventListeners>", listener + "</EventListeners>")
        edit(home + "/conf/identity.xml", '<DPoP requireNonce="false"', '<DPoP requireNonce="true"')
        cls.server = Server(home, port).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.__exit__(None, None, None)

    def test_refresh_introspect_revoke_exchange_with_dpop(self):
        now = int(time.time())
        assertion = jwt.encode({"iss": self.PARTNER, "sub": "p-1", "email": "ann@partner.example.com",
                                "aud": self.server.url + "/oauth2/token", "exp": now + 120, "iat": now,
                                "jti": str(uuid.uuid4())}, self.partner_key, algorithm="ES256", headers={"kid": "p1"})
        out = subprocess.run(["node", "token_lifecycle_check.mjs", self.server.url, ADMIN_PASSWORD, assertion],
                             cwd=INTEROP, capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr + out.stdout)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        self.assertIn("ES256", r["dpop_algs"])
        self.assertEqual((r["token_type"], r["has_refresh_token"]), ("dpop", True))
        jkt = jwt.decode(r["access_token"], options={"verify_signature": False})["cnf"]["jkt"]
        self.assertEqual((r["me_status"], r["me_principal"]), (200, "ann@partner.example.com"))
        self.assertEqual((r["rotated"], r["refreshed_token_type"]), (True, "dpop"))
        self.assertEqual(r["introspection"], {"active": True, "token_type": "DPoP", "cnf": {"jkt": jkt},
                                              "sub": "ann@partner.example.com"})
        self.assertEqual((r["exchanged"]["issued_token_type"], r["exchanged"]["token_type"]),
                         ("urn:ietf:params:oauth:token-type:access_token", "dpop"))
        self.assertEqual(jwt.decode(r["exchanged"]["access_token"], options={"verify_signature": False})["aud"],
                         "https://orders.example")
        self.assertFalse(r["revoked_active"])
        self.assertEqual(r["me_after_revocation"], {"status": 401, "scheme": "dpop", "error": "invalid_token",
                                                    "error_description": "the token has been revoked"})
        self.assertEqual(r["refresh_after_revocation"], "invalid_grant")
        # The library met use_dpop_nonce and retried with the nonce.
        self.assertIn("POST /oauth2/token 400", self.server.log())


if __name__ == "__main__":
    unittest.main()
