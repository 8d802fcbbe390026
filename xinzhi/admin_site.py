"""The admin site, whose change lists answer garbage in their query strings as Django means them to.

Django's admin turns a lookup it cannot apply (`?pk=abc`, `?nosuchfield=1`) into a redirect to `?e=1` by raising
IncorrectLookupParameters. Some values only fail later, outside what it guards: `?date__year=9999` in a list
with `date_hierarchy` (the year after 9999 does not exist), a date or time in year 1 on a time-zone-aware field
(`?created_at__year=1`, `?publish_at__gte=0001-01-01`: converting it to UTC leaves the range of datetime), a
value the database refuses as out of range. Those raised ValueError, OverflowError or DataError, a 500. The
site below gives every ModelAdmin registered with it, third-party ones included (django-axes' lists have a date
hierarchy too), a ChangeList that reports them as IncorrectLookupParameters as well.
"""

from __future__ import annotations

import functools
from contextlib import nullcontext

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db import DataError, router, transaction


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
    """`admin_class` under its own name, listing through a GarbageTolerantChangeList."""

    def get_changelist(self, request, **kwargs):
        return _tolerant_changelist(super(tolerant, self).get_changelist(request, **kwargs))

    tolerant = type(admin_class.__name__, (admin_class,), {"get_changelist": get_changelist})
    tolerant.__module__ = admin_class.__module__
    tolerant.__qualname__ = admin_class.__qualname__
    return tolerant


class XinzhiAdminConfig(AdminConfig):
    """django.contrib.admin with GarbageTolerantAdminSite as `admin.site` (INSTALLED_APPS names this)."""

    default_site = "xinzhi.admin_site.GarbageTolerantAdminSite"
