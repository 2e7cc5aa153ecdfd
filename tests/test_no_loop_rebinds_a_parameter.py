"""No loop in segmix rebinds a parameter of its function.

Session 57's trial: MainWindow.set_image looped ``for mode in self.modes.values()`` over the
window's modes, replacing its ``mode`` parameter (the photo file's Pillow mode); the window then
wrote a grey photo's quantised copy as a palette PNG where `segmix quantize -o` writes grey.
"""

import ast
from pathlib import Path

import segmix


def _names(target):
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _names(element)
    elif isinstance(target, ast.Starred):
        yield from _names(target.value)


def _rebound_parameters(tree: ast.AST, path: Path):
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        args = function.args
        parameters = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        parameters |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        parameters -= {"self", "cls"}
        nodes = list(function.body)
        while nodes:
            node = nodes.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                continue  # its own scope
            targets = []
            if isinstance(node, (ast.For, ast.AsyncFor)):
                targets = [node.target]
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
            for target in targets:
                for name in _names(target):
                    if name in parameters:
                        yield f"{path}:{node.lineno}: {function.name} rebinds its parameter {name!r}"
            nodes.extend(ast.iter_child_nodes(node))


def test_no_for_or_with_rebinds_a_parameter_of_its_function():
    root = Path(segmix.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        found += _rebound_parameters(ast.parse(path.read_text(encoding="utf-8")), path.relative_to(root))
    assert not found, "\n".join(found)
