#!/usr/bin/env bash
# Installs the Debian packages the build and tests need beyond gcc and pkg-config.
# Idempotent: a package already installed is skipped; apt-get runs only when something is missing.
#
#   scripts/install-deps.sh           build + test packages
#   scripts/install-deps.sh --bench   also libvips-tools (vipsthumbnail) and time for bench-images.sh
#
# Why each one:
#   cmake, nasm      turbojpeg-sys builds libjpeg-turbo 3.1 from source with its SIMD code
#                    (nasm); the `require-simd` feature makes a missing nasm a build error.
#   libheif-dev      only for `--features heic` (HEIC input through libheif-rs).
#   libgs-common     test only: ghostscript's CMYK ICC profile for the CMYK colour test.
#   fonts-noto-cjk, fonts-thai-tlwg
#                    test only: Korean, Japanese, Chinese and Thai glyphs for the browser tests'
#                    screenshots (without them every such character renders as a box).
#   chromium         test only: the browser tests of the web pages (headless), driven by
#                    tests/browser (playwright-core, installed below with npm ci when Node is there).
#   zbar-tools,      test only: the shipping label's Code 128 barcode is rendered (pdftoppm) and
#   poppler-utils    read back by an independent decoder (zbarimg).
#   python3-venv     test only: the venvs .ci/run makes for the Standard Webhooks reference
#                    library and aiosmtpd (the loopback SMTP server of the buyer e-mail test).
set -euo pipefail

packages=(cmake nasm libheif-dev libgs-common chromium zbar-tools poppler-utils fonts-noto-cjk fonts-thai-tlwg python3-venv)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(libvips-tools time)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg -s "$p" >/dev/null 2>&1; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "system packages present: ${packages[*]}"
fi

# The browser tests' driver (playwright-core, pinned by tests/browser/package-lock.json) needs
# Node.js and npm: Debian's when the machine has none.
if ! command -v npm >/dev/null 2>&1; then
  echo "installing: nodejs npm"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends nodejs npm
fi
browser_dir="$(dirname "$0")/../tests/browser"
if [[ ! -d "$browser_dir/node_modules/playwright-core" ]]; then
  echo "installing the browser test driver (npm ci in tests/browser)"
  npm ci --prefix "$browser_dir" --no-audit --no-fund --loglevel=error
fi
