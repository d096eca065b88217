#!/usr/bin/env bash
# The whole check: build, type-check, lint and format, then every vitest suite. Ends with the plain
# line "N passed, N failed" (vitest's tests plus one per static check) that CI reads.
set -uo pipefail
cd "$(dirname "$0")/.."

# Real servers and browsers the tests drive, from Debian's packages when missing (CI starts bare).
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing ${need[*]} (Debian packages) for the browser and Prometheus tests"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
    echo "could not install ${need[*]}: the tests that need them will fail" >&2
fi

# moto's server mode (PyPI) emulates Auto Scaling and CloudWatch on loopback for the reaper's AWS tests.
MOTO_VERSION=5.2.1
if ! python3 -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null ||
  ! command -v moto_server >/dev/null 2>&1; then
  echo "installing moto[server]==$MOTO_VERSION (PyPI) for the reaper's AWS tests"
  python3 -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >/dev/null 2>&1 ||
    echo "could not install moto: the reaper's AWS tests will fail" >&2
fi

# kube-apiserver and kube-controller-manager for the real-API-server tests, built from the Go module
# proxy once and cached by version (about 5 minutes cold on 2 cores, instant warm).
if kube_bin=$(bash scripts/build-kube.sh); then
  export VLLM_TCO_KUBE_BIN="$kube_bin"
else
  echo "could not build kube-apiserver (needs Go and the Go module proxy): the real-API-server tests will fail" >&2
fi

# KEDA's operator and metrics adapter and kwok for the controllers tier, built the same way (about 13
# minutes cold on 2 cores, then cached).
if controllers_bin=$(bash scripts/build-controllers.sh); then
  export VLLM_TCO_CONTROLLERS_BIN="$controllers_bin"
else
  echo "could not build KEDA and kwok (needs Go and the Go module proxy): the controllers tests will fail" >&2
fi

# The real Pulumi engine (CLI, Node.js language host, Kubernetes provider) for the engine tier, built the
# same way (about 20 minutes cold on 2 cores, then cached).
if pulumi_bin=$(bash scripts/build-pulumi.sh); then
  export VLLM_TCO_PULUMI_BIN="$pulumi_bin"
else
  echo "could not build the Pulumi CLI and plugins (needs Go and the Go module proxy): the real-engine tests will fail" >&2
fi

passed=0
failed=0
check() {
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    echo "FAILED: $name" >&2
    failed=$((failed + 1))
  fi
}

check build npm run --silent build
check typecheck npx --no-install tsc -p .
check eslint npx --no-install eslint .
check prettier npx --no-install prettier --check . --log-level warn

# Tiers that start servers and engines (kube-apiserver, etcd, the Pulumi engine) run after the rest, one
# file at a time, so a loaded machine never starves a test worker or vitest's own reporting.
SERVER_TIERS=(tests/kube-real.test.ts tests/controllers.test.ts tests/pulumi-engine.test.ts)
# One vitest run; its pass and fail counts appended to $1 as "passed failed".
vitest_counts() {
  local out=$1
  shift
  local report
  report=$(mktemp)
  npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
  local status=$?
  local counts
  counts=$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(r.numPassedTests, r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0));
  ' "$report" 2>/dev/null) || counts="0 1"
  local vp vf
  read -r vp vf <<<"$counts"
  # A failing vitest run with no failed test (a suite that did not load) still counts as a failure.
  if [ "$status" -ne 0 ] && [ "$vf" -eq 0 ]; then vf=1; fi
  rm -f "$report"
  echo "$vp $vf" >>"$out"
}
counts=$(mktemp)
exclude=()
for f in "${SERVER_TIERS[@]}"; do exclude+=(--exclude "$f"); done
vitest_counts "$counts" "${exclude[@]}"
# The controllers tier mostly waits (KEDA's cooldowns, the HPA's sync): it runs beside the other two
# server tiers, which run one after the other. Its output goes to a log printed when it ends, so the
# two runs' lines do not interleave.
controllers_log=$(mktemp)
vitest_counts "$counts" tests/controllers.test.ts >"$controllers_log" 2>&1 &
controllers_pid=$!
vitest_counts "$counts" --no-file-parallelism tests/kube-real.test.ts tests/pulumi-engine.test.ts
wait "$controllers_pid"
cat "$controllers_log"
rm -f "$controllers_log"
while read -r vp vf; do
  passed=$((passed + vp))
  failed=$((failed + vf))
done <"$counts"
rm -f "$counts"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
