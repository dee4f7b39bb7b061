from starlette.applications import Starlette


async def boom():
    raise RuntimeError("the database is unreachable")


app = Starlette(on_startup=[boom])
