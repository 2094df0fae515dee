"""`hearth doctor` with the openai backend names the server, its model and the one allowed address."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant import offline
from assistant.config import Settings
from assistant.doctor import check_server
from tests.unit.openai_stub import Stub


@pytest.fixture(autouse=True)
def _close_the_hole() -> Iterator[None]:
    yield
    offline.forget_server()


def test_doctor_reports_the_server_and_what_the_guard_allows(home) -> None:  # type: ignore[no-untyped-def]
    with Stub() as stub:
        url = f"http://127.0.0.1:{stub.port}/v1"
        check = check_server(Settings(home=home, llm_backend="openai", llm_url=url))
    assert check.status == "ok"
    assert check.detail == f"{url}: model stub-model; the egress guard allows only 127.0.0.1 port {stub.port}"


def test_doctor_fails_a_refused_url_with_its_one_line(home) -> None:  # type: ignore[no-untyped-def]
    check = check_server(Settings(home=home, llm_backend="openai", llm_url="http://203.0.113.5/v1"))
    assert check.status == "fail" and check.detail.startswith("refusing plain http to 203.0.113.5")
