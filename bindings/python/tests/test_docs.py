"""Every public name has a docstring; the package is typed."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

import crypto_sessions

MODULES = [
    "crypto_sessions",
    "crypto_sessions.errors",
    "crypto_sessions.flask",
    "crypto_sessions.fastapi",
    "crypto_sessions.asgi",
    "crypto_sessions.client",
    "crypto_sessions.requests",
]


def public_members(obj: type) -> list[str]:
    return [
        name
        for name, _ in inspect.getmembers(obj)
        if not name.startswith("_") and name in vars(obj) and not isinstance(vars(obj)[name], (int, str))
    ]


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_name_is_documented(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert (module.__doc__ or "").strip(), module_name
    missing = []
    for name in module.__all__:
        obj = getattr(module, name)
        if not (inspect.isclass(obj) or callable(obj)):
            continue  # constants
        if not (obj.__doc__ or "").strip():
            missing.append(name)
        if inspect.isclass(obj) and obj.__module__.startswith("crypto_sessions"):
            for member in public_members(obj):
                if not (getattr(obj, member).__doc__ or "").strip():
                    missing.append(f"{name}.{member}")
    assert not missing, f"{module_name}: undocumented {missing}"


def test_typed_markers_ship_with_the_package() -> None:
    package = Path(crypto_sessions.__file__).parent
    assert (package / "py.typed").is_file()
    assert (package / "_native.pyi").is_file()
