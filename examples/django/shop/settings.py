"""A minimal shop with django-hijack and Standin: run it with examples/django/run.sh."""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECRET_KEY = "example-only"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "shop.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "hijack",
    "standin.django",
    "shop",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hijack.middleware.HijackUserMiddleware",
    "standin.django.middleware.StandinMiddleware",
]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("EXAMPLE_DB", HERE.parent / "db.sqlite3")}
}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csrf",
            ]
        },
    }
]
USE_TZ = True
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# django-hijack asks Standin; its own notification bar is replaced by Standin's banner.
HIJACK_PERMISSION_CHECK = "standin.django.hijack.may_hijack"
HIJACK_INSERT_BEFORE = None
STANDIN = {
    "URL": os.environ.get("STANDIN_URL", "http://127.0.0.1:8080"),
    "TENANT": "acme",
    "API_KEY": os.environ.get("STANDIN_KEY", ""),
    "PRINCIPAL": "shop.views.principal",
    "ACTIONS": {"home": "page.view", "courses": "course.view", "billing": "billing.purchase"},
    "RETURN_TO": "/",
}
