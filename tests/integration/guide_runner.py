"""Runs the shell commands of a markdown page (README.md, docs/guides/*.md) as a reader would.

Every fenced block whose info string starts with `sh` is a command the reader types, in page
order. An HTML comment on the line just before a fence (blank lines allowed between) narrows it:

    <!-- guide-test: ES256 -->      run only in the variant "ES256" (e.g. one algorithm of several)
    <!-- guide-test: skip -->       never run (a sketch with placeholders)

A page's variants are the names its markers use; blocks without a marker run in every variant.

The blocks are joined into one bash script run with `set -Eeuo pipefail` in a directory the
caller chooses, so a failing command, an undefined variable or a failing stage of a pipeline
stops the run and is reported with the page's line. The only change made to the text is the
server's URL: `http://127.0.0.1:9443` (./run.sh's) becomes the test server's. `curl` is wrapped
to record each response's status, URL and body (stdout is passed through unchanged), so a test
can check every HTTP exchange the page makes, not only the exit status.
"""
import os
import re
import subprocess
import tempfile

DOCS_URL = "http://127.0.0.1:9443"
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

_FENCE = re.compile(r"^```(\S*)")
_MARKER = re.compile(r"^<!--\s*guide-test:\s*(\S+)\s*-->\s*$")

_PRELUDE = r"""set -Eeuo pipefail
trap 'echo "GUIDE-FAILED $LINENO: $BASH_COMMAND" >&2' ERR
curl() {
  local body
  body=$(mktemp "$GUIDE_TRACE/body.XXXXXX")
  command curl --write-out "%{stderr}GUIDE-HTTP %{http_code} %{url_effective} $body\n" "$@" | tee "$body"
}
"""


class Block:
    def __init__(self, line, code, only):
        self.line = line  # 1-based line of the first command in the page
        self.code = code
        self.only = only  # None (always), "skip", or a variant name


def blocks(path):
    """The page's `sh` blocks, in order."""
    with open(path) as f:
        lines = f.read().split("\n")
    out = []
    marker = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _MARKER.match(line)
        if m:
            marker = m.group(1)
            i += 1
            continue
        fence = _FENCE.match(line)
        if fence:
            end = i + 1
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            if end == len(lines):
                raise AssertionError("%s:%d: unterminated code block" % (path, i + 1))
            if fence.group(1) == "sh":
                out.append(Block(i + 2, "\n".join(lines[i + 1:end]), marker))
            elif marker is not None:
                raise AssertionError("%s:%d: guide-test marker before a %r block" % (path, i + 1, fence.group(1)))
            marker = None
            i = end + 1
            continue
        if line.strip():
            if marker is not None:
                raise AssertionError("%s:%d: guide-test marker not followed by a code block" % (path, i))
        i += 1
    return out


def variants(path):
    """Variant names the page's markers use, in order of first use; [None] when there are none."""
    names = []
    for b in blocks(path):
        if b.only not in (None, "skip") and b.only not in names:
            names.append(b.only)
    return names or [None]


class Exchange:
    def __init__(self, status, url, body):
        self.status = status
        self.url = url
        self.body = body

    def __repr__(self):
        return "%s %s %s" % (self.status, self.url, self.body[:300])


class GuideRun:
    def __init__(self, page, variant, returncode, stdout, stderr, exchanges, failed_at):
        self.page = page
        self.variant = variant
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.exchanges = exchanges
        self.failed_at = failed_at  # "page.md:LINE: command" that stopped the run, or None

    def describe(self):
        return "%s (variant %s): exit %s%s\n--- HTTP:\n%s\n--- stdout:\n%s\n--- stderr:\n%s" % (
            os.path.relpath(self.page, ROOT), self.variant, self.returncode,
            ", failed at " + self.failed_at if self.failed_at else "",
            "\n".join(map(repr, self.exchanges)), self.stdout[-3000:], self.stderr[-3000:])


def script(path, variant, url):
    """The bash script for one variant, and for each of its lines the page line it came from."""
    text = [_PRELUDE]
    origin = [None] * _PRELUDE.count("\n")
    for b in blocks(path):
        if b.only == "skip" or (b.only is not None and b.only != variant):
            continue
        code = b.code.replace(DOCS_URL, url)
        for n, line in enumerate(code.split("\n")):
            text.append(line + "\n")
            origin.append(b.line + n)
    return "".join(text), origin


def run(path, variant, url, cwd, env, timeout=300):
    """Runs one variant of the page in cwd with env (plus the trace directory)."""
    body, origin = script(path, variant, url)
    with tempfile.TemporaryDirectory(prefix="guide-trace-") as trace:
        script_path = os.path.join(trace, "guide.sh")
        with open(script_path, "w") as f:
            f.write(body)
        env = dict(env, GUIDE_TRACE=trace)
        out = subprocess.run(["bash", script_path], cwd=cwd, env=env, capture_output=True, text=True,
                             timeout=timeout, stdin=subprocess.DEVNULL)
        exchanges = []
        failed_at = None
        for line in out.stderr.split("\n"):
            m = re.match(r"GUIDE-HTTP (\d+) (\S*) (\S+)$", line)
            if m:
                with open(m.group(3)) as f:
                    exchanges.append(Exchange(int(m.group(1)), m.group(2), f.read()))
            # A failure inside a function or $(...) is reported there first, then by the page's
            # command that ran it: the last report names the page's line.
            m = re.match(r"GUIDE-FAILED (\d+): (.*)$", line)
            if m:
                n = int(m.group(1)) - 1
                where = origin[n] if 0 <= n < len(origin) else None
                failed_at = "%s:%s: %s" % (os.path.basename(path), where, m.group(2))
    return GuideRun(path, variant, out.returncode, out.stdout, out.stderr, exchanges, failed_at)
