"""The masthead's QR codes and footer blocks become rows (SeriesQRCode, SeriesFooterBlock) instead of JSON.

Each JSON item becomes a row in its order. A QR target needs an http(s) address to become a URL code (an image
code has no JSON form); a footer block needs a body, as the renderers printed nothing for one without. Values
that were not strings (an admin's typo in the JSON) are taken as their text, as the renderers showed them.
Runs after publishing 0004, which cleans the JSON it moves. Reversed, the rows become JSON again (an image code
keeps its label with an empty address: the JSON had no place for a picture).
"""

from django.db import migrations, models
import django.db.models.deletion
import editorial.models


def _text(value, *, multiline=False):
    from editorial.cleaning import clean_text

    if value is None or isinstance(value, dict | list):
        return ""
    return clean_text(str(value), multiline=multiline)


def json_to_rows(apps, schema_editor):
    Series = apps.get_model("editorial", "Series")
    SeriesQRCode = apps.get_model("editorial", "SeriesQRCode")
    SeriesFooterBlock = apps.get_model("editorial", "SeriesFooterBlock")
    codes, blocks = [], []
    for pk, targets, footer in Series.objects.values_list("pk", "qr_targets", "legacy_footer_blocks"):
        position = 0
        for target in targets if isinstance(targets, list) else []:
            if not isinstance(target, dict):
                continue
            url = _text(target.get("url"))
            if not url.startswith(("http://", "https://")):
                continue
            position += 1
            label = _text(target.get("label"))[:100] or "二维码"
            codes.append(SeriesQRCode(series_id=pk, position=position, label=label, url=url[:200]))
        position = 0
        for block in footer if isinstance(footer, list) else []:
            if not isinstance(block, dict):
                continue
            body = _text(block.get("body"), multiline=True)
            if not body:
                continue
            position += 1
            title = _text(block.get("title"))[:200]
            blocks.append(SeriesFooterBlock(series_id=pk, position=position, title=title, body=body))
    SeriesQRCode.objects.bulk_create(codes)
    SeriesFooterBlock.objects.bulk_create(blocks)


def rows_to_json(apps, schema_editor):
    Series = apps.get_model("editorial", "Series")
    SeriesQRCode = apps.get_model("editorial", "SeriesQRCode")
    SeriesFooterBlock = apps.get_model("editorial", "SeriesFooterBlock")
    for series in Series.objects.all():
        series.qr_targets = [
            {"label": code.label, "url": code.url}
            for code in SeriesQRCode.objects.filter(series_id=series.pk).order_by("position", "pk")
        ]
        series.legacy_footer_blocks = [
            {"title": block.title, "body": block.body}
            for block in SeriesFooterBlock.objects.filter(series_id=series.pk).order_by("position", "pk")
        ]
        series.save(update_fields=["qr_targets", "legacy_footer_blocks"])


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0007_series_wechat_app_id"),
        # publishing 0004 cleans the JSON columns that this migration removes: it must run first.
        ("publishing", "0004_clean_stored_text"),
    ]

    operations = [
        # The rows' reverse accessor is named footer_blocks; the JSON column steps aside for the move.
        migrations.RenameField(
            model_name="series", old_name="footer_blocks", new_name="legacy_footer_blocks"
        ),
        migrations.CreateModel(
            name="SeriesFooterBlock",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0, verbose_name="顺序")),
                ("title", models.CharField(blank=True, max_length=200, verbose_name="标题")),
                ("body", models.TextField(verbose_name="正文")),
                (
                    "series",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="footer_blocks",
                        to="editorial.series",
                        verbose_name="刊物",
                    ),
                ),
            ],
            options={
                "verbose_name": "页脚介绍",
                "verbose_name_plural": "页脚介绍",
                "ordering": ["series", "position", "pk"],
            },
        ),
        migrations.CreateModel(
            name="SeriesQRCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0, verbose_name="顺序")),
                ("label", models.CharField(max_length=100, verbose_name="说明")),
                (
                    "url",
                    models.URLField(
                        blank=True, help_text="由网址生成二维码；上传了图片则留空。", verbose_name="网址"
                    ),
                ),
                (
                    "image",
                    models.FileField(
                        blank=True,
                        max_length=200,
                        upload_to=editorial.models.qr_image_name,
                        verbose_name="二维码图片",
                    ),
                ),
                (
                    "image_sha256",
                    models.CharField(blank=True, editable=False, max_length=64, verbose_name="图片摘要"),
                ),
                (
                    "series",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="qr_codes",
                        to="editorial.series",
                        verbose_name="刊物",
                    ),
                ),
            ],
            options={
                "verbose_name": "二维码",
                "verbose_name_plural": "二维码",
                "ordering": ["series", "position", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("url", ""), models.Q(("image", ""), _negated=True)),
                            models.Q(models.Q(("url", ""), _negated=True), ("image", "")),
                            _connector="OR",
                        ),
                        name="qr_code_image_or_url",
                    )
                ],
            },
        ),
        migrations.RunPython(json_to_rows, rows_to_json),
        migrations.RemoveField(model_name="series", name="legacy_footer_blocks"),
        migrations.RemoveField(model_name="series", name="qr_targets"),
    ]
