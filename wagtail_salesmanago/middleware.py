"""``CampaignAttributionMiddleware``: keeps a visitor's first touch from whichever page they land on.

Without it, only a visitor who lands on a SALESmanago form page itself is attributed. Add it
after Django's ``SessionMiddleware`` (anywhere after ``SecurityMiddleware`` will do)::

    MIDDLEWARE = [..., "wagtail_salesmanago.middleware.CampaignAttributionMiddleware"]
"""

from .delivery import first_touch


class CampaignAttributionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        first_touch.remember(request, response)
        return response
