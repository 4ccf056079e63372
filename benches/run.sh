#!/usr/bin/env bash
# scimspec's whole-process benchmark, in one run against the same reference server binary:
#   1. the core profile on an empty server and on one seeded with 10,000 users
#      (wall, CPU, peak RSS, requests per case, the largest answer read), runs alternated;
#   2. --jobs 1/4/16/64 against `serve --latency-ms 20`, against the ideal
#      (requests x 20 ms / jobs);
#   3. `scimspec list` as a whole process.
# Figures are medians; compare ratios, not absolute times, on a shared machine.
#
# usage: benches/run.sh [RUNS]      (RUNS per configuration, default 3)
# env:   SCIMSPEC=path/to/scimspec  (default target/release/scimspec, built when missing)
#        SCIMSPEC_SERVER=path/to/scimspec  (the reference server; default SCIMSPEC)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
BIN=${SCIMSPEC:-target/release/scimspec}
# The reference server may come from another build (to measure an older client against it).
SERVER=${SCIMSPEC_SERVER:-$BIN}
[ -x "$BIN" ] || cargo build --release
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "benches/run.sh needs GNU time at /usr/bin/time" >&2; exit 2; }
OUT=$(mktemp -d)
TOKEN=bench-token-$$
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$OUT"; }
trap cleanup EXIT

# serve PORT ARGS...: a reference server in the background, ready when this returns.
serve() {
  local port=$1; shift
  "$SERVER" serve --listen "127.0.0.1:$port" --token "$TOKEN" "$@" >/dev/null 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/scim/v2/ServiceProviderConfig" && return 0
    sleep 0.1
  done
  echo "the reference server on port $port did not start" >&2; exit 1
}

# run TAG PORT ARGS...: one core run, its figures appended to $OUT/TAG.tsv
run() {
  local tag=$1 port=$2; shift 2
  local json="$OUT/$tag.json"
  "$TIME" -f '%e %U %S %M' -o "$OUT/time" "$BIN" run --base-url "http://127.0.0.1:$port/scim/v2" \
    --token "$TOKEN" --profile core --snapshot-mode off --json "$json" "$@" >/dev/null 2>&1 || true
  python3 - "$json" "$OUT/time" >>"$OUT/$tag.tsv" <<'EOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
wall, user, sys_, rss = open(sys.argv[2]).read().split()[-4:]
cases = d["cases"]
# `requests` counts every case's requests; older reports kept every transcript instead.
reqs = sum(c.get("requests", len(c.get("transcript", []))) for c in cases)
# Shared fixtures' requests are the run's, shown in every user's transcript but counted once.
reqs += d["run"].get("fixture_requests", 0)
# Every request the run sent (preflight, cases, fixtures, cleanup with its sweep); older reports
# counted only the cleanup's deletes.
total = d["run"].get("requests", reqs + d["run"]["cleanup"].get("deleted", 0))
deletes = total - reqs
biggest = 0
for c in cases:
    for t in c.get("transcript", []):
        b = t.get("response_body") or ""
        m = re.search(r"\((\d+) bytes in all\)$", b)
        biggest = max(biggest, int(m.group(1)) if m else len(b.encode()))
verdicts = {}
for c in cases:
    verdicts[c["verdict"]] = verdicts.get(c["verdict"], 0) + 1
print(wall, f"{float(user) + float(sys_):.2f}", int(rss) // 1024, len(cases), reqs, deletes, biggest,
      ",".join(f"{k}={v}" for k, v in sorted(verdicts.items())), sep="\t")
EOF
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
col() { cut -f"$2" "$OUT/$1.tsv" | median; }

echo "scimspec benchmark: $("$BIN" --version | head -1), $RUNS runs per configuration, $(nproc) cores"
echo

serve 18480
serve 18481 --seed-users 10000
# The largest answer read needs every transcript: one extra run per server keeps them all (the
# timed runs keep only those of cases that did not pass, as a plain run does).
ALL=()
"$BIN" run --help | grep -q -- --json-transcripts && ALL=(--json-transcripts all)
run empty-all 18480 "${ALL[@]}"
run seeded-all 18481 "${ALL[@]}"
for _ in $(seq "$RUNS"); do
  run empty 18480
  run seeded 18481
done
printf '%-22s %8s %8s %9s %10s %10s %12s  %s\n' "core profile" "wall s" "CPU s" "RSS MiB" "req/case" "all/case" "largest B" "verdicts"
for tag in empty seeded; do
  cases=$(col $tag 4); reqs=$(col $tag 5); dels=$(col $tag 6)
  printf '%-22s %8s %8s %9s %10.2f %10.2f %12s  %s\n' "$tag server" "$(col $tag 1)" "$(col $tag 2)" \
    "$(col $tag 3)" "$(echo "$reqs / $cases" | bc -l)" "$(echo "($reqs + $dels) / $cases" | bc -l)" \
    "$(cut -f7 "$OUT/$tag-all.tsv" | sort -g | tail -1)" "$(cut -f8 "$OUT/$tag.tsv" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')"
done
printf 'seeded/empty wall: %.2fx, RSS: %.2fx\n' "$(echo "$(col seeded 1) / $(col empty 1)" | bc -l)" \
  "$(echo "$(col seeded 3) / $(col empty 3)" | bc -l)"
echo

serve 18482 --latency-ms 20
printf '%-10s %8s %9s %10s %11s\n' "--jobs" "wall s" "ideal s" "wall/ideal" "efficiency"
for jobs in 1 4 16 64; do
  run "jobs$jobs" 18482 --jobs "$jobs"
  wall=$(col "jobs$jobs" 1); reqs=$(col "jobs$jobs" 5); dels=$(col "jobs$jobs" 6)
  ideal=$(echo "($reqs + $dels) * 0.020 / $jobs" | bc -l)
  printf '%-10s %8s %9.2f %10.2f %10.0f%%\n' "$jobs" "$wall" "$ideal" "$(echo "$wall / $ideal" | bc -l)" \
    "$(echo "100 * $ideal / $wall" | bc -l)"
done
echo

for _ in $(seq 20); do
  s=$(date +%s%N); "$BIN" list >/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000000))
done >"$OUT/list"
echo "scimspec list: median $(median <"$OUT/list") ms of 20 runs"
