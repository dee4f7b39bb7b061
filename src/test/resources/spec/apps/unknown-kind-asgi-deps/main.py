from .factory import build

app = build()
