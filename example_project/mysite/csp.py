"""Sends the Content-Security-Policy in the DEMO_CSP environment variable with every response,
as django-csp or Django 6's ContentSecurityPolicyMiddleware would on a real site."""

import os


def content_security_policy(get_response):
    policy = os.environ["DEMO_CSP"]

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy)
        return response

    return middleware
