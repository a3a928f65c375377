"""Installs the SDK, builds the example plugin as a separate CMake project against it, drops it
into a home and gets a token through it."""
import os
import shutil
import subprocess
import unittest

from harness import BUILD, Server, TempDir, edit, init_home

SOURCE = os.path.join(os.path.dirname(__file__), "..", "..", "plugin-api", "examples", "shared_key")
KEY = "an-example-shared-key-of-40-characters!!"


def run(*args):
    out = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise AssertionError("%s failed:\n%s\n%s" % (" ".join(args), out.stdout, out.stderr))
    return out


class SdkExampleTest(unittest.TestCase):
    def test_out_of_tree_plugin_gets_a_token(self):
        with TempDir() as tmp:
            prefix = os.path.join(tmp, "prefix")
            run("cmake", "--install", BUILD, "--prefix", prefix)
            self.assertTrue(os.path.exists(os.path.join(prefix, "include/idgate/plugin_abi.h")))
            build = os.path.join(tmp, "example-build")
            run("cmake", "-S", SOURCE, "-B", build, "-DCMAKE_PREFIX_PATH=" + prefix, "-DCMAKE_BUILD_TYPE=Release")
            run("cmake", "--build", build, "-j2")
            plugin = os.path.join(build, "example-shared-key.so")
            self.assertTrue(os.path.exists(plugin))
            exported = run("nm", "-D", "--defined-only", plugin).stdout
            self.assertIn("idgate_plugin_v2", exported)
            self.assertNotIn("SharedKey", exported, "only the entry point is exported")

            home, _ = init_home(tmp)
            shutil.copy(plugin, os.path.join(home, "dropins"))
            edit(home + "/conf/identity.xml", "</EventListeners>",
                 '<EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler" '
                 'name="com.example.idgate.SharedKeyAuthenticator" orderId="30" enable="true">'
                 '<Property name="SharedKey">%s</Property></EventListener></EventListeners>' % KEY)
            server = Server(home).start()
            try:
                plugins = {p["file"]: p for p in server.admin("GET", "/api/admin/plugins").json()["plugins"]}
                self.assertEqual(plugins["example-shared-key.so"]["status"], "active")
                # Credential-like properties are listed as set, never shown.
                self.assertEqual(plugins["example-shared-key.so"]["properties"], {"SharedKey": "********"})
                self.assertNotIn(KEY, server.admin("GET", "/api/admin/plugins").text)
                server.register(client_id="svc", token_endpoint_auth_method="shared_key")
                out = run("curl", "-sS", "-H", "Authorization: SharedKey " + KEY,
                          "-d", "grant_type=client_credentials", "-d", "client_id=svc", server.url + "/oauth2/token")
                self.assertIn('"access_token"', out.stdout)
                out = run("curl", "-sS", "-H", "Authorization: SharedKey wrong",
                          "-d", "grant_type=client_credentials", "-d", "client_id=svc", server.url + "/oauth2/token")
                self.assertIn('"error_description":"shared key does not match"', out.stdout)
                self.assertIn("shared_key authenticator configured", server.log())
            finally:
                self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
