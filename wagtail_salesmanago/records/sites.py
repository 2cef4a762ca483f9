"""Which site a page is on, by Wagtail's own rule: for a record's page, a report's rows and the
sites whose deliveries pause."""

from django.db.models import Q
from wagtail.models import Site


def site_of(url_path):
    """The ID of the site a page (by its ``url_path``) belongs to, by Wagtail's own rule
    (``Site.get_site_root_paths``: each site's root, with i18n each locale's, the most specific
    first, so that a site whose root lies inside another's keeps its pages); ``None`` if none."""
    return next((root.site_id for root in Site.get_site_root_paths()
                 if url_path.startswith(root.root_path)), None)


def of_site(site_id, url_path="page__url_path"):
    """A condition for the rows (records by default, pages with ``url_path="url_path"``) of a
    site's pages, as ``site_of`` reads them: under one of its roots, not under another site's
    root inside it."""
    roots = Site.get_site_root_paths()
    own = {root.root_path for root in roots if root.site_id == site_id}
    inner = {root.root_path for root in roots if root.site_id != site_id
             and root.root_path not in own  # another site on the same root (apex and www.)
             and any(root.root_path.startswith(path) for path in own)}
    condition = Q(pk__in=[])
    for path in own:
        condition |= Q(**{f"{url_path}__startswith": path})
    for path in inner:
        condition &= ~Q(**{f"{url_path}__startswith": path})
    return condition
