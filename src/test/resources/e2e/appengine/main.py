"""Reads what App Engine flexible gives an instance: GAE_* variables and the metadata server."""

import json
import os
import urllib.request


def app(environ, start_response):
    request = urllib.request.Request(
        "http://" + os.environ["GCE_METADATA_HOST"] + "/computeMetadata/v1/project/project-id",
        headers={"Metadata-Flavor": "Google"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        project = response.read().decode()
    names = ["GAE_SERVICE", "GAE_VERSION", "GAE_MEMORY_MB", "GOOGLE_CLOUD_PROJECT", "GREETING", "K_SERVICE"]
    body = json.dumps({"project": project, **{n: os.environ.get(n) for n in names}}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
