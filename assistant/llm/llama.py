"""llama.cpp adapter. The only module that touches llama_cpp objects.

- threads default to the number of physical cores (hyper-threads slow llama.cpp down);
- the chat template comes from the GGUF's own metadata (llama-cpp-python reads
  `tokenizer.chat_template`), so any GGUF a user drops into models/ formats prompts correctly;
- llama-cpp-python reuses the KV cache for the longest common token prefix between calls.
  `warm()` evaluates the fixed system prompt once at load, so a question only pays for its own
  tokens: the system prefix is already in the cache.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.errors import ModelError
from assistant.llm.base import ChatMessage, GenOptions, warm_by_one_token
from assistant.models import gguf_problem


def physical_cores() -> int:
    try:
        pairs = set()
        phys = core = None
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("physical id"):
                    phys = line.split(":")[1].strip()
                elif line.startswith("core id"):
                    core = line.split(":")[1].strip()
                elif not line.strip():
                    if core is not None:
                        pairs.add((phys, core))
                    phys = core = None
        if pairs:
            return len(pairs)
    except OSError:
        pass
    return os.cpu_count() or 1


class LlamaLLM:
    def __init__(self, path: Path, *, n_ctx: int = 2048, threads: int = 0, seed: int = 42) -> None:
        problem = gguf_problem(path) if path.exists() else "missing"
        if problem == "missing":
            raise ModelError(f"model file {path} is missing: run `hearth models install`")
        if problem:
            raise ModelError(f"model file {path.name} is unusable: {problem}")
        try:
            from llama_cpp import Llama
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ModelError("llama-cpp-python is not installed: run `make run` or `make test`") from exc
        self.name = path.stem
        self.path = path
        self._fmt: Any = None
        n_threads = threads or physical_cores()
        try:
            self._llama: Any = Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                seed=seed,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"model file {path.name} could not be loaded: {exc}") from exc

    @property
    def metadata(self) -> dict[str, str]:
        return dict(getattr(self._llama, "metadata", {}) or {})

    def _formatter(self) -> Any:
        if self._fmt is None:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            template = self.metadata.get("tokenizer.chat_template")
            if not template:
                raise ModelError(f"model {self.name} has no chat template in its GGUF metadata")
            model = self._llama._model
            self._fmt = Jinja2ChatFormatter(
                template=template,
                eos_token=model.token_get_text(self._llama.token_eos()),
                bos_token=model.token_get_text(self._llama.token_bos()),
            )
        return self._fmt

    def stream(self, messages: list[ChatMessage], options: GenOptions) -> Iterator[str]:
        sampling = {
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
            "seed": options.seed,
            "stop": list(options.stop) or None,
            "stream": True,
        }
        if options.prefix:
            prompt = self._formatter()(messages=list(messages)).prompt + options.prefix
            for chunk in self._llama.create_completion(prompt, **sampling):
                if text := chunk["choices"][0].get("text"):
                    yield text
            return
        for chunk in self._llama.create_chat_completion(messages=list(messages), **sampling):
            if piece := chunk["choices"][0].get("delta", {}).get("content"):
                yield piece

    def warm(self, system_prompt: str) -> None:
        # One token of generation after the system block leaves that block's tokens in the KV
        # cache; the next prompt with the same prefix starts from there.
        warm_by_one_token(self, system_prompt)

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False))
