"""SALESmanago's published data rules, as the sandbox applies them.

Written from SALESmanago's public pages, not from the package's own mapping: if the package and
these rules disagree, the tests that run against the sandbox notice.
"""

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
