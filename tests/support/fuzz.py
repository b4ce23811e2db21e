"""The schemathesis run against a live app's /openapi.json: shared by tests/integration/
test_fuzz.py and `python -m tests.adversarial`.

Generated requests (valid and invalid, from examples, schema coverage and fuzzing) go to every
operation with the admin key, on a throwaway store, so writes are exercised too. No response may
be a 5xx, and each must match the schema: status codes, content types, headers and bodies;
undeclared methods get a 405 with Allow; without a key, routes refuse (reads are closed).
The server it runs against has no rate limits (`SETTINGS`): thousands of requests, and as many
deliberately wrong keys, come from one address.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.keys import ADMIN_KEY

ST = Path(sys.executable).parent / "st"
EXAMPLES_PER_OPERATION = 15
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "unsupported_method",
    "ignored_auth",
)
SETTINGS = {"open_read": False, "rate_limit_per_minute": 1_000_000, "auth_failures_per_minute": 0}
"""Settings overrides of the server under test (with the test keys)."""


@dataclass(frozen=True)
class FuzzRun:
    passed: bool
    output: str

    @property
    def summary(self) -> str:
        return self.output[self.output.find("SUMMARY") :]


def fuzz(base: str, workdir: Path) -> FuzzRun:
    """Run schemathesis against the app at `base`; its report directory is `workdir`."""
    done = subprocess.run(
        [
            str(ST),
            "run",
            f"{base}/openapi.json",
            "--header",
            f"Authorization: Bearer {ADMIN_KEY}",
            "--checks",
            ",".join(CHECKS),
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--seed",
            "7",
            "--workers",
            "1",  # hypothesis's lambda descriptions are not thread-safe (SystemError in ast)
            "--request-timeout",
            "120",
            "--no-shrink",
        ],
        cwd=workdir,  # its report directory and no configuration file from the repository
        capture_output=True,
        text=True,
        timeout=600,
    )
    return FuzzRun(done.returncode == 0, done.stdout)
