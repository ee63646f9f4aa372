"""Views that count their runs: a refused request must never reach one."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

RUNS: list[str] = []


def page(request: HttpRequest) -> HttpResponse:
    RUNS.append("page")
    return render(request, "page.html", {"user": request.user})


@csrf_exempt
def billing(request: HttpRequest) -> HttpResponse:
    RUNS.append("billing")
    return JsonResponse({"bought": True})


def report(request: HttpRequest) -> HttpResponse:
    RUNS.append("report")
    standin = getattr(request, "standin", None)
    return JsonResponse({
        "obligations": standin.obligations if standin else None,
        "do_not_track": standin.do_not_track if standin else None,
    })
