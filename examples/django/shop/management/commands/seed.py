"""Makes the example's two users: alice (group `admin`) and bob."""

from typing import Any

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Create alice (admin) and bob"

    def handle(self, *args: Any, **options: Any) -> None:
        admin, _ = Group.objects.get_or_create(name="admin")
        for name in ("alice", "bob"):
            user, _ = User.objects.get_or_create(username=name, defaults={"last_login": timezone.now()})
            if name == "alice":
                user.groups.add(admin)
