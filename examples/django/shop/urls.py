from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/<str:username>/", views.sign_in, name="sign-in"),
    path("courses/", views.courses, name="courses"),
    path("billing/", views.billing, name="billing"),
    path("hijack/", include("hijack.urls")),
]
