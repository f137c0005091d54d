"""The ready-made CI workflow and pre-commit hook, run as their users would run them."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import yaml

from conftest import REPO

WORKFLOW = REPO / "docs" / "ci" / "github-actions.yml"
PRE_COMMIT = REPO / "docs" / "ci" / "pre-commit-config.yaml"


def _run_steps() -> list[str]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["check-and-build"]["steps"]
    return [step["run"] for step in steps if "run" in step]


def test_workflow_checks_builds_and_publishes_output():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as true; GitHub reads it as "on". Either way it is there.
    triggers = workflow.get("on", workflow.get(True))
    assert {"push", "pull_request", "schedule"} <= set(triggers)
    job = workflow["jobs"]["check-and-build"]
    runs = _run_steps()
    assert runs == ["python -m pip install -r requirements.txt",
                    "python build.py check --format github",
                    "python build.py build"]
    upload = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert upload and upload[0]["with"]["path"] == "output"
    publish = workflow["jobs"]["publish"]
    assert publish["needs"] == "check-and-build"
    assert publish["permissions"] == {"pages": "write", "id-token": "write"}
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in publish["steps"])


def test_workflow_commands_work_in_a_content_repository(site):
    """The workflow's check and build steps, run in a site as the workflow would."""
    for name in ("topics.toml", "outlets.toml"):
        site.write(f"content/{name}", (REPO / "content" / name).read_text(encoding="utf-8"))
    site.article("a", "title: A\ndate: 2020-01-02\noutlet: Press TV\ntopics: [Syria]\n", "Text.\n")
    for command in _run_steps()[1:]:
        args = shlex.split(command)
        assert args[:2] == ["python", "build.py"]
        result = site.run(*args[2:])
        assert result.returncode == 0, command + "\n" + result.stdout + result.stderr
    assert (site.output / "index.html").is_file()
    # And a problem fails the check step with an annotation on the file and line.
    site.article("b", "title: B\ndate: 2020-01-02\noutlet: Press TV\ntopics: [Syira]\n", "Text.\n")
    result = site.run(*shlex.split(_run_steps()[1])[2:])
    assert result.returncode == 1
    assert "::error file=content/articles/b.md,line=5,title=topics::'Syira' is not a registered topic" in result.stdout


def test_pre_commit_hook_checks_the_staged_files(site):
    config = yaml.safe_load(PRE_COMMIT.read_text(encoding="utf-8"))
    hook = config["repos"][0]["hooks"][0]
    assert config["repos"][0]["repo"] == "local" and hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    for path in ("content/articles/2016/06/x.md", "content/topics.toml", "content/articles/2016/06/images/a.jpg",
                 "config.toml"):
        assert files.search(path), path
    for path in ("templates/base.html", "README.md", "newsarchive/cli.py", "content.md"):
        assert not files.search(path), path

    entry = shlex.split(hook["entry"])
    assert entry[0] == ".venv/bin/python"
    command = [sys.executable, *entry[1:]]
    command[1] = str(REPO / command[1])  # build.py: the content repository's own copy

    for name in ("topics.toml", "outlets.toml"):
        site.write(f"content/{name}", (REPO / "content" / name).read_text(encoding="utf-8"))
    good = "title: A\ndate: 2020-01-02\noutlet: Press TV\ntopics: [Syria]\n"
    site.article("good", good)
    site.article("bad", good + "colour: red\n")

    def hook_run(*staged: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command + list(staged), cwd=site.root, capture_output=True, text=True, timeout=300)

    assert hook_run("content/articles/good.md").returncode == 0  # another file's problem does not block
    bad = hook_run("content/articles/bad.md")
    assert bad.returncode == 1 and "content/articles/bad.md:6: colour: unknown field" in bad.stdout
    # A registry change can break any article: then every problem is reported.
    everything = hook_run("content/topics.toml")
    assert everything.returncode == 1 and "content/articles/bad.md:6" in everything.stdout
