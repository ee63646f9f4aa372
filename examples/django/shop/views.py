"""Two users (alice, an admin; bob), "Log in as", an allowed and a forbidden action."""

from typing import Any

from django.contrib.auth import get_user_model, login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from standin import Principal


def principal(user: Any) -> Principal:
    """The platform's facts about a user, for Standin: groups are roles."""
    return Principal(
        id=user.get_username(),
        roles=sorted(group.name for group in user.groups.all()),
        active=user.is_active,
        has_logged_in=user.last_login is not None,
    )


def home(request: HttpRequest) -> HttpResponse:
    users = get_user_model().objects.order_by("username")
    return render(request, "home.html", {"users": users, "message": ""})


def sign_in(request: HttpRequest, username: str) -> HttpResponse:
    # An example, not a login: sign in as anyone by name.
    login(request, get_user_model().objects.get(username=username))
    return redirect("home")


def courses(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"users": [], "message": "Courses: allowed."})


def billing(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"users": [], "message": "Bought."})
