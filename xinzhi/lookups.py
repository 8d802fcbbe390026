"""Query lookups that treat a user's out-of-range integer as Django treats it in `exact`: matching nothing.

Django (5.2) answers `pk=99999999999999999999999` with no rows (IntegerFieldOverflow), but hands the same value
in `pk__in=[...]` to the database: SQLite raises OverflowError, PostgreSQL refuses the query. A form's
ModelMultipleChoiceField (a citation's sections, in the newsroom and the admin) builds exactly that query from
what was posted. Registered on IntegerField (every integer and auto field) by editorial's AppConfig.ready().
"""

from __future__ import annotations

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    """`__in` without the integers the column cannot hold (none can match); all of them gone, no rows."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
