"""The account's lists the form editor offers: its users (as owners) and its tags.

Each is asked at most once per ``CACHE_SECONDS`` per site, so the editor waits for SALESmanago (at
most the client's deadline) only now and then; a failure is remembered the same way, and gives an
empty list: the fields stay free text. An editor's **Refresh** asks again at once.
"""

import logging

from django.core.cache import cache

from ..delivery.account import account_for_site

logger = logging.getLogger(__name__)

#: Seconds a site's list is kept; a failed lookup is not repeated for as long.
CACHE_SECONDS = 5 * 60
#: The lists, by name: what the account's client is asked for each.
LISTS = {"users": "list_users", "tags": "list_tags"}


def account_users(site):
    """The e-mails of the site's SALESmanago users; [] when the connection does not work."""
    return account_list(site, "users")


def account_tags(site):
    """The names of the tags in the site's SALESmanago account; [] when the connection does not
    work (or the account has none)."""
    return account_list(site, "tags")


def account_list(site, name):
    if site is None:
        return []
    key = cache_key(site, name)
    found = cache.get(key)
    if found is None:
        try:
            account = account_for_site(site)
            found = getattr(account.get_client(), LISTS[name])(account.owner_email)
        except Exception as err:
            logger.info("Could not list the SALESmanago %s of site %s: %s", name, site.pk,
                        type(err).__name__)
            found = []
        cache.set(key, found, CACHE_SECONDS)
    return found


def refresh(site):
    """Forget the site's lists: the next editor asks SALESmanago again."""
    cache.delete_many([cache_key(site, name) for name in LISTS])


def cache_key(site, name):
    return f"wagtail_salesmanago:{name}:{site.pk}"
