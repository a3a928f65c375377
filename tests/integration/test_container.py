"""The Dockerfile: built and run where a container runtime answers (`docker info`), else
skipped (this test builds the whole server inside the image: minutes). The container makes its
home in the volume on first start, prints the admin password once, runs as a non-root user and
answers /health and discovery with the issuer it was given."""
import json
import os
import subprocess
import time
import unittest
import urllib.request

from harness import free_port

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def docker(*args, timeout=120):
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)


def runtime_present():
    try:
        return docker("info", timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@unittest.skipUnless(runtime_present(), "no container runtime answers `docker info`")
class ContainerTest(unittest.TestCase):
    def test_build_and_run(self):
        tag = "idgate-test:%d" % os.getpid()
        out = docker("build", "-t", tag, ROOT, timeout=1800)
        self.assertEqual(out.returncode, 0, out.stdout[-3000:] + out.stderr[-3000:])
        port = free_port()
        name = "idgate-test-%d" % os.getpid()
        out = docker("run", "-d", "--name", name, "-p", "127.0.0.1:%d:9443" % port,
                     "-e", "IDGATE_ISSUER=http://127.0.0.1:%d" % port, tag)
        self.assertEqual(out.returncode, 0, out.stderr)
        try:
            deadline = time.time() + 60
            while True:
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/health" % port, timeout=2) as r:
                        self.assertEqual(r.status, 200)
                        break
                except OSError:
                    self.assertLess(time.time(), deadline, docker("logs", name).stderr)
                    time.sleep(0.5)
            with urllib.request.urlopen("http://127.0.0.1:%d/.well-known/openid-configuration" % port) as r:
                self.assertEqual(json.load(r)["issuer"], "http://127.0.0.1:%d" % port)
            logs = docker("logs", name)
            self.assertIn("admin password (shown once, store it now):", logs.stdout + logs.stderr)
            self.assertEqual(docker("exec", name, "id", "-un").stdout.strip(), "idgate")
        finally:
            docker("rm", "-f", name)
            docker("rmi", "-f", tag)


if __name__ == "__main__":
    unittest.main()
