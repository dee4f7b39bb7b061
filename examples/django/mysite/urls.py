import os

from django.http import HttpResponse, JsonResponse
from django.urls import path


def hello(request):
    return HttpResponse("Hello from Django on Pylon!\n", content_type="text/plain")


def headers(request):
    return JsonResponse({key: value for key, value in request.headers.items()})


def pid(request):
    return JsonResponse({"pid": os.getpid(), "secure": request.is_secure()})


urlpatterns = [
    path("", hello),
    path("headers", headers),
    path("pid", pid),
]
