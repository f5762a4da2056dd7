"""Spreadsheet exchange formats: each format's columns declared once, read by template, import, error report and export."""
