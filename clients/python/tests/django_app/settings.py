"""A minimal Django project for the tests: auth, sessions, django-hijack, Standin."""

SECRET_KEY = "tests-only"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.django_app.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "hijack",
    "standin.django",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hijack.middleware.HijackUserMiddleware",
    "standin.django.middleware.StandinMiddleware",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "DIRS": [__import__("pathlib").Path(__file__).parent / "templates"],
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
HIJACK_PERMISSION_CHECK = "standin.django.hijack.may_hijack"
HIJACK_INSERT_BEFORE = None
STANDIN = {
    "URL": "http://127.0.0.1:9",  # the tests' fixture points it at a real `standin serve`
    "TENANT": "acme",
    "API_KEY": "unset",
    "PRINCIPAL": "tests.django_app.principals.principal",
    "ACTIONS": {"billing": "billing.purchase", "report": "report.generate", "page": "course.view"},
    "TIMEOUT": 2.0,
}
