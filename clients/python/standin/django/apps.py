"""The app config: connects django-hijack's signals when Django starts."""

from __future__ import annotations

from django.apps import AppConfig


class StandinConfig(AppConfig):
    name = "standin.django"
    label = "standin"
    verbose_name = "Standin"

    def ready(self) -> None:
        from hijack.signals import hijack_ended, hijack_started

        from .hijack import end_on_release, start_on_hijack

        hijack_started.connect(start_on_hijack, dispatch_uid="standin.start_on_hijack")
        hijack_ended.connect(end_on_release, dispatch_uid="standin.end_on_release")
