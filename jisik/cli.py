"""The ``jisik`` command: ``up``, ``serve <service>``, ``probe``, ``migrate`` and ``tenant ...``.

This is the process edge: it alone configures logging and tracing, reads the settings, and turns
bad settings, busy ports and missing services into one clear line instead of a stack trace.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import importlib
import logging
import os
import signal
import sys
import tomllib
from collections.abc import Callable, Coroutine, Sequence
from types import FrameType, ModuleType
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from jisik.errors import InvalidInput
from jisik.settings import Settings, get_settings

if TYPE_CHECKING:
    from jisik.runtime.bootstrap import FirstAdmin

__all__ = ["main"]

logger = logging.getLogger("jisik")

EXIT_USAGE = 2
EXIT_MISSING = 3


class _Terminated(Exception):
    """SIGTERM arrived."""


class _CliError(Exception):
    """A failure reported as one line, with an exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _configure_logging(level: str) -> None:
    from jisik.log_context import configure_logging

    configure_logging(level)


def _settings_error(exc: ValidationError) -> str:
    from jisik.runtime.settings_catalog import env_name_for_error

    errors = exc.errors(include_input=False, include_url=False)
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"invalid setting {env_name_for_error(exc.title, tuple(first['loc']))}: {message}{more}"


def _load_settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        raise _CliError(_settings_error(exc), EXIT_USAGE) from None
    except FileNotFoundError as exc:
        raise _CliError(str(exc), EXIT_USAGE) from None
    except tomllib.TOMLDecodeError as exc:
        raise _CliError(f"JISIK_CONFIG: the config file is not valid TOML: {exc}", EXIT_USAGE) from None


# -- jisik serve ---------------------------------------------------------------------------------


def _import_service(name: str, module_name: str) -> ModuleType:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing and (module_name == missing or module_name.startswith(missing + ".")):
            raise _CliError(
                f"the {name} service is not available: module {module_name} does not exist yet", EXIT_MISSING
            ) from None
        raise


def _check_port_free(name: str, host: str, port: int, setting: str) -> None:
    from jisik.runtime.ports import port_is_free

    bind_host = {"": "127.0.0.1", "localhost": "127.0.0.1", "::": "0.0.0.0", "[::]": "0.0.0.0"}.get(host, host)
    if not port_is_free(port, bind_host):
        raise _CliError(f"{name}: port {port} is already in use: set {setting} or pass --port to a free port")


def _serve_metrics(name: str, settings: Settings) -> None:
    """Start the service's metrics endpoint when it has a metrics port."""
    from jisik.metrics import pause_recording, serve_metrics
    from jisik.runtime.settings_catalog import env_name

    if not settings.metrics.record:
        pause_recording()
        logger.info("%s records no metrics (JISIK_METRICS_RECORD=false)", name)
    port = settings.metrics.port_for(name)
    if not port:
        return
    try:
        serve_metrics(settings.endpoints.bind_host, port)
    except OSError as exc:
        setting = env_name(type(settings.metrics), f"{name}_port")
        raise _CliError(f"{name}: cannot serve metrics on port {port} ({exc.strerror}): set {setting}") from None
    logger.info("%s metrics at http://%s:%d/metrics", name, settings.endpoints.bind_host, port)


def _serve(args: argparse.Namespace) -> int:
    from jisik.runtime.services import service
    from jisik.runtime.settings_catalog import env_name
    from jisik.telemetry import configure_tracing

    settings = _load_settings()
    _configure_logging(settings.telemetry.log_level)
    spec = service(args.service)
    if spec.probe != "process":
        endpoint = spec.endpoint(settings)
        assert endpoint is not None  # every service but the workers listens
        port = endpoint.port
        setting = "JISIK_GATEWAY_PORT" if spec.probe == "http" else env_name(
            type(settings.endpoints), spec.address_setting
        )
        _check_port_free(spec.name, settings.endpoints.bind_host, args.port or port, setting)
    configure_tracing(f"jisik-{spec.name}", settings.telemetry)
    _serve_metrics(spec.name, settings)
    if args.exit_with_parent:
        from jisik.runtime.processes import exit_with_parent

        exit_with_parent(args.exit_with_parent)
    module = _import_service(spec.name, spec.module)
    run: Callable[..., Coroutine[Any, Any, object]] | None = getattr(module, "run", None)
    if run is None:
        raise _CliError(f"{spec.module} has no `async def run(settings, *, port=None)`", EXIT_MISSING)
    logger.info("serving %s", spec.name)
    try:
        asyncio.run(run(settings, port=args.port))
    except KeyboardInterrupt:
        return 0
    except InvalidInput as exc:  # a setting that makes serving unsafe, e.g. no service token
        raise _CliError(f"{spec.name}: {exc.message}", EXIT_USAGE) from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE or "cannot bind" in str(exc):
            raise _CliError(f"{spec.name}: {exc}") from None
        raise
    return 0


# -- jisik up ------------------------------------------------------------------------------------


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


def _print_sign_in(admin: FirstAdmin | None) -> None:
    if admin is None:
        return
    if admin.one_time_password:
        print(f"Sign in: {admin.email} with the one-time password {admin.one_time_password}"
              "  (you choose your own at first sign-in)", flush=True)
    else:
        print(f"Sign in: {admin.email} with the password you chose", flush=True)


def _up(args: argparse.Namespace) -> int:
    from jisik.runtime.supervisor import Stack, StackError

    settings = _load_settings()
    _configure_logging(settings.telemetry.log_level)
    stack = Stack(settings, base_env=os.environ)
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        try:
            stack.start()
        except StackError as exc:
            raise _CliError(f"up failed: {exc}") from None
        print(f"jisik is ready at {stack.gateway_url}", flush=True)
        _print_sign_in(stack.first_admin)
        print(f"API key: {stack.api_key}  (for scripts; kept in {stack.key_file})", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        try:
            stack.supervise()
        except StackError as exc:
            print(f"jisik: {exc}\nstopping the other services", file=sys.stderr, flush=True)
            return 1
    except (KeyboardInterrupt, _Terminated):
        print("stopping jisik ...", file=sys.stderr, flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


# -- jisik probe ---------------------------------------------------------------------------------


def _probe(args: argparse.Namespace) -> int:
    """Exit 0 when one service answers its readiness probe (container health checks use this)."""
    from jisik.runtime.probes import grpc_serving, http_ready
    from jisik.runtime.services import service

    settings = _load_settings()
    spec = service(args.service)
    if spec.probe == "grpc":
        ok = grpc_serving(spec.address(settings), timeout_s=args.timeout)
    elif spec.probe == "http":
        ok = http_ready(f"http://127.0.0.1:{settings.endpoints.gateway_port}/ready", timeout_s=args.timeout)
    else:
        raise _CliError(f"{spec.name} has no network endpoint to probe", EXIT_USAGE)
    if not ok:
        raise _CliError(f"{spec.name} is not ready")
    return 0


# -- jisik migrate / tenant ------------------------------------------------------------------------


def _migrate(args: argparse.Namespace) -> int:
    from jisik.runtime.bootstrap import migrate

    settings = _load_settings()
    _configure_logging(settings.telemetry.log_level)
    try:
        migrate(settings.database.dsn, encryption_key=settings.endpoints.encryption_key.get_secret_value())
    except OSError as exc:
        raise _CliError(f"cannot reach PostgreSQL (set JISIK_DB_URL or run `jisik up`): {exc}") from None
    print("database is at the newest schema revision")
    return 0


def _tenant_create(args: argparse.Namespace) -> int:
    from jisik.runtime.bootstrap import new_tenant

    settings = _load_settings()
    name = args.name.strip()
    if not name or len(name) > 255:
        raise _CliError("tenant name must be 1 to 255 characters", EXIT_USAGE)
    try:
        tenant_id, key = asyncio.run(new_tenant(settings.database.dsn, name))
    except OSError as exc:
        raise _CliError(f"cannot reach PostgreSQL (set JISIK_DB_URL or run `jisik up`): {exc}") from None
    print(f"tenant {name!r} created with id {tenant_id}")
    print(f"API key (shown only now): {key}")
    return 0


def _tenant_key(args: argparse.Namespace) -> int:
    from jisik.errors import NotFound
    from jisik.runtime.bootstrap import replace_tenant_key

    settings = _load_settings()
    revoke = args.action == "revoke-key"
    try:
        key = asyncio.run(replace_tenant_key(settings.database.dsn, args.tenant_id, revoke=revoke))
    except NotFound as exc:
        raise _CliError(exc.message, EXIT_USAGE) from None
    except OSError as exc:
        raise _CliError(f"cannot reach PostgreSQL (set JISIK_DB_URL or run `jisik up`): {exc}") from None
    if revoke:
        print(f"the API key of tenant {args.tenant_id} is revoked; `jisik tenant rotate-key` issues a new one")
    else:
        print(f"new API key of tenant {args.tenant_id} (shown only now; the old key no longer works): {key}")
    return 0


def _port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"{text} is not a TCP port (1-65535)")
    return value


def _parser() -> argparse.ArgumentParser:
    from jisik.runtime.services import SERVICES

    parser = argparse.ArgumentParser(prog="jisik", description="jisik: a self-hosted RAG platform")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="run the whole platform on embedded defaults").set_defaults(func=_up)
    serve = commands.add_parser("serve", help="run one service")
    serve.add_argument("service", choices=[spec.name for spec in SERVICES])
    serve.add_argument("--port", type=_port, default=None, help="listen on this port instead of the configured one")
    serve.add_argument("--exit-with-parent", type=int, default=0, metavar="PID", help=argparse.SUPPRESS)
    serve.set_defaults(func=_serve)
    probe = commands.add_parser("probe", help="exit 0 when a service is ready (for health checks)")
    probe.add_argument("service", choices=[spec.name for spec in SERVICES if spec.probe != "process"])
    probe.add_argument("--timeout", type=float, default=3.0)
    probe.set_defaults(func=_probe)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(func=_migrate)
    tenant = commands.add_parser("tenant", help="manage tenants").add_subparsers(dest="action", required=True)
    create = tenant.add_parser("create", help="create a tenant and print its API key once")
    create.add_argument("name")
    create.set_defaults(func=_tenant_create)
    for action, text in (
        ("rotate-key", "replace a tenant's API key and print the new one once"),
        ("revoke-key", "make a tenant's API key stop working"),
    ):
        command = tenant.add_parser(action, help=text)
        command.add_argument("tenant_id")
        command.set_defaults(func=_tenant_key)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except _CliError as exc:
        print(f"jisik: {exc}", file=sys.stderr, flush=True)
        return exc.code
