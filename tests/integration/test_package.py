"""The .deb: built by CPack from this build, its files where Debian puts them, its systemd unit
verified by systemd-analyze, installed with dpkg -i on this machine (a system user, the home in
/var/lib/idgate, conf in /etc/idgate readable only by root and the service), the installed
server started as that user on a free port, upgraded in place (bundled dropins refreshed, data
and conf kept), then purged and the machine cleaned. Skipped where idgate is already installed
for real, so it never replaces an operator's install."""
import os
import shutil
import stat
import subprocess
import tempfile
import time
import unittest
import urllib.request

from harness import BUILD, free_port

HOME = "/var/lib/idgate"
CONF = "/etc/idgate"


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=300, **kw)


@unittest.skipIf(os.geteuid() != 0, "dpkg -i needs root")
class PackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if run("dpkg-query", "-W", "-f=${Status}", "idgate").stdout.startswith("install ok"):
            raise unittest.SkipTest("the idgate package is installed on this machine; not replacing it")
        if os.path.exists(HOME) or os.path.exists(CONF):
            raise unittest.SkipTest(HOME + " or " + CONF + " exists; not touching them")
        cls.tmp = tempfile.mkdtemp(prefix="idgate-pkg-")
        out = run("cpack", "-G", "DEB", "-B", cls.tmp, "--config", os.path.join(BUILD, "CPackConfig.cmake"))
        assert out.returncode == 0, out.stdout + out.stderr
        cls.deb = [os.path.join(cls.tmp, f) for f in os.listdir(cls.tmp) if f.endswith(".deb")][0]

    @classmethod
    def tearDownClass(cls):
        if hasattr(cls, "tmp"):
            run("dpkg", "--purge", "idgate")
            shutil.rmtree(HOME, ignore_errors=True)
            shutil.rmtree(CONF, ignore_errors=True)
            run("userdel", "idgate")
            if run("getent", "group", "idgate").returncode == 0:
                run("groupdel", "idgate")
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def start(self):
        port = free_port()
        with open(os.path.join(self.tmp, "server.log"), "ab") as log:
            proc = subprocess.Popen(["runuser", "-u", "idgate", "--", "/usr/bin/idgate-server", "--home", HOME,
                                     "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
        url = "http://127.0.0.1:%d/health" % port
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    return proc, r.status, r.read().decode()
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    proc.kill()
                    with open(os.path.join(self.tmp, "server.log")) as f:
                        raise AssertionError("installed server did not answer:\n" + f.read())
                time.sleep(0.2)

    def test_build_install_start_upgrade_purge(self):
        listing = run("dpkg-deb", "-c", self.deb).stdout
        for path in ("./usr/bin/idgate-server", "./usr/bin/idgate-keytool",
                     "./usr/lib/idgate/dropins/idgate-client-secret-basic.so",
                     "./usr/lib/idgate/dropins/idgate-token-exchange-grant.so",
                     "./usr/lib/systemd/system/idgate.service", "./usr/share/doc/idgate/operations.md",
                     "./usr/include/idgate/sdk.h"):
            self.assertIn(path, listing)
        info = run("dpkg-deb", "-I", self.deb).stdout
        self.assertIn("postinst", info)
        self.assertRegex(info, r"Depends: adduser, .*libpoco")

        out = run("dpkg", "-i", self.deb)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("admin password (shown once, store it now):", out.stdout)
        self.assertIn("idgate: home /var/lib/idgate, configuration /etc/idgate", out.stdout)
        verify = run("systemd-analyze", "verify", "/usr/lib/systemd/system/idgate.service")
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
        with open("/usr/lib/systemd/system/idgate.service") as f:
            unit = f.read()
        for option in ("User=idgate", "NoNewPrivileges=yes", "ProtectSystem=strict",
                       "ReadWritePaths=/var/lib/idgate", "CapabilityBoundingSet="):
            self.assertIn(option, unit)

        self.assertEqual(os.readlink(HOME + "/conf"), CONF)
        server_xml = os.stat(CONF + "/server.xml")
        self.assertEqual(stat.S_IMODE(server_xml.st_mode), 0o640)
        self.assertEqual(run("stat", "-c", "%U:%G", CONF + "/server.xml").stdout.strip(), "root:idgate")
        with open(CONF + "/server.xml") as f, open("/usr/share/idgate/conf/server.xml") as g:
            self.assertEqual(f.read(), g.read(), "the repository's conf/, installed as the template")
        # The secrets its ${variables} name: the service's own, nobody else's.
        secrets = os.stat(HOME + "/bootstrap.properties")
        self.assertEqual(stat.S_IMODE(secrets.st_mode), 0o600)
        self.assertEqual(run("stat", "-c", "%U", HOME + "/bootstrap.properties").stdout.strip(), "idgate")
        self.assertEqual(run("stat", "-c", "%U", HOME + "/keystore").stdout.strip(), "idgate")
        self.assertTrue(os.path.exists(HOME + "/dropins/idgate-client-secret-basic.so"))

        proc, status, body = self.start()
        try:
            self.assertEqual((status, body), (200, '{"status":"ok","database":"ok"}'))
        finally:
            proc.terminate()
            proc.wait(30)
        db = HOME + "/data/idgate.db"
        self.assertTrue(os.path.exists(db))

        # An upgrade in place: the home's bundled dropins are refreshed, data and conf stay.
        stale = HOME + "/dropins/idgate-none.so"
        with open(stale, "wb") as f:
            f.write(b"old build")
        with open(CONF + "/identity.xml", "a") as f:
            f.write("<!-- the operator's edit -->\n")
        out = run("dpkg", "-i", self.deb)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertNotIn("admin password", out.stdout, "no second init")
        with open(stale, "rb") as f, open("/usr/lib/idgate/dropins/idgate-none.so", "rb") as g:
            self.assertEqual(f.read(), g.read())
        with open(CONF + "/identity.xml") as f:
            self.assertIn("the operator's edit", f.read())
        self.assertTrue(os.path.exists(db))

        out = run("dpkg", "--purge", "idgate")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertFalse(os.path.exists("/usr/bin/idgate-server"))
        self.assertTrue(os.path.exists(db), "the data outlives the package")


if __name__ == "__main__":
    unittest.main()
