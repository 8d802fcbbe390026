"""The one rule for every date and time a user gives: it lies in the bulletin's years, BULLETIN_YEARS.

A daily bulletin has no issue, source, publication time or review note before 2000 or after 2100. The range
is not only plausibility: PostgreSQL stores a timestamp before year 1 (0001-01-01T08:00 in Asia/Shanghai is
year 0 in UTC), which Python's datetime then cannot read back ("DataError: timestamp too small"), so one
such row broke every page and task that loaded it. Inside 2000..2100 a time-zone conversion (at most a day
either way) stays between 1999 and 2101, far from datetime.MINYEAR and MAXYEAR.

Where the rule is applied, all from here:
- model fields `BulletinDateField` / `BulletinDateTimeField` (their validators run in admin and model forms;
  their form field is the one below);
- form fields `BulletinDateFormField` / `BulletinDateTimeFormField` (newsroom forms, search filters): a value
  out of range, including year 0, negative and five-digit years, gets `out_of_range_message()`;
- `check_date` / `check_datetime` in services and the workflow, so a direct call is refused with
  InvalidInput too;
- `parse_bulletin_date` for dates in URLs and command arguments (None when it is no date of the bulletin);
- `typed_year_out_of_range` for parsers of their own (references.formatting: 参考文献 dates of a day or a
  month, in the newsroom and in imported bulletins).
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from editorial.errors import InvalidInput

BULLETIN_YEARS = range(2000, 2101)
FIRST_YEAR, LAST_YEAR = BULLETIN_YEARS[0], BULLETIN_YEARS[-1]

# The year a typed date starts with, however many digits or whatever sign it has ("0000-01-01", "-0001-01-01",
# "99999-01-01"): such strings are no date to Python, and the user should hear about the range, not the format.
_LEADING_YEAR = re.compile(r"^\s*([+-]?\d+)-\d")


def out_of_range_message() -> str:
    return _("日期超出范围：只接受 %(first)d 年至 %(last)d 年之间的日期。") % {
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
    }


def in_range(value: dt.date | dt.datetime) -> bool:
    """Whether a date, or a datetime read on its own wall clock (its own time zone, no conversion), lies in
    BULLETIN_YEARS."""
    return value.year in BULLETIN_YEARS


def validate_bulletin_date(value: dt.date | dt.datetime | None) -> None:
    """Model and form validator. Raises ValidationError (code "date_range")."""
    if value is not None and not in_range(value):
        raise ValidationError(out_of_range_message(), code="date_range")


def check_date(value: dt.date | dt.datetime) -> None:
    """For services: raises InvalidInput with the range message unless `value` is a date (or datetime) in
    BULLETIN_YEARS."""
    if not isinstance(value, dt.date):
        raise InvalidInput(_("日期无效。"))
    if not in_range(value):
        raise InvalidInput(out_of_range_message())


def check_datetime(value: dt.datetime) -> None:
    """For services: an aware datetime in BULLETIN_YEARS, else InvalidInput."""
    if not isinstance(value, dt.datetime):
        raise InvalidInput(_("时间无效。"))
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(_("发布时间必须包含时区。"))
    check_date(value)


def parse_bulletin_date(value: str) -> dt.date | None:
    """`2026-06-28` -> date; None for anything that is not a real date in BULLETIN_YEARS (URLs: 404;
    commands: an error naming the value)."""
    try:
        date = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return date if in_range(date) else None


def typed_year_out_of_range(value) -> bool:
    """Whether text that starts like a date (`0000-01-01`, `-0001-01`, `99999-01-01`) names a year outside
    BULLETIN_YEARS: for parsers that refuse such text as malformed, so they can name the range instead."""
    match = _LEADING_YEAR.match(value) if isinstance(value, str) else None
    return bool(match) and int(match[1]) not in BULLETIN_YEARS


class _BulletinRangeFormField:
    """Mixin for Django's date and datetime form fields: the range is checked as the text is parsed, before
    any time-zone conversion a later step makes (a form's clean_<field>, the database adapter)."""

    def to_python(self, value):
        try:
            result = super().to_python(value)
        except ValidationError:
            if typed_year_out_of_range(value):
                raise ValidationError(out_of_range_message(), code="date_range") from None
            raise
        except OverflowError:
            raise ValidationError(out_of_range_message(), code="date_range") from None
        validate_bulletin_date(result)
        return result


class BulletinDateFormField(_BulletinRangeFormField, forms.DateField):
    pass


class BulletinDateTimeFormField(_BulletinRangeFormField, forms.DateTimeField):
    pass


class _BulletinRangeModelField:
    """Mixin for model fields: the validator runs in model and admin forms (full_clean); the column and the
    migration state are Django's own field (no validators in deconstruct, like editorial.fields)."""

    default_validators = [validate_bulletin_date]
    form_class: type[forms.Field]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": self.form_class, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        base = next(cls for cls in type(self).__mro__ if cls.__module__.startswith("django.db.models."))
        return name, f"django.db.models.{base.__name__}", args, kwargs


class BulletinDateField(_BulletinRangeModelField, models.DateField):
    form_class = BulletinDateFormField


class BulletinDateTimeField(_BulletinRangeModelField, models.DateTimeField):
    form_class = BulletinDateTimeFormField
