#!/usr/bin/env bash
# Build the one-folder application with PyInstaller, prove it with --self-test, then the NSIS installer
# (if makensis is installed). Run from anywhere; uses the Python in $PYTHON (default: python3 on PATH,
# ideally a virtualenv).
#
#   installer/build.sh            # pip install -e .[installer], icon, pyinstaller, self-test, makensis
#   SKIP_PIP=1 installer/build.sh # the environment is already set up
#
# Output: installer/dist/xuyi_desktop/ (the application folder) and
#         installer/dist/xuyi_desktop-setup-<version>.exe (only with makensis).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
PYTHON="${PYTHON:-python3}"
cd "$ROOT"

if [ -z "${SKIP_PIP:-}" ]; then
  "$PYTHON" -m pip install -e ".[installer]"
fi
VERSION="$("$PYTHON" -c 'import xuyi_desktop; print(xuyi_desktop.__version__)')"
start=$(date +%s)

"$PYTHON" "$HERE/make_icon.py" "$HERE/build/xuyi_desktop.ico"
"$PYTHON" -m PyInstaller --noconfirm --clean \
  --distpath "$HERE/dist" --workpath "$HERE/build/pyinstaller" "$HERE/xuyi_desktop.spec"

APP="$HERE/dist/xuyi_desktop"
echo "== self-test of the frozen build"
"$APP/xuyi-desktop" --self-test
echo "== build folder: $(du -sh "$APP" | cut -f1)  ($APP), built in $(( $(date +%s) - start )) s"

if command -v makensis >/dev/null 2>&1; then
  # On Linux this compiles the script against the Linux build folder: it proves the script, the .exe it
  # produces carries Linux binaries and is not for a counter PC. Build the real installer on Windows (build.ps1).
  makensis -V2 -DVERSION="$VERSION" -DPAYLOAD="dist/xuyi_desktop" -DICON="build/xuyi_desktop.ico" \
    -DOUTDIR="dist" "$HERE/xuyi_desktop.nsi"
  ls -l "$HERE/dist/xuyi_desktop-setup-$VERSION.exe"
else
  echo "makensis not found: installer script not compiled (apt-get install nsis)"
fi
