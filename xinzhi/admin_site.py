"""The admin site, whose change lists answer garbage in their query strings as Django means them to.

Django's admin turns a lookup it cannot apply (`?pk=abc`, `?nosuchfield=1`) into a redirect to `?e=1` by raising
IncorrectLookupParameters. Some values only fail later, outside what it guards: `?date__year=9999` in a list
with `date_hierarchy` (the year after 9999 does not exist), a date or time in year 1 on a time-zone-aware field
(`?created_at__year=1`, `?publish_at__gte=0001-01-01`: converting it to UTC leaves the range of datetime), a
value the database refuses as out of range. Those raised ValueError, OverflowError or DataError, a 500. The
site below gives every ModelAdmin registered with it, third-party ones included (django-axes' lists have a date
hierarchy too), a ChangeList that reports them as IncorrectLookupParameters as well.

The same holds for change forms with autocomplete fields: an invalid form is shown again, and Django's
autocomplete widgets look up the submitted values to show them, so a value that is no id at all (`1e400`, a date)
raised ValueError there. The site's ModelAdmins use autocomplete widgets that look up only values that can be ids.
Likewise an action on selected rows (`_selected_action=abc`) is refused with Django's own "no items selected"
message instead of filtering by a value that is no id.

Every date and time typed into a change form, on every model (a user's 加入日期 and 上次登录 included), must lie
in the bulletin's years (editorial.dates): a user's `date_joined` of 0001-01-01 08:00 in Shanghai is a BC
timestamp to PostgreSQL, which then refuses to read the row, and every page listing that user answers 500.
"""

from __future__ import annotations

import functools
from contextlib import nullcontext

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import DataError, models, router, transaction
from django.utils.translation import gettext

from editorial.dates import validate_bulletin_date


class GarbageTolerantChangeList(ChangeList):
    """A ChangeList for which any lookup value that cannot be applied is IncorrectLookupParameters."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:  # date_hierarchy's next year, month or day
            raise IncorrectLookupParameters(error) from error

    def get_results(self, request):
        # The queries run here first (counts); a savepoint keeps an enclosing transaction usable after the
        # database refuses a value. Outside a transaction none is opened (on SQLite it would take the write lock).
        connection = transaction.get_connection(router.db_for_read(self.model))
        savepoint = (
            transaction.atomic(using=connection.alias) if connection.in_atomic_block else nullcontext()
        )
        try:
            with savepoint:
                super().get_results(request)
        except (ValueError, OverflowError, DataError) as error:
            raise IncorrectLookupParameters(error) from error


def _can_be_value_of(field, item) -> bool:
    """Whether `item` (as posted) can be a value of model field `field`: a lookup by it would not raise."""
    try:
        field.get_prep_value(field.to_python(item))
    except (ValidationError, ValueError, TypeError):
        return False
    return True


class _ShowsOnlyIds:
    """Mixin for Django's autocomplete widgets: submitted values that cannot be the target field's value are
    not looked up (the form already reports them as invalid choices)."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        options = remote.model._meta
        # As Django's widget reads it: a foreign key's target field, a many-to-many's primary key.
        target = options.get_field(remote.field_name) if getattr(remote, "field_name", None) else options.pk
        return super().optgroups(name, [item for item in value if _can_be_value_of(target, item)], attr)


class GarbageTolerantAutocompleteSelect(_ShowsOnlyIds, AutocompleteSelect):
    pass


class GarbageTolerantAutocompleteSelectMultiple(_ShowsOnlyIds, AutocompleteSelectMultiple):
    pass


class GarbageTolerantAdminSite(admin.AdminSite):
    """The project's admin site (`admin.site`): every registered ModelAdmin lists through
    GarbageTolerantChangeList, unless it already uses a subclass of it."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        super().register(model_or_iterable, _tolerant(admin_class), **options)


@functools.cache
def _tolerant_changelist(changelist: type[ChangeList]) -> type[ChangeList]:
    if issubclass(changelist, GarbageTolerantChangeList):
        return changelist
    return type(changelist.__name__, (GarbageTolerantChangeList, changelist), {})


def _tolerant(admin_class: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """`admin_class` under its own name, listing through a GarbageTolerantChangeList, showing autocomplete
    fields through the garbage-tolerant widgets, and refusing dates outside the bulletin's years."""

    def get_changelist(self, request, **kwargs):
        return _tolerant_changelist(super(tolerant, self).get_changelist(request, **kwargs))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = GarbageTolerantAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super(tolerant, self).formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = GarbageTolerantAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super(tolerant, self).formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            # An address typed without a scheme is read as https, as the newsroom's forms read it (and as
            # Django 6 will by default).
            kwargs.setdefault("assume_scheme", "https")
        formfield = super(tolerant, self).formfield_for_dbfield(db_field, request, **kwargs)
        # A split date-and-time field runs its validators on the combined value, as a date field does.
        if isinstance(db_field, models.DateField) and formfield is not None:
            formfield.validators.append(validate_bulletin_date)
        return formfield

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(_can_be_value_of(self.model._meta.pk, item) for item in selected):
            # Django's own words for an empty selection (and its translations).
            message = gettext(
                "Items must be selected in order to perform actions on them. No items have been changed."
            )
            self.message_user(request, message, messages.WARNING)
            return None
        return super(tolerant, self).response_action(request, queryset)

    tolerant = type(
        admin_class.__name__,
        (admin_class,),
        {
            "get_changelist": get_changelist,
            "response_action": response_action,
            "formfield_for_foreignkey": formfield_for_foreignkey,
            "formfield_for_manytomany": formfield_for_manytomany,
            "formfield_for_dbfield": formfield_for_dbfield,
        },
    )
    tolerant.__module__ = admin_class.__module__
    tolerant.__qualname__ = admin_class.__qualname__
    return tolerant


class XinzhiAdminConfig(AdminConfig):
    """django.contrib.admin with GarbageTolerantAdminSite as `admin.site` (INSTALLED_APPS names this)."""

    default_site = "xinzhi.admin_site.GarbageTolerantAdminSite"
