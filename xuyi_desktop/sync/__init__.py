"""Offline sync between offices through package files (issues 6 and 20).

format   – the package layout (version 2), its limits, reading it within bounds and writing it streaming
crypto   – sign (Ed25519), seal (X25519 + AES-GCM, streamed) and open a package
records  – THE declared, versioned list of record kinds and fields that may travel (add a record kind here)
settings – reminder days, clock tolerance and reading limits, from resources/sync/settings.toml
clock    – the office's hybrid logical clock that orders changes
conflicts– the deterministic field-level merge, the conflict log and the key naming a conflict everywhere
apply    – applying one change to the business tables (entity as an aggregate, other tables by row image)
export   – absorbing local changes into this office's stream, a new stream after a restore, what to send
importing– verifying a package before the database is touched, streaming, every failure a refusal

The use cases with permissions, audit, delivery state and reports are in services/sync.py.
"""
