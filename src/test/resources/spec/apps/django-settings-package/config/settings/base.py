SECRET_KEY = "x"
ROOT_URLCONF = "config.urls"
