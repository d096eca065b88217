#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager and kube-scheduler at a pinned Kubernetes release from the Go module
# proxy, once, and caches them by version under the user's cache folder. Prints the folder.
#
# k8s.io/kubernetes cannot be `go install`ed: its go.mod replaces every k8s.io/* staging module with a
# folder inside the repository. The documented workaround is a small wrapper module that requires
# k8s.io/kubernetes at the release and replaces each staging module with its published v0.X.Y twin.
set -euo pipefail
KUBERNETES=v1.34.4
STAGING=v0.${KUBERNETES#v1.}
cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/vllm-tco/kube
out=$cache_root/$KUBERNETES
if [ -x "$out/kube-apiserver" ] && [ -x "$out/kube-controller-manager" ] && [ -x "$out/kube-scheduler" ]; then
  echo "$out"
  exit 0
fi
mkdir -p "$cache_root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0
mod=$(curl -fsS "${GOPROXY_URL:-https://proxy.golang.org}/k8s.io/kubernetes/@v/$KUBERNETES.mod")
staging=$(printf '%s\n' "$mod" | sed -n 's#^\t\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p')
{
  echo "module vllm-tco/kube-build"
  echo "go 1.24.0"
  echo "require k8s.io/kubernetes $KUBERNETES"
  for m in $staging; do echo "replace $m => $m $STAGING"; done
} >go.mod
cat >tools.go <<'EOF'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
EOF
go mod tidy >&2
# The version the server reports (/version) is the release, as in an official build.
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBERNETES -X k8s.io/component-base/version.gitMajor=1"
ldflags="$ldflags -X k8s.io/component-base/version.gitMinor=$(echo "$KUBERNETES" | cut -d. -f2)"
tmp_out=$(mktemp -d "$cache_root/.build.XXXXXX")
go build -trimpath -ldflags "$ldflags" -o "$tmp_out/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver >&2
go build -trimpath -ldflags "$ldflags" -o "$tmp_out/kube-controller-manager" k8s.io/kubernetes/cmd/kube-controller-manager >&2
# The scheduler places the engines' pods on kwok's fake GPU nodes (the controllers tier).
go build -trimpath -ldflags "$ldflags" -o "$tmp_out/kube-scheduler" k8s.io/kubernetes/cmd/kube-scheduler >&2
# Publish the folder whole, so a build cut short never leaves half a cache behind.
rm -rf "$out"
mv "$tmp_out" "$out"
echo "$out"
