"""memo's modules import each other in one direction: no cycle, at module level or inside
functions (a lazy import is still a dependency)."""

import ast
from pathlib import Path

import memo

PACKAGE = Path(memo.__file__).parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The memo modules ``path`` imports, anywhere in it."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("memo"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("memo"):
                continue
            for alias in node.names:  # "from . import syntax" imports a module, "from .x import y" module x
                candidate = f"{target}.{alias.name}"
                found.add(candidate if _exists(candidate) else target)
    return {m for m in found if m != name and _exists(m)}


def _exists(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def test_no_import_cycle_inside_memo():
    graph = {_module_name(p): _imports(p) for p in PACKAGE.rglob("*.py")}
    # The package itself imports everything it exports; a cycle through it is no cycle of modules.
    graph = {m: {t for t in targets if t != "memo"} for m, targets in graph.items() if m != "memo"}
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycles.append(trail[trail.index(target):] + [target] if target in trail else trail + [target])
            elif target not in state:
                visit(target, trail + [target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)
    assert "memo._render" not in graph["memo._model"]  # the data model knows no writer


def test_the_examples_use_only_public_names():
    examples = PACKAGE.parent / "examples"
    for path in sorted(examples.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("memo."):
                raise AssertionError(f"{path.name} imports {node.module}")
            if isinstance(node, ast.Import):
                assert not [a.name for a in node.names if a.name.startswith("memo.")], path.name
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "memo":
                assert node.attr in memo.__all__, f"{path.name} uses memo.{node.attr}"


DATA_PACKAGES = {"data", "templates", "prompts"}  # package data (the stance model, the Word template, prompts)


def test_every_module_is_private_and_the_package_shows_only_its_public_names():
    import subprocess
    import sys

    for path in PACKAGE.iterdir():
        name = path.name
        if name.startswith(("_", ".")) or name in DATA_PACKAGES or not (path.suffix == ".py" or path.is_dir()):
            continue
        raise AssertionError(f"memo/{name} is public: internal modules start with an underscore")
    # A fresh interpreter: what `import memo` and a build leave in the package's namespace.
    shown = subprocess.run(
        [sys.executable, "-c", "import memo; memo.build(['Rain fell in the city on Monday, officials said.'], "
                               "embedder='hashing', stance='embedding'); "
                               "print(' '.join(n for n in dir(memo) if not n.startswith('_')))"],
        check=True, capture_output=True, text=True).stdout.split()
    assert set(shown) - DATA_PACKAGES == set(memo.__all__)


def test_python_dash_m_memo_runs_the_command_line():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "memo", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and memo.__version__ in done.stdout
