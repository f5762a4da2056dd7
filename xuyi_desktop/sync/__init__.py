"""Offline sync between offices through package files (issue 6).

format   – the package layout, its limits and the refusal messages
crypto   – sign (Ed25519), seal (X25519 + AES-GCM) and open a package
conflicts– the deterministic field-level merge and the conflict log
apply    – applying one change to the business tables (entity as an aggregate, other tables by row image)
export   – absorbing local changes and choosing what a peer has not acknowledged
importing– verifying a package before the database is touched, then applying it in one transaction

The use cases with permissions and audit are in services/sync.py.
"""
