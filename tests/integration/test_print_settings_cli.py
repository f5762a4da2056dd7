"""`xuyi office print-settings`: the organ and objection contact printed on documents, the same service as the
window's 文件 → 本单位设置…"""

from __future__ import annotations


def test_office_print_settings_in_the_cli_are_what_the_dialog_saves(ctx, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`xuyi office print-settings` reads and changes the settings 本单位设置… saves (one service); a clerk is refused."""
    import json as _json

    from xuyi_desktop.cli import main
    from xuyi_desktop.domain.permissions import Role
    from xuyi_desktop.services import users
    from xuyi_desktop.services.print_settings import get_print_settings

    users.create_user(ctx, "admin", "Admin-pass-2026", Role.ADMIN, display_name="王主任")
    users.login(ctx, "admin", "Admin-pass-2026")
    users.create_user(ctx, "ck", "Clerk-pass-2026", Role.CLERK, display_name="李窗口")
    db = ctx.location
    admin = ["--db", db, "--user", "admin"]
    monkeypatch.setenv("XUYI_PASSWORD", "Admin-pass-2026")
    assert main([*admin, "office", "print-settings", "--objection-phone", "0517-88221234", "--organ", "盱眙县交通运输局"]) == 0
    assert get_print_settings(ctx).objection_phone == "0517-88221234"
    capsys.readouterr()
    assert main([*admin, "office", "print-settings", "--json"]) == 0
    shown = _json.loads(capsys.readouterr().out)
    assert shown["organ_name"] == "盱眙县交通运输局" and shown["objection_phone"] == "0517-88221234"
    clerk = ["--db", db, "--user", "ck"]
    monkeypatch.setenv("XUYI_PASSWORD", "Clerk-pass-2026")
    assert main([*clerk, "office", "print-settings", "--objection-phone", "110"]) != 0
    assert get_print_settings(ctx).objection_phone == "0517-88221234"
