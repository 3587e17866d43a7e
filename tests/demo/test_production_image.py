"""Production images leave the demo out: nothing else needs it; `load-demo` says why it fails."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter in which app.demo cannot be imported, as in the image.
_WITHOUT_DEMO = """
import sys

class _NoDemo:
    def find_spec(self, name, path=None, target=None):
        if name == "app.demo" or name.startswith("app.demo."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoDemo())
import app.main
import indexer.__main__
from typer.testing import CliRunner
from app.cli import cli

result = CliRunner().invoke(cli, ["load-demo"])
print(result.exit_code)
print(result.output)
"""


def test_build_context_leaves_the_demo_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "app/demo" in ignored


def test_the_service_runs_without_the_demo_and_load_demo_says_so() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_DEMO], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    exit_code, output = done.stdout.split("\n", 1)
    assert exit_code == "2"
    assert "no demo catalogue" in output
