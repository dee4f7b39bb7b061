import os

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return os.environ.get("GREETING", "no greeting") + "\n"
