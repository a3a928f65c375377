"""The shell recipes in docs/guides/examples work as written against a running server."""
import json
import os
import subprocess
import unittest

from harness import ADMIN_PASSWORD, ServerTestCase

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "guides", "examples")


class GuideTest(ServerTestCase, unittest.TestCase):
    def run_example(self, name):
        env = dict(os.environ, BASE=self.server.url, ADMIN=ADMIN_PASSWORD)
        out = subprocess.run(["bash", os.path.join(EXAMPLES, name)], env=env, capture_output=True, text=True,
                             timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]

    def test_private_key_jwt_recipe(self):
        first, replay = self.run_example("private_key_jwt.sh")
        self.assertIn("access_token", first)
        self.assertEqual(replay, {"error": "invalid_client", "error_description": "jti already used"})

    def test_client_secret_jwt_recipe(self):
        (result,) = self.run_example("client_secret_jwt.sh")
        self.assertIn("access_token", result)


if __name__ == "__main__":
    unittest.main()
