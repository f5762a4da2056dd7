"""Moved to xuyi_desktop/output_files.py (printing/ and exchange/ check their targets there without reaching up
into services/); this name stays for callers written before the move."""

from xuyi_desktop.output_files import OutputRefused, check_target, write_text_file

__all__ = ["OutputRefused", "check_target", "write_text_file"]
