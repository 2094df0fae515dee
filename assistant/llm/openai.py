"""Any OpenAI-compatible server (llama.cpp's llama-server, vLLM, llama_cpp.server) behind the
LLM protocol, over httpx.

The client reaches the one configured server and nothing else: no proxies or netrc from the
environment (`trust_env=False`), no redirects (a 3xx is an error, not a new destination), no
retries, no telemetry (httpx has none; the `openai` package would add platform headers). The
egress guard enforces the same from below (see assistant/llm/endpoint.py and offline.py).

A server problem becomes one ModelError line naming what to fix: not reachable, a refused key,
a model the server does not have, a timeout.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import certifi
import httpx

from assistant.errors import ModelError
from assistant.llm.base import ChatMessage, GenOptions, warm_by_one_token
from assistant.llm.endpoint import Endpoint


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _drop_repeated(pieces: Iterator[str], prefix: str) -> Iterator[str]:
    """The stream without a leading copy of `prefix` (a server that restates the prefill)."""
    held = ""
    deciding = bool(prefix)
    for piece in pieces:
        if deciding:
            held += piece
            if prefix.startswith(held):
                continue  # still inside the prefix: wait for more
            deciding = False
            piece = held[len(prefix) :] if held.startswith(prefix) else held
            if not piece:
                continue
        yield piece
    if deciding and held and held != prefix:
        yield held  # a short reply that is only the beginning of the prefix: keep it


def _server_message(resp: httpx.Response) -> str:
    try:
        raw = resp.read()
    except httpx.HTTPError:
        return ""
    try:
        body = json.loads(raw)
    except ValueError:
        return _one_line(raw.decode("utf-8", "replace"))
    err = body.get("error", body.get("detail", body)) if isinstance(body, dict) else body
    if isinstance(err, dict):
        err = err.get("message", err)
    return _one_line(str(err))


class OpenAILLM:
    def __init__(
        self,
        endpoint: Endpoint,
        *,
        model: str = "",
        api_key: str | None = None,
        timeout: float = 60.0,
        ca_file: Path | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        if transport is None:
            transport = httpx.HTTPTransport(verify=self._tls(ca_file), retries=0, trust_env=False)
        self._client = httpx.Client(
            base_url=endpoint.base_url + "/",
            headers=headers,
            # The server may take long for the first token of a big model; connecting should not.
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport,
            trust_env=False,
            follow_redirects=False,
        )
        self.models = self._list_models()
        if model and model not in self.models:
            raise ModelError(
                f"LLM server at {endpoint.base_url} has no model {model!r} (it has: {', '.join(self.models) or 'none'})"
            )
        if not model and not self.models:
            raise ModelError(f"LLM server at {endpoint.base_url} lists no models at /models")
        self.model = model or self.models[0]
        self.name = self.model

    @staticmethod
    def _tls(ca_file: Path | None) -> ssl.SSLContext:
        if ca_file is None:
            # The public CAs httpx itself trusts, and nothing from SSL_CERT_FILE/SSL_CERT_DIR:
            # a clinic's own CA is named once, in HEARTH_LLM_CA_FILE.
            return ssl.create_default_context(cafile=certifi.where())
        if not ca_file.is_file():
            raise ModelError(f"HEARTH_LLM_CA_FILE {ca_file} does not exist")
        try:
            return ssl.create_default_context(cafile=str(ca_file))
        except ssl.SSLError as exc:
            raise ModelError(f"HEARTH_LLM_CA_FILE {ca_file} is not a PEM certificate ({exc.reason})") from exc

    def close(self) -> None:
        self._client.close()

    # -- talking to the server -------------------------------------------------------------------

    def _problem(self, exc: httpx.HTTPError) -> ModelError:
        url = self.endpoint.base_url
        if isinstance(exc, httpx.TimeoutException):
            return ModelError(f"LLM server at {url} did not answer within {self.timeout:g} s (HEARTH_LLM_TIMEOUT)")
        cause = exc.__context__ or exc.__cause__
        if isinstance(cause, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return ModelError(
                f"LLM server at {url}: TLS certificate not trusted; set HEARTH_LLM_CA_FILE to the CA that signed it"
            )
        if isinstance(exc, httpx.ConnectError):
            return ModelError(f"LLM server at {url} is not reachable ({_one_line(str(exc), 80)}): is it running?")
        return ModelError(f"LLM server at {url} failed: {_one_line(str(exc) or type(exc).__name__)}")

    def _status_problem(self, resp: httpx.Response, what: str) -> ModelError:
        url = self.endpoint.base_url
        msg = _server_message(resp)
        code = resp.status_code
        if code in (401, 403):
            return ModelError(f"LLM server at {url} refused the API key (HTTP {code}): check HEARTH_LLM_API_KEY")
        if code == 404 and what == "models":
            return ModelError(f"no OpenAI-compatible API at {url} (HTTP 404 for /models): the URL usually ends in /v1")
        if code == 404 or (code in (400, 422) and "model" in msg.lower()):
            return ModelError(f"LLM server at {url} has no model {self.model!r} ({msg or f'HTTP {code}'})")
        if 300 <= code < 400:
            return ModelError(f"LLM server at {url} redirected to {resp.headers.get('location', '?')}; not followed")
        return ModelError(f"LLM server at {url} answered HTTP {code} to {what}: {msg}")

    def _list_models(self) -> list[str]:
        try:
            resp = self._client.get("models")
        except httpx.HTTPError as exc:
            raise self._problem(exc) from exc
        if resp.status_code != 200:
            raise self._status_problem(resp, "models")
        try:
            return [str(m["id"]) for m in resp.json().get("data", [])]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ModelError(f"LLM server at {self.endpoint.base_url}: /models is not an OpenAI model list") from exc

    def _body(self, messages: list[ChatMessage], options: GenOptions) -> dict[str, Any]:
        msgs = [{"role": m["role"], "content": m["content"]} for m in messages]
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
            "seed": options.seed,
            "stream": True,
        }
        if options.stop:
            body["stop"] = list(options.stop)
        if options.prefix:
            # Prefill: a final assistant message the server continues. llama-server does so by
            # itself; vLLM needs the two flags below; servers that ignore both start a new reply,
            # which the coach's reflection check then rejects like any other bad sentence.
            msgs.append({"role": "assistant", "content": options.prefix})
            body["continue_final_message"] = True
            body["add_generation_prompt"] = False
        body["messages"] = msgs
        return body

    def stream(self, messages: list[ChatMessage], options: GenOptions) -> Iterator[str]:
        body = self._body(messages, options)
        try:
            with self._client.stream("POST", "chat/completions", json=body) as resp:
                if resp.status_code != 200:
                    raise self._status_problem(resp, "chat/completions")
                yield from _drop_repeated(self._pieces(resp), options.prefix)
        except httpx.HTTPError as exc:
            raise self._problem(exc) from exc

    def _pieces(self, resp: httpx.Response) -> Iterator[str]:
        """The `content` deltas of a server-sent event stream, up to `data: [DONE]`."""
        for line in resp.iter_lines():
            if not line.startswith("data:"):
                continue  # blank separators, comments, `event:` lines
            data = line[5:].strip()
            if data == "[DONE]":
                return
            try:
                chunk = json.loads(data)
            except ValueError as exc:
                raise ModelError(f"LLM server at {self.endpoint.base_url} sent a malformed stream") from exc
            if "error" in chunk:
                err = chunk["error"]
                msg = err.get("message", err) if isinstance(err, dict) else err
                raise ModelError(f"LLM server at {self.endpoint.base_url} failed mid-answer: {_one_line(str(msg))}")
            for choice in chunk.get("choices") or []:
                if content := (choice.get("delta") or {}).get("content"):
                    yield content

    def warm(self, system_prompt: str) -> None:
        # One token after the system block: servers with a prompt cache (llama-server, vLLM's
        # prefix caching) keep that block, so questions need not pay for it.
        warm_by_one_token(self, system_prompt)
