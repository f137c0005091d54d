"""Split a file into YAML front matter and body, keeping the line of every field.

Line numbers are the point: every error a maintainer sees names the exact line. So the
front matter is composed into YAML nodes (which carry their position) before it is turned
into Python values, and duplicate keys, which YAML loaders silently overwrite, are caught.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import frontmatter
import yaml

from ..errors import ContentError

# python-frontmatter's own boundary allows `\s*` after the dashes, which can swallow the
# following blank lines and shift every line number below; ours stops at the line's end.
_HANDLER = frontmatter.YAMLHandler(fm_boundary=re.compile(r"^-{3,}[ \t]*$", re.MULTILINE))

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loading (no tags that build objects), with dates kept as text.

    YAML's own timestamp type would turn '2016-02-30' into a crash deep inside the
    loader and drop the author's UTC offset; we parse dates ourselves, with errors.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}

Path_ = tuple[Any, ...]
_STR = "tag:yaml.org,2002:str"


@dataclass
class FrontMatter:
    """The parsed fields, the line each was written on, and where the body starts."""

    values: dict[str, Any]
    lines: dict[Path_, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1  # file line of the body's first line

    def line(self, *path: Any) -> int:
        """The line of a field or sub-field, falling back to its nearest parent."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1


def parse(text: str, path: str) -> tuple[FrontMatter | None, list[ContentError]]:
    """Parse one file's text. On any error, returns None and the errors found."""
    if not text.strip():
        return None, [_err(path, 1, "the file is empty", "start it with a '---' front matter block")]
    if not _HANDLER.detect(text) or not re.match(r"-{3,}[ \t]*\n", text):
        return None, [
            _err(path, 1, "the file does not start with front matter",
                 "begin with a line '---', the fields, then another '---'")
        ]
    try:
        fm_text, body = _HANDLER.split(text)
    except ValueError:
        return None, [_err(path, 1, "the front matter is never closed", "add a line '---' after the last field")]

    # fm_text starts right after the opening dashes (its line 0 is the file's line 1), and
    # the body right after the closing dashes, on the same line as them.
    body_line = 1 + fm_text.count("\n")
    if body.startswith("\n"):
        body, body_line = body[1:], body_line + 1
    loader = _Loader(fm_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [_err(path, 1, "the front matter is empty", "add title, date, outlet and topics")]
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
            return None, [
                _err(path, node.start_mark.line + 1,
                     f"the front matter must be fields ('name: value'), found {kind}",
                     "write one field per line, e.g. 'title: …', 'date: 2016-06-22'")
            ]
        fm = FrontMatter(values={}, body=body, body_line=body_line)
        errors = _refuse_aliases(node, fm_text, path)
        errors = errors or _read_mapping(loader, node, (), fm.values, fm.lines, path)
        return (None if errors else fm), errors
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, [_err(path, line, f"invalid YAML: {exc.problem or exc}", _yaml_hint(exc))]
    except yaml.YAMLError as exc:
        return None, [_err(path, 1, f"invalid YAML: {exc}")]
    finally:
        loader.dispose()


def _refuse_aliases(root: yaml.Node, fm_text: str, path: str) -> list[ContentError]:
    """An alias (`*name`) makes the same node appear twice; nested aliases grow a few lines
    into billions of values ("billion laughs"). Front matter has no need for them."""
    if "*" not in fm_text:  # an alias is written `*name`: without one, no node is reused
        return []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            # The node is the anchored one; point at the first alias, where the reuse is.
            alias = next((t for t in yaml.scan(fm_text, Loader=_Loader) if isinstance(t, yaml.AliasToken)), None)
            return [_err(path, (alias or node).start_mark.line + 1,
                         "YAML anchors and aliases (&name, *name) are not supported",
                         "write the value out in full")]
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return []


def _read_mapping(
    loader: Any, node: yaml.MappingNode, at: Path_, out: dict[str, Any],
    lines: dict[Path_, int], path: str,
) -> list[ContentError]:
    errors: list[ContentError] = []
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            errors.append(_err(path, line, "a field name must be plain text"))
            continue
        key = str(key_node.value)
        if key in out:
            first = lines[at + (key,)]
            errors.append(
                ContentError(path, line, ".".join(map(str, at + (key,))),
                             f"written twice (first on line {first})", "keep one of them")
            )
            continue
        lines[at + (key,)] = line
        out[key] = _read_value(loader, value_node, at + (key,), lines, path, errors)
    return errors


def _read_value(
    loader: Any, node: yaml.Node, at: Path_, lines: dict[Path_, int], path: str,
    errors: list[ContentError],
) -> Any:
    if isinstance(node, yaml.MappingNode) and node.tag == "tag:yaml.org,2002:map":
        value: dict[str, Any] = {}
        errors.extend(_read_mapping(loader, node, at, value, lines, path))
        return value
    if isinstance(node, yaml.SequenceNode) and node.tag == "tag:yaml.org,2002:seq":
        items = []
        for i, item in enumerate(node.value):
            lines[at + (i,)] = item.start_mark.line + 1
            items.append(_read_value(loader, item, at + (i,), lines, path, errors))
        return items
    if node.tag == _STR and type(node) is yaml.ScalarNode:
        return node.value  # what SafeConstructor makes of text (most values), without its calls
    # Other scalars, and anything tagged: SafeConstructor refuses tags that would run code.
    return loader.construct_object(node, deep=True)


def _yaml_hint(exc: yaml.MarkedYAMLError) -> str:
    problem = str(exc.problem or "")
    if "could not determine a constructor" in problem:
        return "YAML tags are not allowed; write plain values"
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted"
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    return "check the indentation and quoting on this line"


def _err(path: str, line: int, message: str, hint: str = "") -> ContentError:
    return ContentError(path, line, "", message, hint)
