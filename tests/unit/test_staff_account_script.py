"""`make staff-account` without a terminal (CI, a pipe) and without IBOK_PASSWORD says how to
give the password instead of failing with a traceback; nothing is created."""

from __future__ import annotations

import io

from scripts import staff_account


def test_without_a_terminal_the_password_comes_from_the_environment(monkeypatch, capsys):
    monkeypatch.delenv("IBOK_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    created = []
    monkeypatch.setattr(
        "chalicelib.services.staff_accounts.create_staff_account",
        lambda *args: created.append(args),
    )
    arguments = ["--login", "anna-nowak", "--email", "anna@wodociagi.example", "--aws"]
    code = staff_account.main(arguments)  # --aws: leave this process's environment alone
    assert code == 2
    assert "IBOK_PASSWORD" in capsys.readouterr().err
    assert created == []


def test_reset_totp_issues_a_new_secret_without_an_e_mail_or_a_password(monkeypatch, capsys):
    monkeypatch.delenv("IBOK_PASSWORD", raising=False)
    reset = []

    def fake_reset(login):
        reset.append(login)
        return "otpauth://totp/IBOK:anna-nowak?secret=NEW"

    monkeypatch.setattr("chalicelib.services.staff_accounts.reset_totp", fake_reset)
    code = staff_account.main(["--login", "anna-nowak", "--reset-totp", "--aws", "--show-totp-uri"])
    assert code == 0
    assert reset == ["anna-nowak"]
    assert "secret=NEW" in capsys.readouterr().out
