"""`python -m xuyi_desktop` runs the command line."""

from xuyi_desktop.cli import main

raise SystemExit(main())
