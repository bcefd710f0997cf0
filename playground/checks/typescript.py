"""TypeScript to JavaScript by erasing the types, so a TypeScript answer runs in QuickJS like JavaScript.

The erasure works as Node's type stripping and Bloomberg's ts-blank-space do: the code is parsed (here by
tree-sitter-typescript, the grammar the lint already uses) and every piece of type syntax is replaced by
spaces, so each JavaScript character stays on its line and column and errors point at the right place.
Type syntax that has a runtime meaning (enum, namespace, parameter properties, `<T>x` casts) cannot be
erased: strip_types raises Unstrippable, and the answer gets a syntax check only.
Nothing runs here: the text is parsed and edited.
"""

from __future__ import annotations

from typing import Any

from ..syntax import parser

# Nodes erased whole: annotations, type parameters and arguments, declarations that only declare types.
ERASED = {"type_annotation", "type_parameters", "type_arguments", "interface_declaration", "type_alias_declaration",
          "function_signature", "ambient_declaration", "accessibility_modifier", "implements_clause",
          "abstract_method_signature", "index_signature", "opting_type_annotation", "omitting_type_annotation",
          "asserts_annotation", "type_predicate_annotation"}
KEYWORDS = {"readonly", "declare", "abstract", "override"}  # modifiers erased inside class bodies
UNSUPPORTED = {"enum_declaration", "internal_module", "module", "type_assertion"}


class Unstrippable(ValueError):
    """The code has TypeScript syntax with a runtime meaning, which erasing would change."""


def strip_types(code: str) -> str:
    """The JavaScript left when the TypeScript's types are erased (same lines and columns)."""
    source = bytearray(code.encode("utf-8"))
    tree = parser("typescript").parse(bytes(source))
    spans: list[tuple[int, int]] = []
    _collect(tree.root_node, spans)
    for start, end in spans:
        source[start:end] = bytes(b if b in b"\n" else 32 for b in source[start:end])
    return source.decode("utf-8")


def _collect(node: Any, spans: list[tuple[int, int]]) -> None:
    kind = node.type
    if kind in UNSUPPORTED:
        raise Unstrippable(f"{kind.replace('_', ' ')} has a meaning at run time")
    if kind == "required_parameter" and any(c.type == "accessibility_modifier" for c in node.children):
        raise Unstrippable("a constructor parameter property has a meaning at run time")
    if kind in ERASED:
        spans.append((node.start_byte, node.end_byte))
        return
    if kind == "import_statement" and any(c.type == "type" for c in node.children):  # import type {X} from "y"
        spans.append((node.start_byte, node.end_byte))
        return
    if kind in ("as_expression", "satisfies_expression"):  # `x as T`: keep x
        _collect(node.children[0], spans)
        spans.append((node.children[0].end_byte, node.end_byte))
        return
    if kind == "non_null_expression":  # `x!`: keep x
        _collect(node.children[0], spans)
        spans.append((node.end_byte - 1, node.end_byte))
        return
    for child in node.children:
        if child.type == "?" and kind in ("optional_parameter", "public_field_definition", "method_definition",
                                           "property_signature"):
            spans.append((child.start_byte, child.end_byte))  # `x?: T` -> `x`
        elif child.type in KEYWORDS and kind in ("public_field_definition", "method_definition"):
            spans.append((child.start_byte, child.end_byte))
        elif child.type == "!" and kind == "public_field_definition":
            spans.append((child.start_byte, child.end_byte))
        else:
            _collect(child, spans)
