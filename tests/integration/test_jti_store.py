"""The JTI table through the running server: durable across SIGKILL, exact across two server
processes sharing PostgreSQL, and a database failure is a 500, never a token."""
import concurrent.futures
import os
import signal
import subprocess
import unittest
import urllib.parse

import assertions as A
import rs_support as R
from harness import FORM, Server, TempDir, edit, init_home, postgres_connection


def pg_home(tmp, name, connection):
    home, _ = init_home(tmp, name=name)
    edit(home + "/conf/server.xml", '<Database type="sqlite" path="data/idgate.db"/>',
         '<Database type="postgresql" connection="%s"/>' % connection)
    return home


def psql(connection, sql):
    params = dict(p.split("=", 1) for p in connection.split())
    cmd = ["psql", "-h", params["host"], "-p", params["port"], "-U", params["user"], "-d", params["dbname"],
           "-v", "ON_ERROR_STOP=1", "-qc", sql]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)


def post(server, params):
    return server.request("POST", "/oauth2/token", urllib.parse.urlencode(params), FORM)


class DurabilityTest(unittest.TestCase):
    def test_accepted_jti_survives_sigkill(self):
        with TempDir() as tmp:
            home, _ = init_home(tmp)
            server = Server(home).start()
            key = A.private_key("ES256")
            server.register(client_id="durable", token_endpoint_auth_method="private_key_jwt",
                            jwks={"keys": [A.public_jwk(key, "k")]})
            assertion = A.sign(A.claims("durable", server.url + "/oauth2/token"), key, "ES256", kid="k")
            self.assertEqual(post(server, A.form(assertion)).status, 200)
            server.stop(sig=signal.SIGKILL)
            self.assertEqual(server.proc.returncode, -signal.SIGKILL)
            # Same port is not guaranteed; the issuer is derived, so use the new URL's audience...
            # ...but the assertion names the old one. Pin the issuer to keep the audience valid.
            old_url = server.url
            edit(home + "/conf/server.xml", "<!-- <Issuer>https://idp.example.com</Issuer>",
                 "<Issuer>%s</Issuer><!--" % old_url)
            again = Server(home).start()
            try:
                r = post(again, A.form(assertion))
                self.assertEqual((r.status, r.json()["error_description"]), (401, "jti already used"))
            finally:
                again.stop()


class ClusterTest(unittest.TestCase):
    """Two idgate-server processes sharing one PostgreSQL."""

    def test_same_assertion_on_two_nodes_has_exactly_one_success(self):
        connection = postgres_connection()
        with TempDir() as tmp:
            issuer = "https://idp.cluster.test"
            homes = [pg_home(tmp, "node%d" % i, connection) for i in (1, 2)]
            for h in homes:
                edit(h + "/conf/server.xml", "<!-- <Issuer>https://idp.example.com</Issuer>",
                     "<Issuer>%s</Issuer><!--" % issuer)
            nodes = [Server(h).start() for h in homes]
            try:
                key = A.private_key("ES256")
                nodes[0].register(client_id="cluster-%d" % os.getpid(), token_endpoint_auth_method="private_key_jwt",
                                  jwks={"keys": [A.public_jwk(key, "k")]})
                client_id = "cluster-%d" % os.getpid()
                rounds = 40
                with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
                    for i in range(rounds):
                        a = A.sign(A.claims(client_id, issuer), key, "ES256", kid="k")
                        # two requests per node, all at once
                        futures = [pool.submit(post, n, A.form(a)) for n in nodes for _ in range(2)]
                        statuses = sorted(f.result().status for f in futures)
                        self.assertEqual(statuses, [200, 401, 401, 401], "round %d" % i)
            finally:
                for n in nodes:
                    n.stop()


    def test_resource_server_token_reuse_is_shared_between_nodes(self):
        secret = R.SECRET
        connection = postgres_connection()
        with TempDir() as tmp:
            homes = [pg_home(tmp, "rs%d" % i, connection) for i in (1, 2)]
            for h in homes:
                edit(h + "/conf/server.xml", "</Server>", (
                    '<openidConnectClient id="hs" inboundPropagation="required" clientSecret="%s" '
                    'issuerIdentifier="https://cluster-%d.example" audiences="ALL_AUDIENCES"/></Server>')
                    % (secret, os.getpid()))
            nodes = [Server(h).start() for h in homes]
            try:
                def me(node, token):
                    return node.request("GET", "/api/me", headers=R.bearer(token)).status
                with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
                    for i in range(30):
                        t = R.hs(R.claims("https://cluster-%d.example" % os.getpid()), secret)
                        futures = [pool.submit(me, n, t) for n in nodes for _ in range(2)]
                        self.assertEqual(sorted(f.result() for f in futures), [200, 401, 401, 401], "round %d" % i)
            finally:
                for n in nodes:
                    n.stop()


class StoreFailureTest(unittest.TestCase):
    def test_database_failure_during_check_is_server_error(self):
        base = postgres_connection()
        db = "idgate_fail_%d" % os.getpid()
        psql(base, "DROP DATABASE IF EXISTS %s" % db)
        psql(base, "CREATE DATABASE %s" % db)
        connection = base.replace("dbname=idgate_it", "dbname=" + db)
        with TempDir() as tmp:
            home = pg_home(tmp, "home", connection)
            edit(home + "/conf/server.xml", "</Server>", (
                '<openidConnectClient id="hs" inboundPropagation="required" clientSecret="%s" '
                'issuerIdentifier="https://f.example" audiences="ALL_AUDIENCES"/></Server>')
                % R.SECRET)
            server = Server(home).start()
            try:
                key = A.private_key("ES256")
                server.register(client_id="fails", token_endpoint_auth_method="private_key_jwt",
                                jwks={"keys": [A.public_jwk(key, "k")]})
                psql(connection, "DROP TABLE IDN_OIDC_JTI")
                a = A.sign(A.claims("fails", server.url + "/oauth2/token"), key, "ES256", kid="k")
                r = post(server, A.form(a))
                self.assertEqual(r.status, 500, r.text)
                self.assertEqual(r.json()["error"], "server_error")
                self.assertNotIn("access_token", r.text)
                self.assertIn("jti batch of 1 failed", server.log())
                # Nothing was recorded, so once the store is back the client's retry of the
                # same assertion is accepted: the failure left no "already used" behind (not
                # in the table, not in the plugin's cache).
                psql(connection, "CREATE TABLE IDN_OIDC_JTI (JWT_ID VARCHAR(255) NOT NULL, "
                     "CLIENT_ID VARCHAR(255) NOT NULL, EXP_TIME BIGINT NOT NULL, "
                     "TIME_CREATED BIGINT NOT NULL, PRIMARY KEY (CLIENT_ID, JWT_ID))")
                r = post(server, A.form(a))
                self.assertEqual(r.status, 200, r.text)
                r = post(server, A.form(a))
                self.assertEqual((r.status, r.json()["error_description"]), (401, "jti already used"))
                # A failure after successes (Poco's PostgreSQL statement freed a result twice
                # then, and the server died) is a 500 like the first, and the server lives on.
                psql(connection, "DROP TABLE IDN_OIDC_JTI")
                r = post(server, A.form(A.sign(A.claims("fails", server.url + "/oauth2/token"), key, "ES256", kid="k")))
                self.assertEqual((r.status, r.json()["error"]), (500, "server_error"))
                self.assertEqual(server.request("GET", "/health").status, 200)
                # The resource server's reuse check fails closed the same way.
                secret = R.SECRET
                r = server.request("GET", "/api/me", headers=R.bearer(R.hs(R.claims("https://f.example"), secret)))
                self.assertEqual(r.status, 500, r.text)
                self.assertEqual(r.json()["error"], "server_error")
            finally:
                server.stop()
                psql(base, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % db)


if __name__ == "__main__":
    unittest.main()
