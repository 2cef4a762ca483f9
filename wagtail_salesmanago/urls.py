"""The URLs SALESmanago calls on the site. Include them in the site's URLconf, before Wagtail's
own catch-all::

    path("salesmanago/", include("wagtail_salesmanago.urls")),

then give SALESmanago the two addresses (docs/personal-data.md says how).
"""

from django.urls import path

from . import views

urlpatterns = [
    path("opt-in/", views.opt_in, name="wagtail_salesmanago_opt_in"),
    path("opt-out/", views.opt_out, name="wagtail_salesmanago_opt_out"),
]
