"""MkDocs hooks (mkdocs.yml `hooks:`): the Changelog page shows CHANGELOG.md itself.

CHANGELOG.md lives at the repository's root, where its links into the site start with `docs/`;
on the site they are relative to the page.
"""

import re
from pathlib import Path

CHANGELOG = Path(__file__).resolve().parent.parent / "CHANGELOG.md"


def on_page_read_source(page, config):
    if page.file.src_uri != "changelog.md":
        return None
    return re.sub(r"\]\(docs/", "](", CHANGELOG.read_text(encoding="utf-8"))
