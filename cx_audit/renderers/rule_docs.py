"""Rule documentation: the catalogue list, one rule's page, and docs/rules.md."""

from __future__ import annotations

from cx_audit.rules import RULES, Rule

__all__ = ["render_rule_doc", "render_rule_list", "render_rules_markdown"]


def _options(rule: Rule) -> str:
    return ", ".join(f"{name}={option.default:g}" for name, option in rule.options.items())


def render_rule_list() -> str:
    """One line per rule: code, name, default severity, options, summary."""
    width = max(len(r.name) for r in RULES.values())
    lines = []
    for rule in RULES.values():
        options = f"  [{_options(rule)}]" if rule.options else ""
        lines.append(f"{rule.code}  {rule.name:<{width}}  {rule.severity.value:<7}  "
                     f"{rule.summary}{options}")
    return "\n".join(lines) + "\n"


def render_rule_doc(rule: Rule) -> str:
    """A rule's page in Markdown: title, defaults, then its documented sections."""
    lines = [f"# {rule.code} {rule.name}", "", f"{rule.summary}.", "",
             f"Default severity: {rule.severity.value}."]
    if rule.options:
        lines.append(f"Options: {_options(rule)}, set in `[tool.cx-audit.rules.{rule.name}]`.")
    lines.append("")
    for heading, body in rule.sections().items():
        lines.extend([f"## {heading}", body, ""])
    return "\n".join(lines).rstrip() + "\n"


def render_rules_markdown() -> str:
    """docs/rules.md: the catalogue table, then every rule's page."""
    lines = [
        "# Rules",
        "",
        "Generated from the rules' docstrings by `python -m cx_audit.renderers.rule_docs`;",
        "do not edit by hand. `cx-audit explain CODE` prints one page.",
        "",
        "| code | name | default | flags |",
        "|---|---|---|---|",
    ]
    for rule in RULES.values():
        lines.append(f"| [{rule.code}](#{rule.code.lower()}-{rule.name}) | {rule.name} | "
                     f"{rule.severity.value} | {rule.summary} |")
    lines.append("")
    for rule in RULES.values():
        lines.append(render_rule_doc(rule).replace("# ", "## ", 1).replace("\n## ", "\n### "))
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_rules_markdown())
