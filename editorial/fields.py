"""Model and form fields whose text is cleaned (editorial.cleaning) on every way in.

Model fields clean in `pre_save` (save(), bulk_create(), bulk_update(): the instance attribute is replaced, so
the object in memory holds what the database holds) and in `get_db_prep_save` (QuerySet.update(), which never
calls pre_save). Cleaning is idempotent, so doing both is harmless. They deconstruct as the Django field they
extend: the database column is the same, migrations need no change, and historical models in migrations do
not depend on this module (a data migration calls the cleaning functions itself).

Form fields clean in `to_python`, before validation: a value that is nothing but invisible characters or
spaces is empty, and a required field reports Django's usual “这个字段是必填项。”; length limits count the
cleaned text.
"""

from __future__ import annotations

from django import forms
from django.db import models

from editorial.cleaning import clean_chars, clean_json_strings, clean_text


class _CleanedOnSave:
    """Mixin: `clean_value(value)` applied on every write path (see the module docstring)."""

    def clean_value(self, value):
        raise NotImplementedError

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if value is not None:
            value = self.clean_value(value)
            setattr(model_instance, self.attname, value)
        return value

    def get_db_prep_save(self, value, connection):
        if value is not None and not hasattr(value, "resolve_expression"):
            value = self.clean_value(value)
        return super().get_db_prep_save(value, connection)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        # The Django field this one extends, by its public path (django.db.models exports them all).
        base = next(cls for cls in type(self).__mro__ if cls.__module__.startswith("django.db.models."))
        return name, f"django.db.models.{base.__name__}", args, kwargs


class CleanCharField(_CleanedOnSave, models.CharField):
    """A single-line text (headlines, names): `clean_text`, line breaks become spaces."""

    def clean_value(self, value):
        return clean_text(value) if isinstance(value, str) else value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CleanedCharField, **kwargs})


class CleanTextField(_CleanedOnSave, models.TextField):
    """A multi-line plain text (summaries, notes, comments): `clean_text(multiline=True)`."""

    def clean_value(self, value):
        return clean_text(value, multiline=True) if isinstance(value, str) else value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CleanedTextField, **kwargs})


class CleanURLField(_CleanedOnSave, models.URLField):
    """An address: `clean_text` (a zero-width space pasted inside a URL would make it another address)."""

    def clean_value(self, value):
        return clean_text(value) if isinstance(value, str) else value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CleanedURLField, **kwargs})


class CleanJSONField(_CleanedOnSave, models.JSONField):
    """JSON whose strings (at any depth) are plain text: `clean_json_strings`."""

    def clean_value(self, value):
        return clean_json_strings(value)


# --- Form fields ----------------------------------------------------------------------------------------


class CleanedCharField(forms.CharField):
    """A form's single-line text, cleaned before it is validated."""

    multiline = False

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return clean_text(value, multiline=self.multiline) or self.empty_value


class CleanedTextField(CleanedCharField):
    """A form's multi-line text, cleaned before it is validated."""

    multiline = True


class CleanedHTMLField(forms.CharField):
    """A form's rich text (CKEditor's HTML), its characters cleaned before it is validated: a NUL pasted from a
    broken file is removed rather than refused with Django's message about null characters. The markup itself
    is sanitized by the model field (editorial.sanitize.SanitizedHTMLField) on save."""

    def to_python(self, value):
        value = super().to_python(value)
        return clean_chars(value, nfc=False) if value not in self.empty_values else value


class CleanedURLField(forms.URLField):
    """A form's address, cleaned before it is validated (and before a scheme is assumed)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = clean_text(value)
        return super().to_python(value)
