"""Full-text search: run Pagefind over the staged site and publish its index under /pagefind/.

Pagefind is a binary shipped inside the `pagefind` Python package (its `extended` extra).
It runs locally on the finished HTML, before the staged site is swapped in, and fetches
nothing. Without the binary the build still succeeds: search is switched off, the build
says so, and the search page tells readers.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .output import StagedOutput

BUNDLE = PurePosixPath("pagefind")
OFF_NOTICE = ("search is off: the Pagefind binary was not found "
              "(install the pinned dev requirements: pip install 'pagefind[extended]')")


class SearchIndexError(Exception):
    pass


def pagefind_binary() -> Path | None:
    """The Pagefind executable, or None. PAGEFIND_BINARY_PATH overrides, as in Pagefind itself."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    try:
        path = get_executable()
    except Exception:  # a broken install counts as absent, not as a crash
        return None
    if path is None or not path.is_file() or not os.access(path, os.X_OK):
        return None
    return path


def index_site(binary: Path, out: StagedOutput) -> int:
    """Index the staged HTML and add the bundle to the staged output; returns its file count.

    Pagefind reads a private folder holding (as hard links) only the pages this build wrote,
    so pages left over from the previous build are not indexed, and writes its bundle to
    another: staged files are links to the live site, only ever replaced through `out.write`.
    """
    # Named after the staging folder, so the next build removes it if this one is killed.
    with tempfile.TemporaryDirectory(prefix=f"{out.root.name}-pagefind-", dir=out.root.parent) as tmp:
        pages, bundle = Path(tmp) / "pages", Path(tmp) / "bundle"
        for rel in sorted(PurePosixPath(key) for key in out.written):
            if rel.suffix == ".html" and rel.parts[0] != BUNDLE.name:
                target = pages / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(out.root / rel, target)
                except OSError:
                    target.write_bytes((out.root / rel).read_bytes())
        cmd = [str(binary), "--site", str(pages), "--output-path", str(bundle), "--silent"]
        try:
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        except OSError as exc:
            raise SearchIndexError(f"could not run Pagefind ({binary}): {exc}") from None
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
            raise SearchIndexError("Pagefind failed: " + " / ".join(detail))
        canonicalise(bundle)
        count = 0
        for path in sorted(bundle.rglob("*")):
            if path.is_file():
                out.copy(BUNDLE / path.relative_to(bundle).as_posix(), path)
                count += 1
        return count


def canonicalise(bundle: Path) -> None:
    """Make Pagefind's bundle byte-identical across runs of the same input.

    Pagefind 1.5 writes the values of each filter file, and the filter and sort lists of its
    metadata file, in hash-map order, which changes from run to run (Pagefind issue #638),
    and names each file after a hash of its bytes. We sort those lists (their order carries
    no meaning), re-compress without a timestamp, and rename each file after a hash of the
    new bytes, updating the names that point to it. Everything else is left as written.
    """
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in sorted(entry["languages"].items()):
        renamed: dict[str, str] = {}
        for path in sorted((bundle / "filter").glob(f"{language}_*.pf_filter")):
            name, values = _read(path)
            renamed[path.stem] = _write(bundle / "filter", language, ".pf_filter", [name, sorted(values)], 7)
            path.unlink()
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        # [version, pages, index chunks, filters, sorts, meta fields]
        meta[3] = sorted([name, renamed.get(chunk, chunk)] for name, chunk in meta[3])
        meta[4] = sorted(meta[4], key=lambda item: item[0])
        meta_path.unlink()
        info["hash"] = _write(bundle, language, ".pf_meta", meta, 10, prefix="pagefind.")
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _read(path: Path) -> Any:
    return _cbor_decode(gzip.decompress(path.read_bytes()))


def _write(folder: Path, language: str, suffix: str, value: Any, digits: int, prefix: str = "") -> str:
    """Write a Pagefind file named after a hash of its bytes; returns its hash name."""
    data = gzip.compress(_SIGNATURE + _cbor_encode(value), compresslevel=9, mtime=0)
    name = f"{language}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{prefix}{name}{suffix}").write_bytes(data)
    return name


_SIGNATURE = b"pagefind_dcd"  # Pagefind's plain-bytes prefix before the CBOR document


def _cbor_decode(data: bytes) -> Any:
    if not data.startswith(_SIGNATURE):
        raise SearchIndexError("unexpected Pagefind metadata layout (no signature)")
    value, end = _cbor_item(data, len(_SIGNATURE))
    if end != len(data):
        raise SearchIndexError("unexpected Pagefind metadata layout (trailing bytes)")
    return value


def _cbor_item(data: bytes, pos: int) -> tuple[Any, int]:
    """Decode the definite-length CBOR subset Pagefind writes: ints, strings, arrays, maps."""
    initial = data[pos]
    major, info = initial >> 5, initial & 0x1F
    pos += 1
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(data[pos:pos + size], "big")
        pos += size
    else:
        raise SearchIndexError(f"unsupported CBOR item {initial:#x} in Pagefind metadata")
    if major == 0:
        return arg, pos
    if major == 1:
        return -1 - arg, pos
    if major == 2:
        return bytes(data[pos:pos + arg]), pos + arg
    if major == 3:
        return data[pos:pos + arg].decode("utf-8"), pos + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, pos = _cbor_item(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        pairs = []
        for _ in range(arg):
            key, pos = _cbor_item(data, pos)
            value, pos = _cbor_item(data, pos)
            pairs.append((key, value))
        return _CborMap(pairs), pos
    if major == 7 and info < 24:
        return _CborSimple(info), pos
    raise SearchIndexError(f"unsupported CBOR item {initial:#x} in Pagefind metadata")


class _CborMap(list):  # type: ignore[type-arg]
    """A CBOR map kept as its ordered (key, value) pairs."""


@dataclass(frozen=True)
class _CborSimple:
    value: int


def _cbor_head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([major << 5 | info]) + arg.to_bytes(size, "big")
    raise SearchIndexError("integer too large for CBOR")


def _cbor_encode(value: Any) -> bytes:
    if isinstance(value, bool) or value is None:
        raise SearchIndexError("unexpected value in Pagefind metadata")
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, _CborSimple):
        return bytes([7 << 5 | value.value])
    if isinstance(value, _CborMap):
        return _cbor_head(5, len(value)) + b"".join(_cbor_encode(k) + _cbor_encode(v) for k, v in value)
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(item) for item in value)
    raise SearchIndexError(f"unexpected {type(value).__name__} in Pagefind metadata")
