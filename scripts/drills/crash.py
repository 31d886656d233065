#!/usr/bin/env python3
"""Crash drill: kill -9 of `ddhub serve` and `ddhub worker` at random moments during catalog
ingest and order intake, restart them, then verify:

* every order acknowledged with 201 is present exactly once (its Idempotency-Key replays it;
  one row per partner order id);
* every upload acknowledged with 202 finishes (done), none stuck in queued/parsing/committing;
* no job is stuck: after the last restart the queue drains (nothing queued or running);
* PRAGMA integrity_check is ok.

Figures printed: kills, acknowledged writes, time to drain after the last restart.
Standard library only (urllib, sqlite3, subprocess). Every process it starts is killed by id.

    python3 scripts/drills/crash.py --bin target/debug/ddhub --rounds 6 --seconds 3
"""
import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

procs = []


def spawn(bin_, data, args, env_extra=None, log=None):
    env = dict(os.environ)
    env.update({"DDHUB_DATA_DIR": data, "DDHUB_LOG_FORMAT": "json", "RUST_LOG": "warn",
                "DDHUB_SEARCH_RATE_PER_MINUTE": "100000000",
                "DDHUB_PARTNER_RATE_PER_MINUTE": "100000000",
                # A short lease: a killed worker's job is taken over within seconds.
                "DDHUB_JOB_LEASE_SECS": "5"})
    env.pop("DDHUB_DATABASE_URL", None)
    env.update(env_extra or {})
    p = subprocess.Popen([bin_] + args, env=env, stdout=log or subprocess.DEVNULL,
                         stderr=log or subprocess.DEVNULL)
    procs.append(p)
    return p


def kill9(p):
    if p.poll() is None:
        os.kill(p.pid, signal.SIGKILL)
    p.wait()


def http(method, url, key=None, body=None, headers=None, timeout=30):
    h = {"Content-Type": "application/json"} if isinstance(body, (dict, list)) else {}
    if key:
        h["Authorization"] = "Bearer " + key
    h.update(headers or {})
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def multipart(fields):
    boundary = uuid.uuid4().hex
    out = b""
    for name, (filename, content) in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
        out += content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


def wait_ready(base, proc, timeout=60):
    t = time.time()
    while time.time() - t < timeout:
        if proc.poll() is not None:
            raise SystemExit("serve exited during start-up")
        try:
            if http("GET", base + "/readyz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("serve never became ready")


def find_expected(v):
    if isinstance(v, dict):
        if isinstance(v.get("expected"), str):
            return v["expected"]
        for x in v.values():
            r = find_expected(x)
            if r:
                return r
    if isinstance(v, list):
        for x in v:
            r = find_expected(x)
            if r:
                return r
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--seconds", type=float, default=3.0, help="longest wait before a kill")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    a = ap.parse_args()
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="ddhub-crash-")
    data = os.path.join(work, "data")
    log = open(os.path.join(work, "ddhub.log"), "ab")
    subprocess.run([a.bin, "demo", "--no-serve"], env=dict(os.environ, DDHUB_DATA_DIR=data),
                   check=True, stdout=subprocess.DEVNULL)
    keys = [l.split("\t") for l in open(os.path.join(data, "demo-keys.txt")) if not l.startswith("#")]
    wkey = [k[2].strip() for k in keys if k[0] == "wholesaler"][0]
    pkey = [k[2].strip() for k in keys if k[0] == "partner"][0]
    sheet = open(os.path.join(data, "demo-catalog/misonit-catalog-cp949.csv"), "rb").read()
    photos = open(os.path.join(data, "demo-catalog/misonit-photos.zip"), "rb").read()
    port = 20000 + rng.randrange(20000)
    base = f"http://127.0.0.1:{port}"
    # The checks after the last restart read every acknowledged order in a burst over the
    # per-key limit; limits are tested on their own.
    env = {"DDHUB_LISTEN": f"127.0.0.1:{port}", "DDHUB_PARTNER_RATE_PER_MINUTE": "100000000"}

    serve = spawn(a.bin, data, ["serve", "--no-workers"], env, log)
    worker = spawn(a.bin, data, ["worker"], None, log)
    wait_ready(base, serve)
    _, body = http("GET", base + "/api/v1/styles?per_page=200", wkey)
    style = [s for s in json.loads(body)["styles"] if s["state"] == "active"][0]
    detail = json.loads(http("GET", f"{base}/api/v1/styles/{style['id']}", wkey)[1])
    sku, moq = detail["skus"][0]["id"], max(1, detail["moq"])

    def order_body(n, price):
        return {"partner_order_id": f"CR-{n}", "currency": "JPY",
                "lines": [{"sku_id": sku, "quantity": moq, "unit_price": price}],
                "ship_to": {"name": "Crash", "country": "JP", "address_lines": ["1-1"],
                            "postal_code": "100-0001", "phone": "+81 3 0000 0000"}}

    _, probe = http("POST", base + "/api/v1/orders", pkey, order_body("probe", "1"),
                    {"Idempotency-Key": "probe"})
    price = find_expected(json.loads(probe))
    assert price, probe

    acked_orders = {}   # n -> order id
    acked_uploads = []
    lock = threading.Lock()
    stop = threading.Event()
    counter = [0]

    def order_loop():
        while not stop.is_set():
            with lock:
                n = counter[0]
                counter[0] += 1
            try:
                st, b = http("POST", base + "/api/v1/orders", pkey, order_body(n, price),
                             {"Idempotency-Key": f"crash-{n}"}, timeout=5)
            except OSError:
                time.sleep(0.05)
                continue   # not acknowledged: may or may not exist, both are fine
            if st == 201:
                with lock:
                    acked_orders[n] = json.loads(b)["order_id"]
            elif st >= 500 or st in (400, 422):
                print(f"order {n}: unexpected {st} {b[:200]!r}", file=sys.stderr)

    def upload_loop():
        while not stop.is_set():
            body, ctype = multipart({"file": ("misonit-catalog-cp949.csv", sheet),
                                     "photos": ("misonit-photos.zip", photos)})
            try:
                st, b = http("POST", base + "/api/v1/catalog/uploads", wkey, body,
                             {"Content-Type": ctype}, timeout=30)
            except OSError:
                time.sleep(0.2)
                continue
            if st == 202 or st == 201 or st == 200:
                with lock:
                    acked_uploads.append(json.loads(b)["upload_id"])
            time.sleep(0.5)

    threads = [threading.Thread(target=order_loop) for _ in range(3)]
    threads.append(threading.Thread(target=upload_loop))
    for t in threads:
        t.start()
    kills = {"serve": 0, "worker": 0}
    for r in range(a.rounds):
        time.sleep(rng.uniform(0.3, a.seconds))
        victim = rng.choice(["serve", "worker", "both"])
        if victim in ("serve", "both"):
            kill9(serve)
            kills["serve"] += 1
        if victim in ("worker", "both"):
            kill9(worker)
            kills["worker"] += 1
        time.sleep(rng.uniform(0.0, 0.5))
        if serve.poll() is not None:
            serve = spawn(a.bin, data, ["serve", "--no-workers"], env, log)
            wait_ready(base, serve)
        if worker.poll() is not None:
            worker = spawn(a.bin, data, ["worker"], None, log)
    stop.set()
    for t in threads:
        t.join()
    last_restart = time.time()

    # Drain: every job done (a killed worker's leases expire after 5 s).
    db = os.path.join(data, "ddhub.sqlite")
    drained = None
    while time.time() - last_restart < 300:
        c = sqlite3.connect(db, timeout=10)
        n = c.execute("SELECT COUNT(*) FROM jobs WHERE state IN ('queued','running')").fetchone()[0]
        c.close()
        if n == 0:
            drained = time.time() - last_restart
            break
        time.sleep(0.5)
    failures = []
    if drained is None:
        failures.append("jobs still queued or running 300 s after the last restart")

    # Orders: each acknowledged one present once; its key replays the same order.
    c = sqlite3.connect(db, timeout=10)
    for n, oid in sorted(acked_orders.items()):
        st, b = http("GET", f"{base}/api/v1/orders/{oid}", pkey)
        if st != 200:
            failures.append(f"acknowledged order {oid} (CR-{n}) answers {st}")
    for (poid, cnt) in c.execute(
            "SELECT partner_order_id, COUNT(*) FROM export_orders WHERE partner_order_id LIKE 'CR-%' "
            "GROUP BY partner_order_id HAVING COUNT(*) > 1"):
        failures.append(f"{poid} stored {cnt} times")
    for n in rng.sample(sorted(acked_orders), min(20, len(acked_orders))):
        st, b = http("POST", base + "/api/v1/orders", pkey, order_body(n, price),
                     {"Idempotency-Key": f"crash-{n}"})
        if json.loads(b).get("order_id") != acked_orders[n]:
            failures.append(f"replay of crash-{n} answered {st} {b[:120]!r}")
    # Uploads: each acknowledged one finished.
    states = {}
    for uid in acked_uploads:
        st, b = http("GET", f"{base}/api/v1/catalog/uploads/{uid}", wkey)
        s = json.loads(b).get("state")
        states[s] = states.get(s, 0) + 1
        if s != "done":
            failures.append(f"upload {uid} is {s}")
    dead = c.execute("SELECT kind, COUNT(*) FROM jobs WHERE state = 'dead' GROUP BY kind").fetchall()
    integrity = c.execute("PRAGMA integrity_check").fetchone()[0]
    c.close()
    if integrity != "ok":
        failures.append(f"integrity_check: {integrity}")
    print(f"crash drill (seed {a.seed}): {kills['serve']} serve and {kills['worker']} worker kill -9s "
          f"over {a.rounds} rounds")
    print(f"  orders acknowledged: {len(acked_orders)}, all present once: "
          f"{not any('order' in f or 'CR-' in f or 'replay' in f for f in failures)}")
    print(f"  uploads acknowledged: {len(acked_uploads)}, states: {states}")
    print(f"  queue drained {drained:.1f} s after the last restart" if drained is not None
          else "  queue NOT drained")
    print(f"  dead jobs: {dead or 'none'}; integrity_check: {integrity}")
    for f in failures:
        print("FAIL: " + f)
    log.close()
    if not failures and not os.environ.get("KEEP"):
        subprocess.run(["rm", "-rf", work])
    else:
        print(f"  kept {work} (logs in ddhub.log)")
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        for p in procs:
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
                p.wait()
