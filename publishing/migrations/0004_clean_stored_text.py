"""Clean what was stored before text was cleaned at the model layer (editorial.cleaning, editorial.sanitize),
then rebuild the search index from the cleaned text.

Here in publishing because it reaches every app (publishing -> references -> editorial). Every cleaner is a
fixed point, so a second run finds nothing to change and leaves the index alone. Reversing it is a no-op: the
characters removed were never meant as text.

Two cleanings can make a row equal to another one that its unique key forbids: a topic spelled 主题 with a
zero-width space next to 主题 is merged into it (its sections move over); a source whose cleaned outlet and
title give the fingerprint of an existing source keeps its old fingerprint (both rows stay, nothing is lost;
the newsroom can merge them).
"""

from django.db import migrations


def _cleaners():
    from editorial.cleaning import clean_json_strings, clean_text
    from editorial.sanitize import sanitize_html

    def single(value):
        return clean_text(value) if isinstance(value, str) else value

    def multi(value):
        return clean_text(value, multiline=True) if isinstance(value, str) else value

    def rich(value):
        return sanitize_html(value) if isinstance(value, str) else value

    def revision(data):
        if not isinstance(data, dict):
            return data
        cleaned = dict(data)
        if "headline" in cleaned:
            cleaned["headline"] = single(cleaned["headline"])
        for key in ("body", "analysis"):
            if key in cleaned:
                cleaned[key] = rich(cleaned[key])
        if isinstance(cleaned.get("topics"), list):
            cleaned["topics"] = [single(name) for name in cleaned["topics"]]
        return cleaned

    return {
        ("editorial", "Series"): {
            "title": single,
            "publisher": single,
            "producers": single,
            "website": single,
            "contact_heading": single,
            "footer_blocks": clean_json_strings,
            "qr_targets": clean_json_strings,
        },
        ("editorial", "Issue"): {"headline": single, "summary": multi},
        ("editorial", "Section"): {"headline": single, "body": rich},
        ("editorial", "Analysis"): {"body": rich},
        ("editorial", "Revision"): {"data": revision},
        ("editorial", "IssueEvent"): {"comment": multi},
        ("editorial", "Correction"): {"note": multi},
        ("editorial", "ReviewComment"): {"body": multi},
        ("references", "Source"): {"outlet": single, "title": single, "url": single},
        ("references", "Citation"): {"note": single},
    }


def _changes(model, cleaners) -> list[tuple[int, dict]]:
    """(pk, {field: cleaned value}) of every row that cleaning changes; read first, written afterwards."""
    names = list(cleaners)
    changes = []
    for pk, *values in model.objects.order_by("pk").values_list("pk", *names).iterator(chunk_size=500):
        updates = {}
        for name, value in zip(names, values, strict=True):
            cleaned = cleaners[name](value)
            if cleaned != value:
                updates[name] = cleaned
        if updates:
            changes.append((pk, updates))
    return changes


def _clean_topics(apps) -> int:
    from editorial.cleaning import clean_text

    Topic = apps.get_model("editorial", "Topic")
    Section = apps.get_model("editorial", "Section")
    links = Section.topics.through
    changed = 0
    for topic in list(Topic.objects.order_by("pk")):
        name = clean_text(topic.name)
        if name == topic.name:
            continue
        changed += 1
        twin = Topic.objects.filter(name=name).exclude(pk=topic.pk).first()
        if twin is None:
            Topic.objects.filter(pk=topic.pk).update(name=name)
            continue
        # The same topic spelled with invisible characters: its sections move to the clean one.
        tagged = set(links.objects.filter(topic_id=twin.pk).values_list("section_id", flat=True))
        links.objects.filter(topic_id=topic.pk, section_id__in=tagged).delete()
        links.objects.filter(topic_id=topic.pk).update(topic_id=twin.pk)
        Topic.objects.filter(pk=topic.pk).delete()
    return changed


def _refingerprint_sources(apps, pks) -> None:
    from references.models import source_fingerprint

    Source = apps.get_model("references", "Source")
    for source in Source.objects.filter(pk__in=pks).order_by("pk"):
        fingerprint = source_fingerprint(
            outlet=source.outlet, title=source.title, date=source.date, precision=source.date_precision
        )
        if fingerprint != source.fingerprint and not Source.objects.filter(fingerprint=fingerprint).exists():
            Source.objects.filter(pk=source.pk).update(fingerprint=fingerprint)


def _reindex(apps) -> None:
    """The search index rebuilt from the cleaned rows, with the entries publishing.search would make."""
    from publishing import cache, search

    Issue = apps.get_model("editorial", "Issue")
    SearchEntry = apps.get_model("publishing", "SearchEntry")
    fields = [f.attname for f in SearchEntry._meta.concrete_fields if not f.primary_key]
    SearchEntry.objects.all().delete()
    for issue in Issue.objects.filter(state="published").order_by("pk").iterator(chunk_size=100):
        sections = issue.sections.select_related("analysis").order_by("position")
        SearchEntry.objects.bulk_create(
            SearchEntry(**{name: getattr(entry, name) for name in fields})
            for entry in search.issue_entries(issue, sections)
        )
    cache.bump_publication_version()


def clean_stored_text(apps, schema_editor):
    changed = _clean_topics(apps)
    for (app, name), cleaners in _cleaners().items():
        model = apps.get_model(app, name)
        changes = _changes(model, cleaners)
        for pk, updates in changes:
            model.objects.filter(pk=pk).update(**updates)
        if name == "Source":
            _refingerprint_sources(apps, [pk for pk, _ in changes])
        changed += len(changes)
    if changed:
        _reindex(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0003_review_comment"),
        ("references", "0001_initial"),
        ("publishing", "0003_search_entry"),
    ]

    operations = [migrations.RunPython(clean_stored_text, migrations.RunPython.noop, elidable=True)]
