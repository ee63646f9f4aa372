from django.urls import include, path

from . import views

urlpatterns = [
    path("hijack/", include("hijack.urls")),
    path("page/", views.page, name="page"),
    path("billing/", views.billing, name="billing"),
    path("report/", views.report, name="report"),
]
