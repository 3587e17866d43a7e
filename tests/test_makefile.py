"""`make` finds a Python that starts (newest of 3.13, 3.12, 3.11) and rebuilds a .venv made
by another version, or whose interpreter is gone, instead of reusing it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"


def _project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    return tmp_path


def _make(cwd: Path, *args: str, path: str | None = None) -> str:
    args = (*args, "VENV_OPTIONS=--without-pip")
    env = dict(os.environ, PATH=path or os.environ["PATH"])
    # Run as from a shell, also when the suite itself runs under `make VENV=… PYTHON=…`.
    for name in ("PYTHON", "VENV", "VENV_OPTIONS", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(name, None)
    done = subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _fake_python(where: Path, name: str, *, works: bool) -> None:
    script = where / name
    if works:
        script.symlink_to(sys.executable)
        return
    # What a version manager's shim does for a version that is not selected.
    script.write_text(f"#!/bin/sh\necho 'pyenv: {name}: command not found' >&2\nexit 127\n")
    script.chmod(0o755)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_a_venv_of_another_version_is_rebuilt(tmp_path: Path) -> None:
    project = _project(tmp_path)
    fake = project / ".venv" / "bin"
    fake.mkdir(parents=True)
    (fake / "python").write_text("#!/bin/sh\necho 3.9\n")
    (fake / "python").chmod(0o755)
    (project / ".venv" / "left-over").write_text("from a failed set-up")
    output = _make(project, "venv", f"PYTHON={sys.executable}")
    assert f"making .venv with Python {VERSION}" in output
    assert "instead of 3.9" in output
    assert not (project / ".venv" / "left-over").exists()
    rebuilt = subprocess.run(
        [str(fake / "python"), "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert rebuilt.stdout.strip() == str(sys.version_info[:2])
    # The right version is kept as it is.
    (project / ".venv" / "kept").write_text("")
    assert "making" not in _make(project, "venv", f"PYTHON={sys.executable}")
    assert (project / ".venv" / "kept").exists()
    # Its interpreter gone (a removed Python): made again.
    shutil.rmtree(fake)
    assert f"making .venv with Python {VERSION}" in _make(
        project, "venv", f"PYTHON={sys.executable}"
    )


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_the_newest_python_that_starts_is_chosen(tmp_path: Path) -> None:
    project = _project(tmp_path)
    shims = tmp_path / "shims"
    shims.mkdir()
    _fake_python(shims, "python3.13", works=False)
    _fake_python(shims, "python3.12", works=True)
    _fake_python(shims, "python3.11", works=True)
    path = f"{shims}:/usr/bin:/bin"
    assert _make(project, "python", path=path).startswith(f"{shims}/python3.12 ")
