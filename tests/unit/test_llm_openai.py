"""The OpenAI-compatible backend: what it sends, how it reads a stream, one line per failure."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from assistant.errors import ModelError
from assistant.llm.base import GenOptions, complete
from assistant.llm.endpoint import Endpoint
from assistant.llm.openai import OpenAILLM

EP = Endpoint(base_url="http://127.0.0.1:8080/v1", scheme="http", host="127.0.0.1", port=8080, address="127.0.0.1")
MESSAGES = [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Hi"}]


def sse(*pieces: str, done: bool = True) -> bytes:
    events = [{"choices": [{"delta": {"role": "assistant"}}]}]
    events += [{"choices": [{"delta": {"content": p}}]} for p in pieces]
    out = "".join(f"data: {json.dumps(e)}\n\n" for e in events)
    return (out + ("data: [DONE]\n\n" if done else "")).encode()


class Server:
    """Answers like an OpenAI-compatible server; `chat` decides the reply to a completion."""

    def __init__(self, models: list[str] | None = None, chat: Callable[[dict], httpx.Response] | None = None) -> None:
        self.models = ["first-model", "second-model"] if models is None else models
        self.chat = chat or (lambda body: httpx.Response(200, content=sse("Hello", " there", ".")))
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if request.url.path == "/v1/models":
            return httpx.Response(200, json={"object": "list", "data": [{"id": m} for m in self.models]})
        if request.url.path == "/v1/chat/completions":
            return self.chat(json.loads(request.content))
        return httpx.Response(404, json={"detail": "Not Found"})

    def llm(self, **kwargs) -> OpenAILLM:  # type: ignore[no-untyped-def]
        return OpenAILLM(EP, transport=httpx.MockTransport(self), **kwargs)


def test_default_model_is_the_first_the_server_lists() -> None:
    llm = Server().llm()
    assert llm.model == llm.name == "first-model"
    assert llm.models == ["first-model", "second-model"]


def test_named_model_is_used_when_listed() -> None:
    server = Server()
    llm = server.llm(model="second-model")
    complete(llm, MESSAGES, GenOptions())  # type: ignore[arg-type]
    assert json.loads(server.seen[-1].content)["model"] == "second-model"


def test_unknown_model_is_one_line_naming_what_the_server_has() -> None:
    with pytest.raises(ModelError) as err:
        Server().llm(model="gpt-4")
    assert str(err.value) == (
        "LLM server at http://127.0.0.1:8080/v1 has no model 'gpt-4' (it has: first-model, second-model)"
    )


def test_a_server_listing_no_models_is_refused() -> None:
    with pytest.raises(ModelError, match="lists no models"):
        Server(models=[]).llm()


def test_stream_yields_the_pieces_in_order() -> None:
    pieces = list(Server().llm().stream(MESSAGES, GenOptions()))  # type: ignore[arg-type]
    assert pieces == ["Hello", " there", "."]


def test_request_carries_options_key_and_stream_flag() -> None:
    server = Server()
    llm = server.llm(api_key="s3cret")
    complete(llm, MESSAGES, GenOptions(max_tokens=7, temperature=0.0, seed=3, stop=("\n",)))  # type: ignore[arg-type]
    req = server.seen[-1]
    body = json.loads(req.content)
    assert req.headers["authorization"] == "Bearer s3cret"
    assert body["stream"] is True and body["max_tokens"] == 7 and body["seed"] == 3 and body["stop"] == ["\n"]
    assert body["messages"] == MESSAGES
    assert all(r.headers["authorization"] == "Bearer s3cret" for r in server.seen)


def test_no_authorization_header_without_a_key() -> None:
    server = Server()
    complete(server.llm(), MESSAGES, GenOptions())  # type: ignore[arg-type]
    assert all("authorization" not in r.headers for r in server.seen)


def test_prefix_is_sent_as_a_prefill_the_server_continues() -> None:
    server = Server(chat=lambda body: httpx.Response(200, content=sse(" you", " are", " tired.")))
    out = complete(server.llm(), MESSAGES, GenOptions(prefix="It sounds like"))  # type: ignore[arg-type]
    body = json.loads(server.seen[-1].content)
    assert body["messages"][-1] == {"role": "assistant", "content": "It sounds like"}
    assert body["continue_final_message"] is True and body["add_generation_prompt"] is False
    assert out == " you are tired."


@pytest.mark.parametrize(
    "pieces",
    [
        ("It sounds like", " you are tired."),
        ("It", " sounds", " like you", " are tired."),
        ("It sounds like you are tired.",),
    ],
)
def test_a_server_that_restates_the_prefix_yields_the_continuation_only(pieces: tuple[str, ...]) -> None:
    server = Server(chat=lambda body: httpx.Response(200, content=sse(*pieces)))
    out = complete(server.llm(), MESSAGES, GenOptions(prefix="It sounds like"))  # type: ignore[arg-type]
    assert out == " you are tired."


def test_a_fresh_reply_that_only_starts_like_the_prefix_is_kept_whole() -> None:
    server = Server(chat=lambda body: httpx.Response(200, content=sse("It", "'s hard.")))
    out = complete(server.llm(), MESSAGES, GenOptions(prefix="It sounds like"))  # type: ignore[arg-type]
    assert out == "It's hard."


def test_refused_key_is_one_line() -> None:
    def deny(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"detail": "Invalid API key"})

    with pytest.raises(ModelError) as err:
        OpenAILLM(EP, api_key="wrong", transport=httpx.MockTransport(deny))
    assert str(err.value) == (
        "LLM server at http://127.0.0.1:8080/v1 refused the API key (HTTP 401): check HEARTH_LLM_API_KEY"
    )


def test_wrong_path_hints_at_v1() -> None:
    ep = Endpoint(base_url="http://127.0.0.1:8080", scheme="http", host="127.0.0.1", port=8080, address="127.0.0.1")
    with pytest.raises(ModelError, match="usually ends in /v1"):
        OpenAILLM(ep, transport=httpx.MockTransport(Server()))


def test_a_model_the_server_refuses_at_generation_is_one_line() -> None:
    # vLLM lists models but answers 404 for one it does not serve.
    server = Server(chat=lambda body: httpx.Response(404, json={"error": {"message": "The model `x` does not exist."}}))
    with pytest.raises(ModelError) as err:
        complete(server.llm(), MESSAGES, GenOptions())  # type: ignore[arg-type]
    assert "has no model 'first-model' (The model `x` does not exist.)" in str(err.value)


def test_error_in_the_middle_of_a_stream_is_one_line() -> None:
    body = sse("Hel", done=False) + b'data: {"error": {"message": "out of\\nmemory"}}\n\n'
    server = Server(chat=lambda b: httpx.Response(200, content=body))
    got: list[str] = []
    with pytest.raises(ModelError, match="failed mid-answer: out of memory"):
        for piece in server.llm().stream(MESSAGES, GenOptions()):  # type: ignore[arg-type]
            got.append(piece)
    assert got == ["Hel"]


def test_server_error_status_is_one_line() -> None:
    server = Server(chat=lambda b: httpx.Response(500, text="boom\ntraceback..."))
    with pytest.raises(ModelError) as err:
        complete(server.llm(), MESSAGES, GenOptions())  # type: ignore[arg-type]
    assert str(err.value) == (
        "LLM server at http://127.0.0.1:8080/v1 answered HTTP 500 to chat/completions: boom traceback..."
    )


def test_redirects_are_not_followed() -> None:
    seen: list[str] = []

    def redirect(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"location": "https://elsewhere.example/v1/models"})

    with pytest.raises(ModelError, match="redirected to https://elsewhere.example/v1/models; not followed"):
        OpenAILLM(EP, transport=httpx.MockTransport(redirect))
    assert seen == ["http://127.0.0.1:8080/v1/models"]


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), "is not reachable ([Errno 111] Connection refused)"),
        (httpx.ReadTimeout("timed out"), "did not answer within 5 s (HEARTH_LLM_TIMEOUT)"),
    ],
)
def test_transport_failures_are_one_line(exc: Exception, words: str) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise exc

    with pytest.raises(ModelError) as err:
        OpenAILLM(EP, timeout=5, transport=httpx.MockTransport(fail))
    assert words in str(err.value)


def test_missing_ca_file_is_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ModelError, match="HEARTH_LLM_CA_FILE .* does not exist"):
        OpenAILLM(EP, ca_file=tmp_path / "nope.pem")
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate\n")
    with pytest.raises(ModelError, match="is not a PEM certificate"):
        OpenAILLM(EP, ca_file=bad)
