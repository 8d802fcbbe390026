"""/healthz: what the container orchestrator probes. Answers 200 only when the database answers.

It is a middleware placed first so that the probe, which comes over plain HTTP from inside the container with
Host 127.0.0.1, is answered before the HTTPS redirect and the ALLOWED_HOSTS check apply.
"""

from django.db import connection
from django.http import HttpRequest, JsonResponse

PATH = "/healthz"


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path != PATH:
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as exc:  # any database failure means "not healthy", with the reason for the operator
            response = JsonResponse({"status": "error", "database": str(exc)}, status=503)
        else:
            response = JsonResponse({"status": "ok"})
        response["Cache-Control"] = "no-store"
        return response
