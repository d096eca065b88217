#!/usr/bin/env bash
# Builds KEDA's operator and metrics adapter and kwok at pinned releases from the Go module proxy,
# once, and caches them by version under the user's cache folder, with KEDA's CRDs from the same
# release and kwok's default ("fast") node and pod stages from its. Prints the folder.
#
# KEDA cannot be `go install`ed: its go.mod carries a `replace` (nexus-proto-annotations) and an
# `exclude`, which `go install pkg@version` refuses. A small wrapper module requires KEDA at the
# release and repeats both, the documented workaround for such modules.
set -euo pipefail
KEDA=v2.21.0
KWOK=v0.8.0
cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/vllm-tco/controllers
out=$cache_root/keda-$KEDA-kwok-$KWOK
if [ -x "$out/keda-operator" ] && [ -x "$out/keda-adapter" ] && [ -x "$out/kwok" ] && [ -d "$out/crds" ] &&
  [ -f "$out/kwok-stages.yaml" ] && [ -f "$out/externalscaler.proto" ]; then
  echo "$out"
  exit 0
fi
mkdir -p "$cache_root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0
proxy=${GOPROXY_URL:-https://proxy.golang.org}
keda_mod=$(curl -fsS "$proxy/github.com/kedacore/keda/v2/@v/$KEDA.mod")
{
  echo "module vllm-tco/controllers-build"
  echo "go $(printf '%s\n' "$keda_mod" | sed -n 's/^go //p')"
  echo "require github.com/kedacore/keda/v2 $KEDA"
  echo "require sigs.k8s.io/kwok $KWOK"
  # KEDA's own replace and exclude lines, verbatim: they only take effect in the main module.
  printf '%s\n' "$keda_mod" | grep -E '^(replace|exclude) '
} >go.mod
cat >tools.go <<'EOT'
//go:build tools

package tools

import (
	_ "github.com/kedacore/keda/v2/cmd/adapter"
	_ "github.com/kedacore/keda/v2/cmd/operator"
	_ "sigs.k8s.io/kwok/cmd/kwok"
)
EOT
go mod tidy >&2
tmp_out=$(mktemp -d "$cache_root/.build.XXXXXX")
keda_flags="-s -w -X github.com/kedacore/keda/v2/version.Version=${KEDA#v}"
go build -trimpath -ldflags "$keda_flags" -o "$tmp_out/keda-operator" github.com/kedacore/keda/v2/cmd/operator >&2
go build -trimpath -ldflags "$keda_flags" -o "$tmp_out/keda-adapter" github.com/kedacore/keda/v2/cmd/adapter >&2
go build -trimpath -ldflags "-s -w" -o "$tmp_out/kwok" sigs.k8s.io/kwok/cmd/kwok >&2
# The CRDs the operator reconciles, from the same release's module.
keda_dir=$(go list -m -f '{{.Dir}}' github.com/kedacore/keda/v2)
mkdir -p "$tmp_out/crds"
cp "$keda_dir"/config/crd/bases/*.yaml "$tmp_out/crds/"
# KEDA's external-scaler protocol, for the stand-in of the HTTP add-on's scaler (whose module is not
# served here).
cp "$keda_dir/pkg/scalers/externalscaler/externalscaler.proto" "$tmp_out/"
# kwok ships no stage without a config: its "fast" set (nodes Ready with a lease heartbeat; pods
# Running and Ready once scheduled, then deleted) from the same release's module.
kwok_dir=$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
  pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
  echo "---"
  cat "$kwok_dir/kustomize/stage/$f"
done >"$tmp_out/kwok-stages.yaml"
chmod -R u+w "$tmp_out"
# Publish the folder whole, so a build cut short never leaves half a cache behind.
rm -rf "$out"
mv "$tmp_out" "$out"
echo "$out"
