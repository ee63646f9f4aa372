"""Standin for Django and django-hijack.

Installed as the app ``standin.django`` with the middleware
``standin.django.middleware.StandinMiddleware`` (after Django's
authentication and django-hijack's middleware) and
``HIJACK_PERMISSION_CHECK = "standin.django.hijack.may_hijack"``:

- django-hijack asks ``may_hijack`` whether the hijacker may impersonate
  that user: Standin's ``check/start`` with both users' facts, made by the
  platform's adapter (``STANDIN["PRINCIPAL"]``).
- When django-hijack starts, a Standin session is started (reason and
  ``return_to`` from the form); a refused start undoes the hijack and
  answers 403 with the reasons. When it releases, the session is ended.
- While hijacked, every view is asked of ``authorize`` with an action
  mapped from its URL name (``STANDIN["ACTIONS"]``): a deny is 403 with
  the reasons, Standin unreachable is 503, and an allow puts the
  obligations on ``request.standin``.
- ``{% load standin %}{% standin_banner %}`` renders ``<standin-banner>``
  with the session's token.
"""
