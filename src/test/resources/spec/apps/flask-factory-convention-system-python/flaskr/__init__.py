"""Flask's tutorial layout: the package is the app, made by its factory."""
from flask import Flask


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)

    @app.get("/")
    def index():
        return "made by create_app\n"

    return app
