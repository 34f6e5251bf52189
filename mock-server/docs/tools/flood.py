"""Floods a release ilert-mock and reports its RSS (/proc/PID/status VmRSS, VmHWM), the answers
and the latency of a health probe meanwhile (Linux; standard library only).

    python3 mock-server/docs/tools/flood.py target/release/ilert-mock events|headers|audit|cross-site

The attacks of mock-server/docs/security-bounds.md: 15,200 events of 50 KB without a token,
1,500 requests with one 300 KB header, 10,000 requests with a 30 KB client_id in the query,
4,000 cross-site text/plain events.
"""
import http.client, json, os, subprocess, sys, threading, time, urllib.parse

BIN = sys.argv[1]
KIND = sys.argv[2]
extra = sys.argv[3:]

def rss(pid):
    out = {}
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(("VmRSS", "VmHWM")):
            k, v = line.split(":")
            out[k] = int(v.split()[0]) // 1024
    return out

import tempfile
ready = os.path.join(tempfile.mkdtemp(prefix="ilert-flood-"), "ready")
if os.path.exists(ready):
    os.remove(ready)
p = subprocess.Popen([BIN, "--bind", "127.0.0.1:0", "--ready-file", ready, "--auto-approve", "someUser", "--exit-with-parent", *extra],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.PIPE)
while not os.path.exists(ready) or not open(ready).read().strip():
    time.sleep(0.02)
base = urllib.parse.urlsplit(open(ready).read().strip())
host, port = base.hostname, base.port
print("start", rss(p.pid))

def conn():
    return http.client.HTTPConnection(host, port, timeout=60)

stats = {"codes": {}, "sent": 0}
lock = threading.Lock()
probe_lat = []
stop = threading.Event()

def probe():
    c = conn()
    while not stop.is_set():
        t = time.perf_counter()
        try:
            c.request("GET", "/_mock/health"); r = c.getresponse(); r.read()
        except Exception:
            c = conn(); continue
        probe_lat.append((time.perf_counter() - t) * 1000)
        time.sleep(0.05)

def worker(make, n):
    c = conn()
    for i in range(n):
        method, path, headers, body = make(i)
        try:
            c.request(method, path, body=body, headers=headers); r = c.getresponse(); r.read()
            code = r.status
        except Exception as e:
            code = type(e).__name__; c = conn()
        with lock:
            stats["codes"][code] = stats["codes"].get(code, 0) + 1
            stats["sent"] += 1

if KIND == "events":
    details = "d" * (50 * 1024)
    def make(i):
        b = json.dumps({"integrationKey": "il1api0a5cf3003d4e6f8a0b2c4d6e8f0a", "eventType": "ALERT",
                        "summary": f"flood {threading.get_ident()} {i}", "details": details, "alertKey": f"{threading.get_ident()}-{i}"})
        return "POST", "/api/events", {"Content-Type": "application/json"}, b
    n, threads = 3800, 4
elif KIND == "headers":
    big = "h" * (300 * 1024)
    def make(i):
        return "GET", "/.well-known/jwks.json", {"X-Big": big}, None
    n, threads = 375, 4
elif KIND == "audit":
    cid = "c" * (30 * 1024)
    def make(i):
        return "GET", "/api/users/current?client_id=" + cid + f"{i}&client_secret=x", {}, None
    n, threads = 2500, 4
elif KIND == "cross-site":
    def make(i):
        return "POST", "/api/events", {"Content-Type": "text/plain", "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, "x" * 50000
    n, threads = 1000, 4

pt = threading.Thread(target=probe); pt.start()
t0 = time.time()
ws = [threading.Thread(target=worker, args=(make, n)) for _ in range(threads)]
for w in ws: w.start()
for w in ws: w.join()
elapsed = time.time() - t0
stop.set(); pt.join()
print("kind", KIND, "requests", stats["sent"], "in %.1fs" % elapsed, "answers", stats["codes"])
print("after", rss(p.pid))
probe_lat.sort()
if probe_lat:
    print("health probe ms: p50 %.1f p99 %.1f max %.1f (n=%d)" % (probe_lat[len(probe_lat)//2], probe_lat[int(len(probe_lat)*0.99)], probe_lat[-1], len(probe_lat)))
if KIND == "audit":
    c = conn(); c.request("GET", "/_mock/audit"); r = c.getresponse(); body = r.read()
    print("GET /_mock/audit bytes", len(body))
    out = subprocess.run([BIN, "audit", "--base-url", f"http://{host}:{port}"], capture_output=True)
    print("ilert-mock audit exit", out.returncode, "stdout bytes", len(out.stdout))
c = conn(); c.request("GET", "/_mock/requests"); r = c.getresponse(); body = r.read()
print("GET /_mock/requests bytes", len(body))
p.stdin.close(); p.wait(timeout=20)
