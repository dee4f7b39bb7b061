import json
import no_such_module_for_pylon_tests  # fails on purpose


def app(environ, start_response):
    start_response("200 OK", [])
    return [b"unreachable"]
