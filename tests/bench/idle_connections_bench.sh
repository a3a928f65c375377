#!/usr/bin/env bash
# Many idle keep-alive connections: the server's memory with them open, and the time a request
# on a fresh connection takes meanwhile.
#   tests/bench/idle_connections_bench.sh [CONNECTIONS=10000]
# Each connection sends one GET /health and then stays open without a request; within the
# server's idle timeout (10 s) the script reads the server's RSS and times 20 requests on fresh
# connections (curl). Server pinned to core 0, the clients on core 1, loopback only, bounded in
# count and time (everything is closed after about 10 s).
set -euo pipefail
COUNT=${1:-10000}
ulimit -n $((COUNT + 1000)) 2>/dev/null || { echo "cannot raise the open-file limit to $((COUNT + 1000))"; exit 1; }
source "$(dirname "$0")/lib.sh"
bench_start_server
rss() { awk '/VmRSS/ {print $2 / 1024 " MB"}' "/proc/$SERVER_PID/status"; }
echo "server RSS before: $(rss)"
HOSTPORT=${URL#http://}
taskset -c 1 "$PY" - "$HOSTPORT" "$COUNT" "$SERVER_PID" "$URL" <<'PYEOF'
import asyncio, statistics, subprocess, sys, time
host, port = sys.argv[1].split(":")
count, pid, url = int(sys.argv[2]), sys.argv[3], sys.argv[4]

def rss():
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024

async def one(sem, held, failures):
    async with sem:
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection(host, int(port)), 10)
            w.write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            await w.drain()
            head = await asyncio.wait_for(r.readuntil(b"\r\n\r\n"), 10)
            length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0].split(b":")[1])
            await r.readexactly(length)
            held.append(w)
        except Exception as e:
            failures.append(type(e).__name__)

async def main():
    sem, held, failures = asyncio.Semaphore(256), [], []
    start = time.time()
    await asyncio.gather(*(one(sem, held, failures) for _ in range(count)))
    opened = time.time() - start
    mb = rss()
    times = []
    for _ in range(20):
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{time_total}", url + "/health"],
                             capture_output=True, text=True)
        times.append(float(out.stdout) * 1000)
    print("connections held: %d of %d (failures: %s), opened in %.1f s" % (
        len(held), count, ",".join(sorted(set(failures))) or "none", opened))
    print("server RSS with them open: %.1f MB" % mb)
    print("fresh-connection GET /health meanwhile: median %.2f ms, max %.2f ms (20 requests)" % (
        statistics.median(times), max(times)))
    for w in held:
        w.close()

asyncio.run(main())
PYEOF
echo "server RSS after: $(rss)"
