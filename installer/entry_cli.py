"""PyInstaller entry of xuyi (the command line, a console program); same as the `xuyi` console-script."""

import sys

from xuyi_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
