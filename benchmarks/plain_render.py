"""The floor for bench.py: render the template's files with Jinja2 alone, no Copier.

usage: plain_render.py TEMPLATE_ROOT ANSWERS_FILE OUT_DIR
Same files, same context (answers + the derived `infra`, computed once), same filters; none of
Copier's questionnaire, answer validation, conflict handling or answers bookkeeping.
"""

import re
import shutil
import sys
from pathlib import Path

import jinja2
import yaml
from jinja2_ansible_filters import AnsibleCoreFiltersExtension  # the filters Copier adds

YIELD = re.compile(r"{% yield (\w+) from (\w+) %}(.*){% endyield %}")


def expand(part: str, env: jinja2.Environment, context: dict) -> list[tuple[str, dict]]:
    """A path segment rendered, or one per item for a segment with a yield tag."""
    match = YIELD.search(part)
    if not match:
        return [(env.from_string(part).render(context), context)]
    name, iterable, body = match.groups()
    segment = part[: match.start()] + body + part[match.end() :]
    return [
        (env.from_string(segment).render({**context, name: item}), {**context, name: item})
        for item in context[iterable]
    ]


def main(template_root: Path, answers_file: Path, out: Path) -> None:
    sys.path.insert(0, str(template_root))
    from extensions import context as derived
    from extensions.catalog import CatalogExtension
    from extensions.filters import FiltersExtension

    answers = {key: value for key, value in yaml.safe_load(answers_file.read_text()).items() if not key.startswith("_")}
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_root)),
        keep_trailing_newline=True,
        extensions=[CatalogExtension, FiltersExtension, AnsibleCoreFiltersExtension],
    )
    context = {
        **answers,
        "infra": derived.derive(answers),
        "_copier_answers": answers,
        "_copier_conf": {"answers_file": ".copier-answers.yml"},
    }
    source_root = template_root / "template"
    for source in sorted(source_root.rglob("*")):
        if not source.is_file():
            continue
        targets = [("", context)]
        for part in source.relative_to(source_root).parts:
            targets = [
                (f"{prefix}/{name}", ctx)
                for prefix, outer in targets
                for name, ctx in expand(part.removesuffix(".jinja"), env, outer)
                if name
            ]
        for relative, ctx in targets:  # a segment that renders empty drops the file
            target = out / relative.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.suffix == ".jinja":
                template = env.get_template(source.relative_to(template_root).as_posix())
                target.write_text(template.render(ctx))
            else:
                shutil.copyfile(source, target)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
