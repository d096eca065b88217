#!/usr/bin/env bash
# Refreshes the pinned CRDs in tests/contracts/crds from the projects' published Go modules, at the
# versions below, and shows what changed. Maintainers run it when they move a pin; the tests use the
# committed copies (no network in the test run). The KEDA HTTP add-on's module is refused by the Go
# module proxy, so its CRD is maintained by hand from the repository (see its header).
set -euo pipefail
cd "$(dirname "$0")/.."
KEDA=v2.16.1
PROMETHEUS_OPERATOR=v0.85.0
cache=$(mktemp -d)
trap 'chmod -R u+w "$cache"; rm -rf "$cache"' EXIT
export GOMODCACHE="$cache" GOFLAGS=-mod=mod
dir() { go mod download -json "$1" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p'; }
keda=$(dir "github.com/kedacore/keda/v2@$KEDA")
po=$(dir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR")
write() { # target source header-lines...
  local target=$1 source=$2
  shift 2
  { printf '# %s\n' "$@"; cat "$source"; } >"$target.new"
  diff -u "$target" "$target.new" || true
  mv "$target.new" "$target"
}
write tests/contracts/crds/keda.sh_scaledobjects.yaml "$keda/config/crd/bases/keda.sh_scaledobjects.yaml" \
  "Source: Go module github.com/kedacore/keda/v2@$KEDA, config/crd/bases/keda.sh_scaledobjects.yaml" \
  "(fetched by scripts/fetch-crds.sh through the Go module proxy); unmodified below this header."
write tests/contracts/crds/monitoring.coreos.com_servicemonitors.yaml \
  "$po/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" \
  "Source: Go module github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR," \
  "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml (fetched by scripts/fetch-crds.sh" \
  "through the Go module proxy); unmodified below this header."
