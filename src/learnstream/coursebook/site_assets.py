"""What the docs site serves so that the course runs in the page, put into the built site.

The pages run their code in a Web Worker with Pyodide on learnstream's pure-Python
twin (`course/assets/javascripts/course-runner.js`). Everything the worker loads is
a file of the built site, under `browser/`; nothing is fetched from elsewhere when
a page runs:

- `browser/pyodide/`: Pyodide's core files, from the npm package `pyodide` pinned in
  `web/package-lock.json` (`npm ci` into `web/node_modules/`, once; later builds
  reuse it while its version is the pinned one);
- `browser/wheels/`: learnstream as a pure-Python wheel built from `src/` and `labs/`
  (no C core: it runs on the twin), and the pure-Python wheels it imports there
  (`PINNED_WHEELS`), downloaded by pip into `web/.cache/wheels/` once and checked
  against their sha256 every build;
- `browser/manifest.json`: those files' names and sizes, read by the worker.

The same sources give the same bytes: the learnstream wheel's entries are sorted and
dated 1980-01-01.

>>> [wheel.filename for wheel in PINNED_WHEELS][:1]
['rich-15.0.0-py3-none-any.whl']
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "PINNED_WHEELS",
    "PYODIDE_FILES",
    "SiteAssetsError",
    "Wheel",
    "build_learnstream_wheel",
    "publish",
]

#: Pyodide's files the worker loads (the rest of the npm package is for Node and editors).
PYODIDE_FILES = (
    "pyodide.js",
    "pyodide.asm.js",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
_WEB = Path("web")
_SKIPPED_SUFFIXES = {".so", ".pyd", ".c", ".o", ".pyc"}


class SiteAssetsError(RuntimeError):
    """The browser files could not be gathered (no npm, no network, a changed download)."""


@dataclass(frozen=True)
class Wheel:
    """A pinned pure-Python wheel from PyPI: its file name and sha256."""

    name: str
    version: str
    filename: str
    sha256: str

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


PINNED_WHEELS = (
    # the grade report and the timelines' text are drawn with rich (its markdown and
    # syntax modules, which need more, are not imported)
    Wheel(
        "rich",
        "15.0.0",
        "rich-15.0.0-py3-none-any.whl",
        "33bd4ef74232fb73fe9279a257718407f169c09b78a87ad3d296f548e27de0bb",
    ),
)


def _run(command: list[str], cwd: Path, what: str) -> None:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise SiteAssetsError(
            f"{what}: `{command[0]}` is not installed. The docs site serves Pyodide from the "
            "npm package pinned in web/package-lock.json; install Node.js and npm "
            "(apt-get install -y nodejs npm) and build again"
        ) from None
    if done.returncode != 0:
        raise SiteAssetsError(
            f"{what}: `{' '.join(command)}` (in {cwd}) failed with exit status "
            f"{done.returncode}; is the package registry reachable?\n{done.stdout}{done.stderr}"
        )


def pyodide_folder(root: Path) -> Path:
    """`web/node_modules/pyodide` at the version `web/package-lock.json` pins (npm ci if not)."""
    web = root / _WEB
    lock = json.loads((web / "package-lock.json").read_text(encoding="utf-8"))
    pinned = lock["packages"]["node_modules/pyodide"]["version"]
    folder = web / "node_modules" / "pyodide"
    installed = folder / "package.json"
    if not installed.is_file() or json.loads(installed.read_text())["version"] != pinned:
        command = ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"]
        _run(command, web, f"fetching Pyodide {pinned}")
    missing = [name for name in PYODIDE_FILES if not (folder / name).is_file()]
    if missing:
        raise SiteAssetsError(f"the npm package pyodide {pinned} has no {', '.join(missing)}")
    return folder


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pinned_wheel(root: Path, wheel: Wheel) -> Path:
    """The wheel's file in `web/.cache/wheels/`, downloaded by pip if it is not there yet."""
    cache = root / _WEB / ".cache" / "wheels"
    path = cache / wheel.filename
    if not path.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
        command += ["--disable-pip-version-check", "--dest", str(cache), wheel.requirement]
        _run(command, root, f"fetching {wheel.requirement} for the in-page grader")
    if not path.is_file():
        raise SiteAssetsError(f"pip download {wheel.requirement} did not give {wheel.filename}")
    if _sha256(path) != wheel.sha256:
        path.unlink()
        raise SiteAssetsError(
            f"{wheel.filename} does not have the pinned sha256 {wheel.sha256}; "
            "it was removed from web/.cache/wheels: build again to download it anew"
        )
    return path


def _wheel_files(package: Path) -> list[Path]:
    return sorted(
        path
        for path in package.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix not in _SKIPPED_SUFFIXES
    )


def build_learnstream_wheel(root: Path, out: Path) -> Path:
    """Write learnstream's pure-Python wheel (`src/learnstream` and the labs, no C core) into `out`."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    name, version = project["name"], project["version"]
    info = f"{name}-{version}.dist-info"
    entries: list[tuple[str, bytes]] = []
    src = root / "src"
    for path in _wheel_files(src / name):
        entries.append((path.relative_to(src).as_posix(), path.read_bytes()))
    # The course's labs, where an installed package keeps them (as setup.py's build does):
    # no catalogues, which are the project's tests.
    labs = root / "labs"
    for path in _wheel_files(labs):
        if "catalogue" not in path.relative_to(labs).parts:
            entries.append(
                (
                    f"{name}/grading/course/labs/{path.relative_to(labs).as_posix()}",
                    path.read_bytes(),
                )
            )
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += (
        f"Summary: {project['description']}\nRequires-Python: {project['requires-python']}\n"
    )
    wheel_meta = "Wheel-Version: 1.0\nGenerator: learnstream site_assets\n"
    wheel_meta += "Root-Is-Purelib: true\nTag: py3-none-any\n"
    entries += [(f"{info}/METADATA", metadata.encode()), (f"{info}/WHEEL", wheel_meta.encode())]
    record = []
    for arcname, data in entries:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arcname},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    entries.append((f"{info}/RECORD", ("\n".join(record) + "\n").encode()))
    target = out / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for arcname, data in entries:
            entry = zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return target


def publish(root: Path, site: Path) -> Path:
    """Put Pyodide, the wheels and their manifest into `site/browser/`; return that folder."""
    target = site / "browser"
    shutil.rmtree(target, ignore_errors=True)
    (target / "pyodide").mkdir(parents=True)
    (target / "wheels").mkdir()
    pyodide = pyodide_folder(root)
    for name in PYODIDE_FILES:
        shutil.copyfile(pyodide / name, target / "pyodide" / name)
    wheels = [build_learnstream_wheel(root, target / "wheels")]
    for wheel in PINNED_WHEELS:
        wheels.append(target / "wheels" / wheel.filename)
        shutil.copyfile(pinned_wheel(root, wheel), wheels[-1])
    version = json.loads((pyodide / "package.json").read_text())["version"]
    manifest = {
        "pyodide": version,
        # what the worker unpacks: the grader draws its inputs with its own generator
        # (learnstream.grading.kit.search), so Run and Grade need the same wheels
        "wheels": [path.name for path in wheels],
        "bytes": {
            path.relative_to(target).as_posix(): path.stat().st_size
            for path in sorted(target.rglob("*"))
            if path.is_file()
        },
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return target
