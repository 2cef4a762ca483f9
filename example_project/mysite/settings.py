"""Settings of the example site: a plain Wagtail project with wagtail-salesmanago added."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-project-only")
DEBUG = True
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "mysite.urls"
WSGI_APPLICATION = "mysite.wsgi.application"

INSTALLED_APPS = [
    "survey",
    "wagtail_salesmanago",  # wagtail-salesmanago
    "wagtail.contrib.forms",  # ...next to Wagtail's forms
    "wagtail.contrib.settings",  # ...and site settings
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Campaign attribution from whichever page a visitor lands on (docs/leads.md).
    "wagtail_salesmanago.middleware.CampaignAttributionMiddleware",
]

# A strict Content Security Policy, e.g. DEMO_CSP="script-src 'self'" make demo: the admin's
# SALESmanago parts run no inline script. The browser test runs the admin under one.
if os.environ.get("DEMO_CSP"):
    MIDDLEWARE.insert(0, "mysite.csp.content_security_policy")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DEMO_DATABASE", BASE_DIR / "db.sqlite3"),
    }
}

# Delivery to SALESmanago runs as a django-tasks task. With the default immediate backend it
# runs right after each submission is committed. For a worker, see the README.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# A failed delivery's first retry waits this long (the package's default, 60 s; the demo's test
# shortens it). `make demo` runs salesmanago_retry on a timer to send it.
WAGTAIL_SALESMANAGO_RETRY_BASE_SECONDS = int(os.environ.get("DEMO_RETRY_BASE_SECONDS", "60"))

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", "Polski"), ("en", "English")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

WAGTAIL_SITE_NAME = "wagtail-salesmanago demo"
WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"wagtail_salesmanago": {"handlers": ["console"], "level": "INFO"}},
}
