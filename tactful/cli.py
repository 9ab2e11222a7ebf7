"""The ``tactful`` command: every command of ``scheduler.cli``, plus the two that
run the web app, ``serve`` (web and worker in one process) and ``web`` (the web app
alone, the development server)."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence

from scheduler import cli, clock
from scheduler.config import DEMO_CONFIG, Settings, load_settings
from web import create_app


def cmd_web(settings: Settings, args: argparse.Namespace) -> int:
    flask_app = create_app(cli.build_app(settings))
    flask_app.run(host=args.host or settings.web_host, port=args.port or settings.web_port)
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from werkzeug.serving import make_server

    from scheduler import demo

    demo_feed = None
    demo_file = settings.data_dir / DEMO_CONFIG
    if args.demo:
        # The demo's configuration is derived afresh from the user's each start,
        # and written beside its data for every other command to read.
        demo_file.unlink(missing_ok=True)
        base = load_settings(args.config)
        demo_feed = demo.DemoFeed(clock.now(), base.demo.tragedy_after_seconds)
        demo_feed.start()
        demo.write_demo_config(base, demo_feed.url)
        settings = load_settings(args.config)
    elif demo_file.is_file():
        print(
            f"note: {settings.data_dir} holds the demo's data and configuration "
            f"({demo_file}); `tactful serve --demo` continues the demo, removing "
            f"{settings.data_dir} starts afresh",
            file=sys.stderr,
        )
    if not settings.is_sqlite:
        print(
            "note: serve runs web and worker in one process; for PostgreSQL in "
            "production run `tactful worker` and the web under gunicorn",
            file=sys.stderr,
        )
    app = cli.start_app(settings)
    if args.demo:
        login = demo.seed(app)
        print(login, flush=True)
    worker = cli.make_worker(app)
    scheduler = worker.start_background()
    host = args.host or settings.web_host
    port = settings.web_port if args.port is None else args.port

    def _stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # leave the web server's loop; finally stops the worker

    signal.signal(signal.SIGTERM, _stop)
    server = None
    try:
        flask_app = create_app(app)
        server = make_server(host, port, flask_app, threaded=True)
        # The port actually bound (``--port 0`` asks for any free one).
        print(f"tactful is running at http://{host}:{server.port}/ (Ctrl+C to stop)", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopping: finishing in-flight work", file=sys.stderr)
    finally:
        if server is not None:
            server.server_close()
        worker.shutdown(scheduler)
        app.close()
        if demo_feed is not None:
            demo_feed.stop()
    return 0


def add_web_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for name, func, summary in (
        ("serve", cmd_serve, "web and worker in one process"),
        ("web", cmd_web, "the web app alone (development server)"),
    ):
        p = sub.add_parser(name, help=summary)
        p.add_argument("--host")
        p.add_argument("--port", type=int)
        if name == "serve":
            p.add_argument(
                "--demo", action="store_true", help="add a demo user, channels and posts"
            )
        p.set_defaults(func=func)


def build_parser() -> argparse.ArgumentParser:
    return cli.build_parser(add_web_commands)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, extend=add_web_commands)


if __name__ == "__main__":
    sys.exit(main())
