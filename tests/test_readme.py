"""The README stays honest: its Configuration table and ``.env.example`` name every setting the code
reads, its Quick start is what CI runs, and its links to docs/ lead somewhere."""
from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
ENV_EXAMPLE = ROOT / ".env.example"
CI_RUN = ROOT / ".ci" / "run"
ARCHITECTURE = ROOT.parent / "shared" / "docs" / "ARCHITECTURE.md"

QUICK_START = ["pip install -e '.[dev]'", "pytest"]
# Read outside Settings.from_env, by the application itself (not by tests or benchmarks).
READ_ELSEWHERE = {"DYNO"}  # bot/worker.py, bot/maintenance.py: Heroku's process name


class RecordingEnv(Mapping[str, str]):
    """An empty environment that remembers every key it was asked for."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def settings_variables() -> set[str]:
    env = RecordingEnv()
    Settings.from_env(env)
    return env.asked


def section(markdown: str, title: str) -> str:
    """The body of the ``## title`` section (up to the next ``## ``)."""
    match = re.search(rf"^## {re.escape(title)}[ \t]*\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def table_variables(markdown: str) -> list[str]:
    """The variable named in the first cell of each row of the Configuration table."""
    names = []
    for line in section(markdown, "Configuration").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and (m := re.fullmatch(r"`([A-Z][A-Z0-9_]*)`", cells[0])):
            names.append(m.group(1))
    return names


def env_example_variables(text: str) -> set[str]:
    """Variables set or shown (commented out) in .env.example: ``NAME=`` or ``# NAME=``."""
    return {m.group(1) for m in re.finditer(r"^#?[ \t]*([A-Z][A-Z0-9_]*)=", text, re.M)}


def code_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```[^\n]*\n(.*?)^```", markdown, re.M | re.S)


def script_commands(script: str) -> list[list[str]]:
    """Each command line of a shell script as shell words (comments and blank lines dropped)."""
    commands = []
    for line in script.replace("\\\n", " ").splitlines():  # join continued lines first
        words = shlex.split(line, comments=True)
        if words:
            commands.append(words)
    return commands


def runs_in_order(script: str, commands: list[str]) -> bool:
    """True when every command appears as a whole line of ``script``, in the given order."""
    lines = script_commands(script)
    position = -1
    for command in commands:
        wanted = shlex.split(command)
        later = [i for i, words in enumerate(lines) if words == wanted and i > position]
        if not later:
            return False
        position = later[0]
    return True


# -- (a) every setting is documented ---------------------------------------------------------------
def test_recording_env_sees_the_settings():
    asked = settings_variables()
    # a sanity floor, so a broken recorder cannot make the checks below pass vacuously
    assert {"SLACK_BOT_TOKEN", "DATABASE_URL", "WORKER_PROCESSES", "LOG_LEVEL"} <= asked
    assert len(asked) >= 30


def test_configuration_table_lists_every_variable_once():
    rows = table_variables(README.read_text())
    duplicates = sorted({name for name in rows if rows.count(name) > 1})
    assert not duplicates, f"listed twice in the Configuration table: {duplicates}"
    missing = sorted((settings_variables() | READ_ELSEWHERE) - set(rows))
    assert not missing, f"read by the code but not in the README's Configuration table: {missing}"


def test_env_example_matches_the_configuration_table():
    rows = set(table_variables(README.read_text()))
    shown = env_example_variables(ENV_EXAMPLE.read_text())
    assert not sorted(settings_variables() - shown), "Settings.from_env reads variables .env.example lacks"
    assert sorted(rows - shown) == [], "in the README's table but not in .env.example"
    assert sorted(shown - rows) == [], "in .env.example but not in the README's table"


def test_env_example_is_a_valid_configuration():
    from dotenv import dotenv_values

    values = {k: v or "" for k, v in dotenv_values(ENV_EXAMPLE).items()}
    Settings.from_env(values)  # raises ConfigError on an unusable value


def test_architecture_environment_is_in_the_table():
    if not ARCHITECTURE.is_file():
        pytest.skip(f"{ARCHITECTURE} not available")
    text = ARCHITECTURE.read_text()
    match = re.search(r"^### Environment.*?\n(.*?)(?=^#)", text, re.M | re.S)
    assert match, "ARCHITECTURE.md has no '### Environment' section"
    named = set(re.findall(r"`([A-Z][A-Z0-9_]{2,})`", match.group(1)))
    assert len(named) >= 30
    missing = sorted(named - set(table_variables(README.read_text())))
    assert not missing, f"named by ARCHITECTURE.md's environment contract, not in the README: {missing}"


# -- (b) the Quick start is what CI runs ----------------------------------------------------------
def test_quick_start_is_exactly_the_two_commands():
    blocks = code_blocks(section(README.read_text(), "Quick start"))
    assert blocks, "the Quick start has no code block"
    assert [line.strip() for line in blocks[0].splitlines() if line.strip()] == QUICK_START


def test_ci_runs_the_quick_start_commands():
    script = CI_RUN.read_text()
    assert runs_in_order(script, QUICK_START), f".ci/run does not run {QUICK_START} as lines, in order"


@pytest.mark.parametrize("script", [
    "pytest\npip install -e '.[dev]'\n",               # wrong order
    "pip install -e '.[dev]'\npytest -x\n",            # different test command
    "pip install -e .\npytest\n",                      # different install
    "# pip install -e '.[dev]'\npytest\n",             # commented out
])
def test_ci_check_notices_drift(script):
    assert not runs_in_order(script, QUICK_START)


# -- (c) links from the README and docs/ lead to files --------------------------------------------
def github_anchor(heading: str) -> str:
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {github_anchor(h) for h in re.findall(r"^#+ (.+)$", path.read_text(), re.M)}


def relative_links(path: Path) -> list[tuple[str, str]]:
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.M | re.S)  # no links in code
    found = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # https:, mailto:, same-page anchors
        file, _, anchor = target.partition("#")
        found.append((file, anchor))
    return found


def test_readme_links_to_docs():
    docs_links = [f for f, _ in relative_links(README) if f.startswith("docs/")]
    assert len(docs_links) >= 5, "the README should point at its docs/ pages"


@pytest.mark.parametrize("page", [README, *sorted((ROOT / "docs").glob("*.md"))],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve(page):
    for file, anchor in relative_links(page):
        target = (page.parent / file).resolve()
        assert target.is_file(), f"{page.name} links to {file}, which does not exist"
        if anchor and target.suffix == ".md":
            assert anchor in anchors(target), f"{page.name} links to {file}#{anchor}: no such heading"
