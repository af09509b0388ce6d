"""Django configured in code: one call, :func:`configure`, from ``plagcheck web``, ``plagcheck
user add`` and the tests — no settings module to find through an environment variable.

Every security default is the framework's own, turned on: password hashing (PBKDF2), sessions
that end with the browser or after :data:`SESSION_HOURS`, CSRF on every POST, clickjacking and
sniffing protection; :mod:`plagcheck.web.security` adds the content security policy and no-store.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path

from plagcheck.errors import PlagcheckError
from plagcheck.settings import database_argument, is_postgres

SESSION_HOURS = 8            # one working day: a cabinet left open overnight asks for the password again
MAX_FILE_MIB = 100           # a 300-page thesis PDF with pictures is 20-60 MiB
MAX_BATCH_MIB = 1024         # a department's batch: 60 theses of 10-15 MiB
LANGUAGES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class CabinetOptions:
    """What ``plagcheck web`` was told, beyond Django's own settings.

    ``database``: the corpus database, a SQLite file's path or a ``postgresql://`` URL; Django's
    tables live in it too. ``data_dir``: the folder of the cabinet's secret key and of uploads
    waiting for confirmation; a SQLite corpus keeps them beside its file when none is given, a
    PostgreSQL one has no file and needs one to serve (:func:`require_data_dir`)."""

    database: Path | str
    data_dir: Path | None = None
    institution: str = ""
    max_file_bytes: int = MAX_FILE_MIB * 2**20
    max_batch_bytes: int = MAX_BATCH_MIB * 2**20
    https: bool = False
    allowed_hosts: tuple[str, ...] = field(default_factory=tuple)

    @property
    def on_postgres(self) -> bool:
        return is_postgres(self.database)


class NoDataDir(PlagcheckError):
    """A cabinet on a PostgreSQL corpus was not told where its secret key and uploads go."""


def require_data_dir(options: CabinetOptions) -> None:
    """Refuse to serve a PostgreSQL corpus without ``data_dir`` (one line, like ``worker --reports``)."""
    if options.data_dir is None and options.on_postgres:
        raise NoDataDir("a PostgreSQL corpus has no folder for the cabinet's secret key and uploads: give one "
                        "with --data-dir (on this machine, writable by the cabinet only)")


def _beside_database(options: CabinetOptions, suffix: str) -> Path:
    path = Path(options.database)
    return path.with_name(path.name + suffix)


def secret_key(options: CabinetOptions) -> str:
    """$PLAGCHECK_SECRET_KEY, else a key kept in the data folder (or beside a SQLite database),
    created once, owner-only, so that sessions survive a restart and every process of the cabinet
    signs alike. A PostgreSQL corpus without a data folder (``user add``, ``department add``)
    gets a key for this process only: those commands sign nothing that outlives them."""
    if key := os.environ.get("PLAGCHECK_SECRET_KEY"):
        return key
    if options.data_dir is not None:
        path = Path(options.data_dir) / "web-secret"
    elif options.on_postgres:
        return secrets.token_urlsafe(50)
    else:
        path = _beside_database(options, ".web-secret")
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(key)
        return key


def staging_dir(options: CabinetOptions) -> Path:
    """Uploads wait here between the upload and its confirmation: ``uploads/`` in the data folder,
    else beside a SQLite database."""
    require_data_dir(options)
    if options.data_dir is not None:
        return Path(options.data_dir) / "uploads"
    return _beside_database(options, ".uploads")


def database_settings(options: CabinetOptions) -> dict:
    """Django's ``DATABASES["default"]`` for the corpus database: Django's tables beside the corpus's."""
    if not options.on_postgres:
        from plagcheck.storage.sqlite import DJANGO_INIT_COMMAND  # the SQL of the corpus file's set-up lives in storage/

        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(options.database),
                # BEGIN IMMEDIATE: a write waits for the worker's transaction instead of failing
                # half-way with "database is locked"; WAL is already on (the store turns it on).
                "OPTIONS": {"timeout": 60, "transaction_mode": "IMMEDIATE", "init_command": DJANGO_INIT_COMMAND}}
    from psycopg.conninfo import conninfo_to_dict

    # The URL as psycopg reads it (user, password, host or socket folder, port, sslmode...): Django
    # takes the five it names and hands the rest to psycopg as they are.
    params = conninfo_to_dict(str(options.database))
    known = {key: params.pop(key, None) for key in ("dbname", "user", "password", "host", "port")}
    params.setdefault("application_name", f"plagcheck web {socket.gethostname()}:{os.getpid()}"[:63])
    return {"ENGINE": "django.db.backends.postgresql", "NAME": known["dbname"] or "",
            "USER": known["user"] or "", "PASSWORD": known["password"] or "", "HOST": known["host"] or "",
            "PORT": str(known["port"] or ""), "OPTIONS": params,
            # A waitress thread keeps its connection between requests (checked before reuse):
            # no new server connection per page.
            "CONN_MAX_AGE": 300, "CONN_HEALTH_CHECKS": True}


def resolved(options: CabinetOptions) -> CabinetOptions:
    """``options`` with a SQLite path and the data folder absolute (the cabinet never depends on
    the folder it was started from)."""
    database = database_argument(options.database)
    if not is_postgres(database):
        database = Path(database).resolve()
    data_dir = Path(options.data_dir).resolve() if options.data_dir is not None else None
    return CabinetOptions(**{**options.__dict__, "database": database, "data_dir": data_dir})


def configure(options: CabinetOptions, *, debug: bool = False) -> None:
    """Configure Django for the cabinet over ``options.database`` and set it up (once per process)."""
    import django
    from django.conf import settings

    options = resolved(options)
    if settings.configured:
        if settings.PLAGCHECK.database != options.database:
            raise RuntimeError("Django is already configured for another database in this process")
        return
    hosts = list(options.allowed_hosts) or ["127.0.0.1", "localhost", "[::1]"]
    settings.configure(
        DEBUG=debug,
        SECRET_KEY=secret_key(options),
        ALLOWED_HOSTS=hosts,
        PLAGCHECK=options,
        INSTALLED_APPS=[
            "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
            "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
            "plagcheck.web.apps.WebConfig",
        ],
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "whitenoise.middleware.WhiteNoiseMiddleware",
            "plagcheck.web.security.SecurityHeadersMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.locale.LocaleMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
            "django.contrib.auth.middleware.LoginRequiredMiddleware",  # every page but the login page
        ],
        ROOT_URLCONF="plagcheck.web.urls",
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [],
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "plagcheck.web.views.cabinet_context",
            ]},
        }],
        # Django's tables in the corpus database itself: one database to back up, one --db for all.
        DATABASES={"default": database_settings(options)},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        USE_I18N=True,
        USE_TZ=True,
        TIME_ZONE="Asia/Almaty",
        LANGUAGE_CODE="en",
        LANGUAGES=LANGUAGES,
        LOCALE_PATHS=[str(HERE / "locale")],
        LANGUAGE_COOKIE_SAMESITE="Lax",
        STATIC_URL="/static/",
        STATIC_ROOT=None,
        WHITENOISE_USE_FINDERS=True,  # served from the package's own static/ folders: no collectstatic step
        WHITENOISE_AUTOREFRESH=debug,
        LOGIN_URL="web:login",
        LOGIN_REDIRECT_URL="/",
        LOGOUT_REDIRECT_URL="/login/",
        SESSION_COOKIE_AGE=SESSION_HOURS * 3600,
        SESSION_EXPIRE_AT_BROWSER_CLOSE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=options.https,
        CSRF_COOKIE_SECURE=options.https,
        CSRF_COOKIE_HTTPONLY=True,
        # Behind nginx with TLS (waitress takes the scheme from nginx's X-Forwarded-Proto): tell
        # browsers to stay on HTTPS.
        SECURE_HSTS_SECONDS=31536000 if options.https else 0,
        SECURE_CONTENT_TYPE_NOSNIFF=True,
        SECURE_REFERRER_POLICY="same-origin",
        X_FRAME_OPTIONS="DENY",
        # Uploads over 2.5 MiB go to a temporary file, not memory; the batch limit is the body's.
        DATA_UPLOAD_MAX_MEMORY_SIZE=2 * 2**20,
        DATA_UPLOAD_MAX_NUMBER_FILES=5000,
        DATA_UPLOAD_MAX_NUMBER_FIELDS=20000,
        FILE_UPLOAD_PERMISSIONS=0o600,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
        AUTH_PASSWORD_VALIDATORS=[
            {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
            {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
            {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        ],
        LOGGING_CONFIG=None,
    )
    django.setup()


def migrate() -> None:
    """Create or upgrade the cabinet's tables (and make sure the queue's own table exists)."""
    from django.core.management import call_command

    from django.conf import settings

    from plagcheck import jobs
    from plagcheck.storage import open_store

    with open_store(settings.PLAGCHECK.database, create=False) as store:
        jobs.ensure_schema(store)
    call_command("migrate", interactive=False, verbosity=0)
