from fastapi import FastAPI

from .routes import router

app = FastAPI(title="shop")
app.include_router(router)
