"""Answers as SALESmanago custom detail values: text of at most 255 characters (pure functions).

Every value costs the same to format whatever the visitor typed: numbers are never written out
digit by digit past what fits, and long lists stop joining once full.
"""

import datetime
import decimal

MAX_VALUE_LENGTH = 255


def format_value(value):
    """The answer as SALESmanago gets it, or ``None`` when there is nothing to send."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (list, tuple)):
        text = format_items(value)
    elif isinstance(value, (datetime.date, datetime.time)):
        # datetime is a date subclass; isoformat() suits all three.
        text = value.isoformat()
    elif isinstance(value, (int, float, decimal.Decimal)):
        text = format_number(value)
    else:
        text = str(value)
    if not text.strip():
        return None
    return text[:MAX_VALUE_LENGTH]


def format_items(items):
    """Several choices, comma-separated; stops once the text is longer than a value can be."""
    texts, length = [], 0
    for item in items:
        text = format_value(item)
        if text is None:
            continue
        texts.append(text)
        length += len(text) + 2
        if length > MAX_VALUE_LENGTH:
            break
    return ", ".join(texts)


def format_number(number):
    """Plain decimal (``42.50``) when it fits in a value, else scientific notation (``1E+400``).

    The cost never depends on the exponent: an anonymous visitor can post ``1e1000000000``,
    whose plain decimal has a billion digits. Too many significant digits are rounded.
    """
    if isinstance(number, float):
        number = decimal.Decimal(repr(number))  # 0.1, not 0.1000000000000000055511151231257827
    elif isinstance(number, int):
        number = decimal.Decimal(number)  # not str(): it refuses ints over 4,300 digits
    if not number.is_finite():
        return str(number)  # "Infinity", "-Infinity", "NaN"
    sign, digits, exponent = number.as_tuple()
    if exponent >= 0:
        plain_length = sign + len(digits) + exponent
    else:
        plain_length = sign + max(len(digits) + 1, 2 - exponent)
    if plain_length <= MAX_VALUE_LENGTH:
        return format(number, "f")
    if number.is_zero():
        return "0"
    text, places = format(number, "E"), len(digits)
    while len(text) > MAX_VALUE_LENGTH:
        # A loop, not one sum: rounding 9.99... up can lengthen the exponent.
        places -= len(text) - MAX_VALUE_LENGTH
        mantissa, exponent_part = format(number, f".{places}E").split("E")
        text = f"{mantissa.rstrip('0').rstrip('.')}E{exponent_part}"
    return text
