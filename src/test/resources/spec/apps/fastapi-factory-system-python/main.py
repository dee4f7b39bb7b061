from fastapi import FastAPI


def create_app():
    app = FastAPI()

    @app.get("/")
    def index():
        return {"made_by": "create_app"}

    return app
