"""Printed documents as PDF, after GB/T 9704-2012: rating certificates, credit-check result sheets and
publicity lists, each with a serial number and a signed QR code that verifies offline.

This package draws; it does not touch the database. The use cases (permission checks, serial numbers,
audit entries, the office's signing key) are in `xuyi_desktop.services.printing`.

- `fonts`: the document fonts (Windows FangSong/SimSun/SimHei when present, else the shipped AR PL UMing),
  registered once per process, always embedded.
- `layout`: page geometry, text styles, the Chinese line-breaking rule (禁则), page numbers, seal area.
- `qr`: the signed verification code (build, parse, draw).
- `certificate`, `check_sheet`, `publicity`: the documents. `publicity.publicity_list_pdf(rows, out)`
  takes plain rows and may be called by anyone (the spreadsheet export, for one).
"""
