"""What SALESmanago calls on the site: its opt-in and opt-out callbacks (``urls.py``).

CSRF-exempt, as a call from SALESmanago's servers carries no token: the key (``sha1(email + API
secret)``) is what proves it. A wrong or missing key gets HTTP 403 and changes nothing; an IP that
sends many wrong keys is slowed down (HTTP 429); a right key gets the same answer whether the site
knows the contact or not.
"""

import logging

from django.core.cache import cache
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .delivery import callbacks
from .visitor_ip import client_ip

logger = logging.getLogger(__name__)

#: Wrong keys an IP address may send in ``WRONG_KEY_WINDOW`` seconds before it is turned away.
WRONG_KEYS_ALLOWED = 20
WRONG_KEY_WINDOW = 10 * 60


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def opt_in(request):
    return answer(request, "opt_in")


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def opt_out(request):
    return answer(request, "opt_out")


def answer(request, kind):
    values = request.POST if request.method == "POST" else request.GET
    email = values.get("email") or request.GET.get("email") or ""
    key = values.get("key") or request.GET.get("key") or ""
    changed = callbacks.receive(kind, email, key)
    if changed is not None:  # a right key always counts, whoever sent wrong ones before
        logger.info("SALESmanago %s callback: %d delivery record(s) updated.", kind, changed)
        return JsonResponse({"success": True, "message": "OK"})
    logger.warning("SALESmanago %s callback refused: the key is not one of the sites'.", kind)
    if wrong_keys_from(client_ip(request) or "unknown") > WRONG_KEYS_ALLOWED:
        return JsonResponse({"success": False, "message": "Too many requests"}, status=429)
    return JsonResponse({"success": False, "message": "Invalid key"}, status=403)


def wrong_keys_from(ip):
    """Count one more wrong key from ``ip``; how many in the window (0 if the cache fails: a
    cache is no reason to refuse SALESmanago)."""
    counter = f"wagtail_salesmanago:wrong_keys:{ip}"
    try:
        cache.add(counter, 0, WRONG_KEY_WINDOW)
        try:
            return cache.incr(counter)
        except ValueError:  # expired in between
            cache.add(counter, 1, WRONG_KEY_WINDOW)
            return 1
    except Exception:
        logger.exception("Could not count wrong SALESmanago callback keys.")
        return 0
