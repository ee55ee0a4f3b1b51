"""Every rule about roles lives in the access policy (backcare/policy.py): views, templates and
actions ask ``policy.can(user, Action.X, obj)``, so a new door cannot decide by role itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

BACKCARE = Path(__file__).resolve().parent.parent / "backcare"
# The policy decides by role; the user model defines the roles.
RULE_MAKERS = {BACKCARE / "policy.py", BACKCARE / "accounts" / "models.py"}


def _role_comparisons(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(side, ast.Attribute) and side.attr == "role" for side in sides):
                found.append(f"{path.relative_to(BACKCARE.parent)}:{node.lineno}")
    return found


def test_no_code_outside_the_policy_compares_a_role():
    found = [
        where
        for path in sorted(BACKCARE.rglob("*.py"))
        if path not in RULE_MAKERS and "migrations" not in path.parts
        for where in _role_comparisons(path)
    ]

    assert found == [], "ask policy.can(user, Action.X, obj) instead"


def test_no_template_compares_a_role():
    found = [
        f"{path.relative_to(BACKCARE.parent)}: {match}"
        for path in sorted((BACKCARE / "templates").rglob("*.html"))
        for match in re.findall(r"{%[^%]*\.role\b[^%]*%}", path.read_text())
    ]

    assert found == [], "give the template a boolean from policy.can (view or context processor)"
