"""Which replay handler answers which AWS operation."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evals.replay.context import ReplayContext

Handler = Callable[["ReplayContext", dict[str, Any]], dict[str, Any]]

_HANDLERS: dict[tuple[str, str], Handler] = {}
_loaded = False

# Operations that only read. Everything else is refused before a handler is even looked up.
READ_PREFIXES = ("Describe", "Get", "List", "Lookup", "BatchGet", "Filter", "Download", "Search")
READ_OPERATIONS = {("logs", "StartQuery"), ("logs", "StopQuery")}


def is_read_only(service: str, operation: str) -> bool:
    return operation.startswith(READ_PREFIXES) or (service, operation) in READ_OPERATIONS


def operation(service: str, name: str) -> Callable[[Handler], Handler]:
    """Register `fn` as the replay of `service`'s `name` (botocore's service name and operation)."""

    if not is_read_only(service, name):
        raise RuntimeError(f"{service}:{name} is not a read operation; replay serves reads only")

    def register(fn: Handler) -> Handler:
        key = (service, name)
        if key in _HANDLERS and _HANDLERS[key] is not fn:
            raise RuntimeError(f"two replay handlers for {service}:{name}")
        _HANDLERS[key] = fn
        return fn

    return register


def handler_for(service: str, name: str) -> Handler | None:
    _load_services()
    return _HANDLERS.get((service, name))


def supported() -> list[tuple[str, str]]:
    _load_services()
    return sorted(_HANDLERS)


def _load_services() -> None:
    global _loaded
    if _loaded:
        return
    from evals.replay import services

    for info in pkgutil.iter_modules(services.__path__):
        importlib.import_module(f"{services.__name__}.{info.name}")
    _loaded = True
