"""Compare a JSON value with a documented example: the same field names, nesting and JSON types."""

# Objects whose keys are data, not field names: custom detail names, e-mail addresses.
FREE_FORM = ("properties", "contactIds")


def json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def differences(actual, documented, path="body"):
    """Where ``actual`` leaves the documented shape (fields it may leave out are not reported)."""
    if documented is None:  # documented as null: the sources say nothing about its type
        return []
    if json_type(actual) != json_type(documented):
        return [f"{path} is {json_type(actual)}, documented as {json_type(documented)}"]
    found = []
    if isinstance(actual, dict):
        free_form = path.rsplit(".", 1)[-1] in FREE_FORM
        for key, value in actual.items():
            if free_form:
                found += differences(value, next(iter(documented.values())), f"{path}[{key!r}]")
            elif key not in documented:
                found.append(f"{path}.{key} is not a documented field")
            else:
                found += differences(value, documented[key], f"{path}.{key}")
    elif isinstance(actual, list) and documented:
        for item in actual:
            found += differences(item, documented[0], f"{path}[]")
    return found


def missing(actual, names):
    """The dotted ``names`` (``contact.email``) that ``actual`` lacks."""
    absent = []
    for name in names:
        value = actual
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            absent.append(name)
    return absent
