"""``CampaignAttributionMiddleware``: keeps a visitor's first touch from whichever Wagtail page
they land on (see ``delivery.first_touch``).

Without it, only a visitor who lands on a SALESmanago form page itself is attributed. Add it to
``MIDDLEWARE``, after (below) Django's ``UpdateCacheMiddleware`` if the site uses that: responses
pass the middleware from the bottom up, so a response that sets the cookie is marked private
before the cache sees it::

    MIDDLEWARE = [..., "wagtail_salesmanago.middleware.CampaignAttributionMiddleware", ...]

It acts on Wagtail's pages only (Wagtail's ``serve`` view, whatever wraps it): never on the
admin, on Django's own views (a password reset link carries a token in its address) or on files.
"""

from .delivery import first_touch


def is_wagtail_page(view_func):
    return getattr(view_func, "__module__", "") == "wagtail.views" and getattr(
        view_func, "__name__", "") == "serve"


class CampaignAttributionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "_salesmanago_wagtail_page", False):
            first_touch.remember(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request._salesmanago_wagtail_page = is_wagtail_page(view_func)
