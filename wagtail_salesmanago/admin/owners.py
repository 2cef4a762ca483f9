"""The account's users, offered as owners in the form editor."""

import logging

from django.core.cache import cache

from ..delivery.account import account_for_site

logger = logging.getLogger(__name__)

#: Seconds a site's user list is kept; a failed lookup is not repeated for as long.
CACHE_SECONDS = 5 * 60


def account_users(site):
    """The e-mails of the site's SALESmanago users; [] when the connection does not work.

    Asked at most once per ``CACHE_SECONDS`` per site, so the editor waits for SALESmanago (at
    most the client's deadline) only now and then; a failure is remembered the same way.
    """
    if site is None:
        return []
    key = f"wagtail_salesmanago:users:{site.pk}"
    users = cache.get(key)
    if users is None:
        try:
            account = account_for_site(site)
            users = account.get_client().list_users(account.owner_email)
        except Exception as err:
            logger.info("Could not list the SALESmanago users of site %s: %s", site.pk,
                        type(err).__name__)
            users = []
        cache.set(key, users, CACHE_SECONDS)
    return users
