"""The dev extra carries llama-cpp-python[server]'s dependencies itself, never the package again."""

from __future__ import annotations

import tomllib
from importlib.metadata import requires

from packaging.requirements import Requirement

from assistant.config import PROJECT_ROOT


def _dev_extra() -> dict[str, Requirement]:
    data = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = [Requirement(r) for r in data["project"]["optional-dependencies"]["dev"]]
    return {r.name.lower().replace("_", "-"): r for r in reqs}


def test_dev_extra_has_every_dependency_of_the_server_extra() -> None:
    server = [
        Requirement(r.split(";")[0])
        for r in requires("llama_cpp_python") or []
        if "extra ==" in r and '"server"' in r.split(";", 1)[1]
    ]
    assert server, "llama-cpp-python's metadata lists no server extra"
    dev = _dev_extra()
    for req in server:
        name = req.name.lower().replace("_", "-")
        assert name in dev, f"{name} (llama-cpp-python[server]) missing from the dev extra"
        assert str(dev[name].specifier) == str(req.specifier), (name, dev[name].specifier, req.specifier)


def test_dev_extra_never_names_llama_cpp_python_itself() -> None:
    # The Makefile's --no-index wheel (built without AMX) is the only llama-cpp-python we install.
    assert "llama-cpp-python" not in _dev_extra()
