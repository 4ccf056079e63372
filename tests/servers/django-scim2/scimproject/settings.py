# A minimal project around django-scim2 0.23.0: its default adapters, filter parsers and settings,
# except what hosting needs (NETLOC/SCHEME for absolute locations, the group model, the bearer
# scheme in /ServiceProviderConfig and WWW-Authenticate). Port, token and sqlite file come from
# the environment set by run.py.
import os

SECRET_KEY = "scimspec-test-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
PORT = os.environ["SCIM_PORT"]
SCIM_TOKEN = os.environ["SCIM_TOKEN"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django_scim",
    "scimapp",
]
MIDDLEWARE = [
    "scimapp.auth.BearerTokenMiddleware",
    "django_scim.middleware.SCIMAuthCheckMiddleware",
]
ROOT_URLCONF = "scimproject.urls"
AUTH_USER_MODEL = "scimapp.ScimUser"
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["SCIM_DB"]}
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
TIME_ZONE = "UTC"
# Creates run at test speed; the hasher only matters for `password`, never returned.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False}

SCIM_SERVICE_PROVIDER = {
    "NETLOC": f"127.0.0.1:{PORT}",
    "SCHEME": "http",
    "GROUP_MODEL": "scimapp.models.ScimGroup",
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Static bearer token",
            "specUri": "https://www.rfc-editor.org/rfc/rfc6750",
        }
    ],
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="django-scim2"',
}
