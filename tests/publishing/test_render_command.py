"""python manage.py render_issue DATE --format pdf|wechat|web [--output FILE] [--series SLUG]."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from editorial.models import Series


def test_it_writes_the_pdf_of_an_issue_to_a_file(sample_issue, tmp_path, capsys):
    target = tmp_path / "issue.pdf"

    call_command("render_issue", "2026-06-28", "--format", "pdf", "--output", str(target))

    assert target.read_bytes().startswith(b"%PDF-")
    assert f"已生成 {target}" in capsys.readouterr().out


def test_it_writes_wechat_html_to_a_default_file_name(sample_issue, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    call_command("render_issue", "2026-06-28", "--format", "wechat")

    html = (tmp_path / f"{sample_issue.series.slug}-2026-06-28.wechat.html").read_text()
    assert html.startswith("<section style=")


def test_it_writes_the_web_page_to_standard_output(sample_issue, capsysbinary):
    call_command(
        "render_issue", "2026-06-28", "--format", "web", "--output", "-", "--series", sample_issue.series.slug
    )

    assert capsysbinary.readouterr().out.startswith(b"<!DOCTYPE html>")


def test_a_malformed_date_is_a_clear_error(sample_issue):
    with pytest.raises(CommandError, match="请使用 YYYY-MM-DD 格式"):
        call_command("render_issue", "28/06/2026")


def test_a_date_without_an_issue_is_a_clear_error(sample_issue):
    with pytest.raises(CommandError, match="没有 2026-06-29 的期刊"):
        call_command("render_issue", "2026-06-29")


def test_an_unknown_series_is_a_clear_error(sample_issue):
    with pytest.raises(CommandError, match="没有标识为“nope”的刊物"):
        call_command("render_issue", "2026-06-28", "--series", "nope")


def test_several_series_need_the_series_option(sample_issue):
    Series.objects.create(slug="other", title="另一刊物", publisher="某单位")

    with pytest.raises(CommandError, match="--series"):
        call_command("render_issue", "2026-06-28")


def test_an_unwritable_output_is_a_clear_error(sample_issue, tmp_path):
    with pytest.raises(CommandError, match="无法写入"):
        call_command(
            "render_issue", "2026-06-28", "--format", "web", "--output", str(tmp_path / "no" / "x.html")
        )
