"""The setup self-test: load the chat model and generate a few tokens in a child process.

A llama.cpp build that does not suit the CPU (ggml's AMX kernels on virtualised Xeons,
llama.cpp #20824; a -march=native wheel copied to an older CPU) does not raise: it kills the
process at the first token. Running the first generation in a child turns that into one clear
line and a non-zero exit, instead of a segfault in the middle of the app or the test suite.

Run as `python -m assistant.selftest MODEL_PATH` it is the child itself.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import CheckFailed

REBUILD_HINT = "make rebuild-llama"
TIMEOUT_S = 180


@dataclass(frozen=True)
class SelfTestResult:
    ok: bool
    detail: str


def child_argv(model_path: Path) -> list[str]:
    return [sys.executable, "-m", "assistant.selftest", str(model_path)]


def run_child(argv: list[str], timeout: float = TIMEOUT_S) -> SelfTestResult:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return SelfTestResult(False, f"the chat model did not answer within {timeout:.0f} s")
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = f"signal {-proc.returncode}"
        return SelfTestResult(
            False,
            f"the llama.cpp build crashes on this CPU ({name} at the first token); rebuild it with `{REBUILD_HINT}`",
        )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return SelfTestResult(False, f"the chat model failed its self-test: {last}")
    return SelfTestResult(True, proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "ok")


def check_llama(model_path: Path, argv: list[str] | None = None) -> str:
    """Raise CheckFailed (one line) unless the model loads and generates in a child process."""
    result = run_child(argv or child_argv(model_path))
    if not result.ok:
        raise CheckFailed(result.detail)
    return result.detail


def _child(model_path: str) -> int:
    import assistant.offline

    assistant.offline.install_guard()
    from assistant.llm.base import GenOptions
    from assistant.llm.llama import LlamaLLM

    llm = LlamaLLM(Path(model_path), n_ctx=256)
    text = "".join(llm.stream([{"role": "user", "content": "Say hello."}], GenOptions(max_tokens=4)))
    print(f"generated {len(text)} characters")
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1]))
