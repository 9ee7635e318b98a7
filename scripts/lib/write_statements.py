# Statements per 100-row batch (create, then update) against a goalpost on PostgreSQL, read
# from the server statement log (log_min_duration_statement = 0). Usage: BIN PGURL LOG
# (scripts/write_statements runs it on a throwaway cluster.)
import json, os, subprocess, sys, time, urllib.request, uuid, statistics
binary, url, log = sys.argv[1:4]
env = dict(os.environ, DATABASE_URL=url, GOALPOST_BOOTSTRAP_TOKEN="tok", RUST_LOG="warn")
subprocess.run([binary, "portal", "set", "--validation-mode", "lenient"], env=env, check=True, capture_output=True)
srv = subprocess.Popen([binary, "serve", "--bind", "127.0.0.1:18181"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
for line in srv.stdout:
    if line.startswith(b"listening"): break
base = "http://127.0.0.1:18181/crm/v3/objects/goal_targets"
def post(path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": "Bearer tok", "Content-Type": "application/json"})
    t = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        out = json.load(r) if r.status != 204 else None
    return out, (time.perf_counter() - t) * 1e3
def statements():
    with open(log, errors="replace") as f:
        return sum(1 for l in f if "duration:" in l and (" execute " in l or " statement: " in l))
N = 20
results = {}
ids = []
for phase in ["create", "update"]:
    before = statements(); times = []
    for i in range(N):
        if phase == "create":
            inputs = [{"properties": {"hs_goal_name": f"g{i}-{j}", "hs_target_amount": "100", "hs_milestone": "monthly",
                       "hs_start_datetime": "2027-01-01T00:00:00Z", "hs_end_datetime": "2027-01-31T23:59:59.999Z",
                       "hs_group_correlation_uuid": str(uuid.uuid4()), "hs_goal_target_group_id": str(uuid.uuid4()),
                       "hubspot_owner_id": str(j % 7 + 1)}} for j in range(100)]
            out, ms = post("/batch/create", {"inputs": inputs})
            ids.append([r["id"] for r in out["results"]])
        else:
            out, ms = post("/batch/update", {"inputs": [{"id": x, "properties": {"hs_goal_name": f"renamed {x}", "hs_target_amount": "200"}} for x in ids[i]]})
        times.append(ms)
    time.sleep(0.5)
    results[phase] = ((statements() - before) / N, statistics.median(times))
srv.terminate(); srv.wait()
for k, (s, ms) in results.items():
    print(f"{k}: {s:.1f} statements per 100-row batch, p50 {ms:.1f} ms")
