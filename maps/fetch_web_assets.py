"""Copy the map page's scripts, styles and images out of pinned npm packages into the desk.

The resource map runs with no internet at all, so every file its page loads ships with the desk,
under ``supervisor_app/ui/map/web/vendor/<package>/``. This script fetches each pinned package
with ``npm pack`` (nothing is installed), refuses a tarball whose SHA-512 integrity differs from the
one pinned below, copies the files the page needs plus the licence, and records in
``vendor/ASSETS.json`` where each file came from: package, version, the tarball's integrity and
SHA-256, and each copied file's SHA-256. The same packages always give the same files.

Run from the repository root: ``.venv/bin/python maps/fetch_web_assets.py`` (needs ``npm``).
``--check`` compares the files in the repository with ASSETS.json without fetching anything.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VENDOR_DIR = Path(__file__).resolve().parent.parent / "supervisor_app" / "ui" / "map" / "web" / "vendor"
MANIFEST = "ASSETS.json"


@dataclass(frozen=True)
class PinnedPackage:
    name: str
    version: str
    integrity: str  # npm's dist.integrity: SHA-512 of the tarball, base64
    files: tuple[str, ...]  # paths inside the tarball's package/ folder


PACKAGES = (
    PinnedPackage(
        "leaflet",
        "1.9.4",
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        (
            "dist/leaflet.js",
            "dist/leaflet.css",
            "dist/images/layers.png",
            "dist/images/layers-2x.png",
            "dist/images/marker-icon.png",
            "dist/images/marker-icon-2x.png",
            "dist/images/marker-shadow.png",
            "LICENSE",
        ),
    ),
    PinnedPackage(
        "leaflet.markercluster",
        "1.5.3",
        "sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==",
        (
            "dist/leaflet.markercluster.js",
            "dist/MarkerCluster.css",
            "dist/MarkerCluster.Default.css",
            "MIT-LICENCE.txt",
        ),
    ),
)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def npm_integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def fetch_tarball(package: PinnedPackage, into: Path) -> bytes:
    """``npm pack name@version`` into ``into``; the tarball's bytes, checked against the pin."""
    spec = f"{package.name}@{package.version}"
    done = subprocess.run(
        ["npm", "pack", spec, "--json", "--pack-destination", str(into)],
        check=True, capture_output=True, text=True,
    )
    file_name = json.loads(done.stdout)[0]["filename"]
    data = (into / file_name).read_bytes()
    found = npm_integrity(data)
    if found != package.integrity:
        raise SystemExit(f"{spec}: the tarball's integrity is {found}, not the pinned {package.integrity}")
    return data


def copy_files(package: PinnedPackage, tarball: Path, target: Path) -> dict[str, str]:
    """Copy the package's listed files (flattening ``dist/``) and return their SHA-256 by target path."""
    copied: dict[str, str] = {}
    with tarfile.open(tarball) as archive:
        for inner in package.files:
            member = archive.extractfile(f"package/{inner}")
            if member is None:
                raise SystemExit(f"{package.name}: {inner} is not a file in the package")
            data = member.read()
            relative = inner.removeprefix("dist/")
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            copied[relative] = sha256_of(data)
    return copied


def fetch_all(vendor_dir: Path) -> dict[str, object]:
    manifest: dict[str, object] = {
        "about": "Files copied by maps/fetch_web_assets.py from the npm packages named here; do not edit them.",
        "packages": [],
    }
    with tempfile.TemporaryDirectory() as scratch:
        for package in PACKAGES:
            data = fetch_tarball(package, Path(scratch))
            tarball = Path(scratch) / "package.tgz"
            tarball.write_bytes(data)
            files = copy_files(package, tarball, vendor_dir / package.name)
            manifest["packages"].append({  # type: ignore[union-attr]
                "name": package.name,
                "version": package.version,
                "integrity": package.integrity,
                "tarball_sha256": sha256_of(data),
                "files": files,
            })
            print(f"{package.name} {package.version}: {len(files)} files")
    (vendor_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def check(vendor_dir: Path) -> list[str]:
    """Files that differ from, or are missing against, the manifest."""
    manifest = json.loads((vendor_dir / MANIFEST).read_text(encoding="utf-8"))
    problems = []
    for package in manifest["packages"]:
        for relative, digest in package["files"].items():
            path = vendor_dir / package["name"] / relative
            if not path.is_file():
                problems.append(f"{path}: missing")
            elif sha256_of(path.read_bytes()) != digest:
                problems.append(f"{path}: differs from {package['name']} {package['version']}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=VENDOR_DIR, help="the vendor folder to write")
    parser.add_argument("--check", action="store_true", help="only compare the files with ASSETS.json")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.output)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    fetch_all(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
