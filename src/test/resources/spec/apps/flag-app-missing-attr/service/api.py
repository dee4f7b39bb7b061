def make():
    pass


def handler(environ, start_response):
    start_response("204 No Content", [])
    return []
