import os
bind = ":" + os.environ["PORT"]
workers = 1
