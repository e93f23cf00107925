"""`python -m tools.review`: the manifests a stack creates, or their diff, for review without a cluster.

python -m tools.review dev                      # YAML stream of the dev stack
python -m tools.review dev --out dev.yaml
python -m tools.review diff dev prod            # two stacks
python -m tools.review diff prod --base main    # one stack at two git revisions (head: the work tree)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from components.errors import ConfigError
from tools.review.diff import diff, print_warnings, render_at_revision
from tools.review.render import render_with_warnings
from tools.stack_files import ROOT, UnknownStackError


def _render_labelled(stack: str, root: Path, label: str) -> str:
    text, warnings = render_with_warnings(stack, root)
    print_warnings(warnings, f"[{label}] ")
    return text


def _diff(args: list[str], root: Path) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.review diff")
    parser.add_argument("stacks", nargs="+", help="two stacks, or one stack with --base")
    parser.add_argument("--base", help="git revision to compare the work tree (or --head) against")
    parser.add_argument("--head", help="git revision instead of the work tree")
    options = parser.parse_args(args)
    if options.base:
        if len(options.stacks) != 1:
            parser.error("with --base give exactly one stack")
        (stack,) = options.stacks
        before = render_at_revision(stack, options.base)
        names = (f"{stack}@{options.base}", f"{stack}@{options.head or 'worktree'}")
        after = render_at_revision(stack, options.head) if options.head else _render_labelled(stack, root, names[1])
    else:
        if len(options.stacks) != 2:
            parser.error("give two stacks, or one stack with --base")
        first, second = options.stacks
        before, after = _render_labelled(first, root, first), _render_labelled(second, root, second)
        names = (first, second)
    sys.stdout.write(diff(before, after, *names))
    return 0


def _render(args: list[str], root: Path) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.review", description="The exact manifests of a stack, offline.")
    parser.add_argument("stack")
    parser.add_argument("--out", type=Path, help="write here instead of stdout")
    options = parser.parse_args(args)
    text, warnings = render_with_warnings(options.stack, root)
    print_warnings(warnings)
    if options.out:
        options.out.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return _diff(args[1:], root) if args[:1] == ["diff"] else _render(args, root)
    except (ConfigError, UnknownStackError) as error:
        print(f"render: {error}" if isinstance(error, UnknownStackError) else error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
