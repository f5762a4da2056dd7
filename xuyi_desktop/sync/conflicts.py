"""The merge rule: per field, last writer wins by a stamp that respects causality; losers are logged.

Every change carries a stamp given ONCE by its origin office when it is first shipped (the office's hybrid
logical clock, sync/clock.py, in microseconds: its `at`, raised above every stamp the office has given or
received and above the stamps the record already had there, so an edit made after seeing another office's
change always wins over it, whatever either PC's clock says). The order of two changes is
(stamp, office code, seq): later stamp wins; the same stamp is broken by the larger office code.

Per record we remember, for each field, the key of the change whose value it holds and what that change
had seen there before (its before-image). A field's final value is that of the greatest change that
touched it – whichever order packages arrive in, every office ends with the same value (the merge is
commutative, associative and idempotent). Applying a change is a CONFLICT, logged with the losing value, when
  * it wins and replaces a value its author had not seen (the field differs from its before-image), or
  * it loses and its value differs from the winner's and is not what the winner had seen.
A delete whose before-image differs from the current record, or an edit arriving at a record deleted by a
change it had not seen, is a delete-vs-edit conflict: the record stays deleted (deletions are explicit and
only come from delete changes), and the edit is kept in the log for a reviewer, who may restore it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

BOOKKEEPING = frozenset({
    "id", "version", "created_at", "updated_at", "created_office", "updated_office", "search_key",
    "name_pinyin", "name_initials", "name_key",
})
DELETE_FIELDS = ("deleted", "deleted_at")
ZERO: tuple[int, str, int] = (0, "", 0)

Key = tuple[int, str, int]


def change_key(change: dict[str, Any]) -> Key:
    return (int(change["stamp"]), str(change["office"]), int(change["seq"]))


def modified_fields(change: dict[str, Any]) -> list[str]:
    after = change.get("after") or {}
    before = change.get("before") or {}
    keys = [k for k in after if k not in BOOKKEEPING]
    if change["action"] == "insert" or not before:
        return sorted(keys)
    return sorted(k for k in keys if before.get(k) != after.get(k))


@dataclass(slots=True)
class FieldState:
    key: Key
    seen: Any  # the winner's before-image value of this field

    def dump(self) -> list[Any]:
        return [self.key[0], self.key[1], self.key[2], self.seen]


#: json.dumps(value, ensure_ascii=False, sort_keys=True), with its encoder built once (json.dumps builds a new one on
#: every call that gives an option: 100,000 times per sync package, for each text sync keeps); the same text
dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


_UNSEEN = FieldState(ZERO, None)  # the state of a field no change has set here (read only: never stored)


def load_state(text: str) -> dict[str, FieldState]:
    raw = json.loads(text or "{}")
    return {f: FieldState((int(v[0]), str(v[1]), int(v[2])), v[3]) for f, v in raw.items()}


_string = json.encoder.encode_basestring  # what the encoder above writes for a str (ensure_ascii=False)


def dump_state(state: dict[str, FieldState]) -> str:
    """The stored text of a record's merge state: dumps({field: [stamp, office, seq, seen]}), written field by field
    (100,000 records a package; the encoder built a list per field and walked it), and once for the fields that one
    change set (they share its key object, and have seen nothing on an insert). The same text: fields sorted, the
    encoder's separators, strings and numbers written as it writes them (tests/unit/sync/test_sync_fast_paths.py)."""
    parts = []
    last_key: Key | None = None
    last_text = ""
    for f in sorted(state):
        st = state[f]
        key, seen = st.key, st.seen
        if type(f) is not str:
            return dumps({f: s.dump() for f, s in sorted(state.items())})  # anything unusual: the encoder itself
        if seen is None and key is last_key:
            parts.append(f"{_string(f)}: {last_text}")
            continue
        stamp, office, seq = key
        if type(stamp) is not int or type(office) is not str or type(seq) is not int:
            return dumps({f: s.dump() for f, s in sorted(state.items())})
        text = f"[{int.__repr__(stamp)}, {_string(office)}, {int.__repr__(seq)}, {'null' if seen is None else dumps(seen)}]"
        if seen is None:
            last_key, last_text = key, text
        parts.append(f"{_string(f)}: {text}")
    return "{" + ", ".join(parts) + "}"


@dataclass
class Conflict:
    field: str
    kind: str
    winner: Any
    loser: Any
    winner_office: str
    loser_office: str
    winner_change: str
    loser_change: str
    loser_key: Key = (0, "", 0)  # the change whose value lost: with record and field, the same in every office


def conflict_key(table: str, record_id: Any, c: Conflict) -> str:
    """Names one conflict identically in every office, whatever order the changes arrived in: the record,
    the field, the kind and the change whose value lost (each change's value of a field loses at most once)."""
    stamp, office, seq = c.loser_key
    return f"{table}|{record_id}|{c.field}|{c.kind}|{stamp}.{office}.{seq}"


def merge(
    current: dict[str, Any] | None,
    state: dict[str, FieldState],
    change: dict[str, Any],
    change_ids: dict[Key, str] | None = None,
) -> tuple[dict[str, Any], list[Conflict], bool]:
    """Merge one change into the record's current image. Returns (new image, conflicts, changed?)."""
    key = change_key(change)
    after = change.get("after") or {}
    before = change.get("before") or {}
    image = dict(current) if current is not None else {k: v for k, v in after.items()}
    conflicts: list[Conflict] = []
    changed = current is None
    cid = str(change["id"])
    ids = change_ids or {}
    fields = modified_fields(change)
    if current is None:  # the row is new here (its insert may still be on its way): placeholders for the rest
        for f in after:
            if f not in BOOKKEEPING and f not in fields and f not in state:
                state[f] = FieldState(ZERO, None)
    for f in fields:
        new = after.get(f)
        cur = image.get(f) if current is not None else None
        st = state.get(f, _UNSEEN)
        if key == st.key:
            continue
        placeholder = st.key == ZERO
        if key > st.key:
            saw = before.get(f) if before else None
            if current is not None and not placeholder and cur != new and (change["action"] == "insert" or cur != saw):
                kind = "delete_edit" if f in DELETE_FIELDS else "field"
                conflicts.append(Conflict(f, kind, new, cur, key[1], st.key[1], cid, ids.get(st.key, ""), st.key))
            image[f] = new
            state[f] = FieldState(key, saw)
            changed = changed or cur != new or current is None
        else:
            if new != cur and st.seen != new:
                kind = "delete_edit" if f in DELETE_FIELDS else "field"
                conflicts.append(Conflict(f, kind, cur, new, st.key[1], key[1], ids.get(st.key, ""), cid, key))
    # delete vs edit: a delete that had not seen the record as it is now, or an edit that had not seen the delete
    if current is not None:
        deleted_field = next((f for f in DELETE_FIELDS if f in image), None)
        if deleted_field is not None:
            if change["action"] == "delete" and before:
                unseen = [f for f in image if f not in BOOKKEEPING and f not in DELETE_FIELDS and f in before
                          and image.get(f) != before.get(f) and state.get(f, _UNSEEN).key != ZERO]
                for f in unseen:
                    conflicts.append(Conflict(f, "delete_edit", after.get(deleted_field), image.get(f), key[1],
                                              state[f].key[1], cid, ids.get(state[f].key, ""), state[f].key))
            elif change["action"] == "update" and current.get(deleted_field) and not before.get(deleted_field):
                dkey = state.get(deleted_field, _UNSEEN).key
                for f in fields:
                    conflicts.append(Conflict(f, "delete_edit", current.get(deleted_field), after.get(f), dkey[1],
                                              key[1], ids.get(dkey, ""), cid, key))
    return image, conflicts, changed
