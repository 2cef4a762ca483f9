"""Many new rows of the package's own models stored at once: ``bulk_create``, cheaper.

A historical export stores 100,000 records and as many attempts. ``bulk_create`` runs each value
through the compiler's general path (expressions, ``pre_save``, ``get_db_prep_save``): for these
rows, two thirds of the time it takes. Here each column is adapted by its field type once, as the
database backend adapts it, and the rows go in multi-row ``INSERT ... RETURNING`` statements (on
PostgreSQL and SQLite, the backends the suite runs; elsewhere ``bulk_create`` itself; a field type
not listed below goes through its own ``get_db_prep_save``).
"""

import sqlite3

from django.db import connection, models

#: Rows per statement at most (fewer where the database takes fewer parameters, see ``max_params``).
ROWS = 500

# Exactly these types (a subclass may prepare its values its own way): their prepared value
# (``get_prep_value``: a str of a lazy text, an int, a bool, the target's key) is what the database
# takes on these backends.
PLAIN = (models.CharField, models.TextField, models.IntegerField, models.PositiveIntegerField,
         models.BooleanField, models.ForeignKey)


READY = (str, int, bool, type(None))


def insert(objs):
    """Store ``objs`` (unsaved instances of one model) and set their primary keys."""
    if not objs:
        return objs
    model = type(objs[0])
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    if connection.vendor not in ("postgresql", "sqlite"):
        return model.objects.bulk_create(objs)
    adapters = [adapter(field) for field in fields]
    rows = max(1, min(ROWS, max_params() // len(fields)))
    auto = [field for field in fields if getattr(field, "auto_now", False)
            or getattr(field, "auto_now_add", False)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    row = f"({', '.join(['%s'] * len(fields))})"
    pk = model._meta.pk
    with connection.cursor() as cursor:
        for start in range(0, len(objs), rows):
            part = objs[start:start + rows]
            params = []
            for obj in part:
                for field in auto:
                    field.pre_save(obj, add=True)
                params.extend(adapt(getattr(obj, field.attname))
                              for field, adapt in zip(fields, adapters))
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "
                f"{', '.join([row] * len(part))} RETURNING {quote(pk.column)}", params)
            # In the order of the VALUES, as bulk_create also takes them on these backends.
            for obj, (key,) in zip(part, cursor.fetchall()):
                setattr(obj, pk.attname, key)
                obj._state.adding, obj._state.db = False, connection.alias
    return objs


def adapter(field):
    """How a value of ``field`` goes to the database, as ``get_db_prep_save`` would send it."""
    ops, prepare = connection.ops, field.get_prep_value
    if type(field) is models.DateTimeField:  # a naive time is made aware, as Django does
        return lambda value: ops.adapt_datetimefield_value(
            value if value is None or value.tzinfo is not None else prepare(value))
    if type(field) is models.JSONField:  # None is SQL NULL, as JSONField stores it
        return lambda value: None if value is None else ops.adapt_json_value(value, field.encoder)
    if type(field) in PLAIN:  # a str, int, bool or None is its own prepared value
        return lambda value: value if type(value) in READY else prepare(value)
    return lambda value: field.get_db_prep_save(value, connection)


def max_params():
    """The most parameters one statement may take: SQLite's own limit (999 before 3.32), else
    PostgreSQL's 65,535."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65535
