"""SALESmanago's published data rules, as the sandbox applies them.

Written from SALESmanago's public pages, not from the package's own mapping: if the package and
these rules disagree, the tests that run against the sandbox notice.
"""

import datetime
import re

from unidecode import unidecode

# "detail can contain up to 255 signs": support.salesmanago.com/details-ways-of-adding-and-their-usage/
MAX_DETAIL_VALUE = 255

# support.salesmanago.com/workflow-action-add-tag-to-a-contact/: tags are stored in capitals,
# special letters become basic ones, characters other than letters, digits and these become `_`,
# and a comma separates tags.
TAG_KEPT = "-([{)]}_"


def stored_tags(raw):
    """The tags SALESmanago keeps for a request's ``tags`` (a list, or one comma-separated string)."""
    if isinstance(raw, str):
        raw = [raw]
    elif not isinstance(raw, list):
        return []
    tags = []
    for item in raw:
        for part in str(item).split(","):
            tag = stored_tag(part.strip())
            if tag and tag not in tags:
                tags.append(tag)
    return tags


def stored_tag(text):
    """One tag as SALESmanago stores it: ``Żółta łódź!`` -> ``ZOLTA_LODZ_``."""
    basic = "".join(
        (unidecode(char) or "_") if char.isalpha() and not char.isascii() else char for char in text
    ).upper()
    return "".join(
        char if (char.isascii() and char.isalnum()) or char in TAG_KEPT else "_" for char in basic
    )


def too_long_details(properties):
    """The names of the custom details whose value is longer than SALESmanago keeps."""
    return [name for name, value in properties.items() if len(str(value)) > MAX_DETAIL_VALUE]


def valid_birthday(text):
    """Whether ``text`` is a date as SALESmanago takes a birthday: ``yyyyMMdd`` or ``MMdd``.

    The format is documented (tomaszcekalo/SalesManago SalesManago/Common/UpsertDetail.cs, "yyyyMMdd
    or MMdd"); that SALESmanago refuses anything else, and refuses 31 February, is not.
    """
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() or len(text) not in (4, 8):
        return False
    year = int(text[:4]) if len(text) == 8 else 2000  # a leap year, so 0229 is a birthday
    month, day = int(text[-4:-2]), int(text[-2:])
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


# External events, from tomaszcekalo/SalesManago SalesManago/ContactEvent.cs (docs.salesmanago.com
# paraphrased) and SALESmanago's PHP SDK src/Entity/Event/Event.php (the same list of types).
EVENT_TYPES = (
    "PURCHASE", "CART", "VISIT", "PHONE_CALL", "OTHER", "RESERVATION", "CANCELLED", "ACTIVATION",
    "MEETING", "OFFER", "DOWNLOAD", "LOGIN", "TRANSACTION", "CANCELLATION", "RETURN", "SURVEY",
    "APP_STATUS", "APP_TYPE_WEB", "APP_TYPE_MANUAL", "APP_TYPE_RETENTION", "APP_TYPE_UPSALE",
    "LOAN_STATUS", "LOAN_ORDER", "FIRST_LOAN", "REPEATED_LOAN",
)
EVENT_DETAILS = tuple(f"detail{number}" for number in range(1, 21))
# The longest value each text field of an event may have. detail1..detail20: 255, as the project's
# notes on docs.salesmanago.com say (the .NET client does not give their length).
EVENT_LIMITS = {"description": 2048, "products": 512, "externalId": 255, "location": 36,
                **dict.fromkeys(EVENT_DETAILS, 255)}
EVENT_FIELDS = ("date", "contactExtEventType", "value", "shopDomain", *EVENT_LIMITS)
# "possible characters: letters a-z, numbers 1-9, /_-." (ContactEvent.cs; 0 is surely allowed too).
LOCATION = re.compile(r"[a-z0-9/_.-]*")
MAX_BATCH_EVENTS = 1000  # "list cannot be empty and it's limited to 1000" (ISalesManagoService.cs)


def event_problems(event):
    """What SALESmanago would refuse in a ``contactEvent`` object, as messages (none: acceptable)."""
    if not isinstance(event, dict):
        return ["contactEvent must be a JSON object"]
    problems = []
    if event.get("contactExtEventType") not in EVENT_TYPES:
        problems.append(f"contactExtEventType must be one of {', '.join(EVENT_TYPES)}")
    date = event.get("date")
    if isinstance(date, bool) or not isinstance(date, int) or date <= 0:
        problems.append("date must be a timestamp in milliseconds")
    for name, limit in EVENT_LIMITS.items():
        value = event.get(name)
        if value is not None and len(str(value)) > limit:
            problems.append(f"{name} longer than {limit} characters")
    location = event.get("location")
    if location is not None and not LOCATION.fullmatch(str(location)):
        problems.append("location may hold only a-z, 0-9 and / _ - .")
    value = event.get("value")
    if value is not None and not _number(value):
        problems.append("value must be a number")
    return problems


def _number(value):
    if isinstance(value, bool):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
