#!/usr/bin/env bash
# Fresh-machine setup (Debian, root or sudo): the system packages the real-VS-Code tests need,
# then npm ci. Safe to run again. Used by .ci/run and by `npm run setup`.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
# @vscode/ripgrep (a code-server dependency) downloads rg from GitHub at install time;
# this machine has no route there, so seed its cache with Debian's rg (same 13.0.0).
RGC="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RGC"
[ -f "$RGC/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" ] || tar czf "$RGC/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg
# unsafe_perm: code-server's postinstall refuses root without it; yes: node-pty's postinstall runs npx node-gyp.
npm_config_unsafe_perm=true npm_config_yes=true npm ci --no-audit --no-fund
