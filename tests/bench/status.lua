-- wrk script: the request as given on the command line; prints one RESULT line.
-- socket_errors counts connect, read, write and timeout errors; timeouts alone as well.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d non2xx=%d socket_errors=%d timeouts=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max, e.status,
    e.connect + e.read + e.write + e.timeout, e.timeout))
end
