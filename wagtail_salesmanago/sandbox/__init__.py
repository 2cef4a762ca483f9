"""A local stand-in for SALESmanago's API v2, for demos and tests (ours and yours).

    from wagtail_salesmanago.sandbox import Sandbox

    with Sandbox(contacts=["known@example.com"]) as sandbox:
        ...  # point SalesmanagoSettings at sandbox.credentials()

Run it on its own with ``python -m wagtail_salesmanago.sandbox --port 8765``. It is an independent
model of SALESmanago written from public sources: it imports nothing from the rest of the package.
"""

from .server import DEFAULT_API_SECRET, DEFAULT_CLIENT_ID, DEFAULT_CONSENTS, DEFAULT_OWNER, Sandbox

__all__ = [
    "Sandbox", "DEFAULT_API_SECRET", "DEFAULT_CLIENT_ID", "DEFAULT_CONSENTS", "DEFAULT_OWNER",
]
