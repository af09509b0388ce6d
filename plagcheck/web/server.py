"""``plagcheck web``: the cabinet served by waitress.

Waitress, not gunicorn: one process with a thread pool suits a SQLite file with one writer at a
time (no forked workers contending for its lock) and holds one PostgreSQL connection per thread;
it buffers every request body before the application sees it (a slow upload ties up no thread), caps the body size (the batch limit), and
is pure Python, with no C build and no dependency of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from plagcheck.web.conf import CabinetOptions, configure, migrate, require_data_dir

log = logging.getLogger(__name__)


def application(options: CabinetOptions):
    """The cabinet's WSGI application over ``options.database``, its tables created or upgraded."""
    require_data_dir(options)
    configure(options)
    migrate()
    from django.core.wsgi import get_wsgi_application
    from django.db import connections

    connections.close_all()  # the start-up's connection: requests come on waitress's threads, each with its own

    return get_wsgi_application()


def serve(options: CabinetOptions, host: str, port: int, *, threads: int = 8,
          ready: Callable[[str], None] | None = None) -> None:
    """Serve the cabinet until SIGTERM or Ctrl-C."""
    from waitress.server import create_server

    app = application(options)
    # A batch is one request: its body may be as large as the batch limit, plus the form's overhead.
    server = create_server(app, host=host, port=port, threads=threads,
                           max_request_body_size=options.max_batch_bytes + 16 * 2**20,
                           # Behind the README's nginx (on this machine): its X-Forwarded-Proto makes the
                           # request https (secure cookies, HSTS) and X-Forwarded-For the client's address
                           # (login throttling, audit log); the same headers from anyone else are dropped.
                           trusted_proxy="127.0.0.1" if options.https else None,
                           trusted_proxy_headers={"x-forwarded-proto", "x-forwarded-for"} if options.https else set(),
                           clear_untrusted_proxy_headers=True, ident="plagcheck")
    if ready:
        ready(f"http://{host}:{server.effective_port}/")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
