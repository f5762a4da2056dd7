"""盱眙县信用交通桌面系统 (xuyi_desktop): the county transport bureau's credit work on the desktop."""

__version__ = "0.1.0"
