"""PyInstaller entry of xuyi-desktop (the windowed application); same as the `xuyi-desktop` gui-script."""

import sys

from xuyi_desktop.ui.app import main

if __name__ == "__main__":
    sys.exit(main())
