"""The dependency rule of the architecture: ``bot -> checks -> checks.sources``, and a check never
imports a source (it gets every outside capability through ``CheckContext``)."""
import ast
from pathlib import Path

CHECKS = Path(__file__).resolve().parent.parent / "checks"


def _runtime_imports(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:  # the `if TYPE_CHECKING:` body is for type checkers only
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_checks_never_import_sources():
    offenders = []
    for path in sorted(CHECKS.rglob("*.py")):
        if (CHECKS / "sources") in path.parents:
            continue
        for line, name in _runtime_imports(ast.parse(path.read_text(), str(path))):
            if name == "checks.sources" or name.startswith("checks.sources."):
                offenders.append(f"{path.relative_to(CHECKS.parent)}:{line} imports {name}")
    assert offenders == []


def test_the_rule_is_detected():
    source = ("import checks.sources.http\nfrom checks import sources\n"
              "if TYPE_CHECKING:\n    import checks.sources.dns\n")
    names = [name for _, name in _runtime_imports(ast.parse(source))]
    assert "checks.sources.http" in names and "checks.sources" in names and "checks.sources.dns" not in names
