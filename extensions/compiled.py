"""Compile each template once per process, not once per use.

Copier compiles every segment of every template path with `from_string`, again for each file
below it (`{% if cloud == 'aws' %}modules{% endif %}` thousands of times per render), and
`copier update` renders the template three times in one process, each time with a new Jinja
environment that compiles every file again. Compiled code depends only on the source and on how
the environment parses it, so it is kept by both, for the life of the process: the same answers
still give the same bytes.
"""

import sys
import types

from jinja2 import BytecodeCache
from jinja2.ext import Extension

# Copier executes this file anew for every environment it builds; the store outlives those runs.
_STORE = sys.modules.setdefault("copier_infra_compiled_code", types.ModuleType("copier_infra_compiled_code"))
if not hasattr(_STORE, "code"):
    _STORE.code = {}


def _parsing(environment) -> tuple:
    """What the compiled code of one source depends on besides the source."""
    return (
        type(environment).__qualname__,
        *(
            repr(getattr(environment, option))
            for option in (
                "block_start_string",
                "block_end_string",
                "variable_start_string",
                "variable_end_string",
                "comment_start_string",
                "comment_end_string",
                "line_statement_prefix",
                "line_comment_prefix",
                "trim_blocks",
                "lstrip_blocks",
                "newline_sequence",
                "keep_trailing_newline",
                "optimized",
                "autoescape",
            )
        ),
        environment.finalize is not None,
        tuple(sorted(f"{type(ext).__module__}.{type(ext).__qualname__}" for ext in environment.extensions.values())),
        tuple(sorted(environment.filters)),
        tuple(sorted(environment.tests)),
    )


class _SharedBytecode(BytecodeCache):
    """Jinja's bytecode cache, in memory: keyed by template name and parsing, checked by source."""

    def __init__(self, parsing: tuple):
        self.parsing = parsing

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        # by name only: each render of an update reads the template from its own temporary clone
        return name

    def load_bytecode(self, bucket) -> None:
        checksum, code = _STORE.code.get((self.parsing, bucket.key), (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket) -> None:
        _STORE.code[(self.parsing, bucket.key)] = (bucket.checksum, bucket.code)


class CompiledStrings(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        parsing = None
        compile_string = environment.from_string

        def from_string(source, globals=None, template_class=None):
            nonlocal parsing
            if not isinstance(source, str) or globals or template_class:
                return compile_string(source, globals, template_class)
            if parsing is None:  # every extension and filter is registered by the first render
                parsing = _parsing(environment)
                environment.bytecode_cache = _SharedBytecode(parsing)
            key = (parsing, "string", source)
            if key not in _STORE.code:
                _STORE.code[key] = environment.compile(source)
            else:
                # what compiling runs first: `{% yield %}` forgets the variables it last yielded
                environment.preprocess(source)
            return environment.template_class.from_code(environment, _STORE.code[key], environment.make_globals(None))

        environment.from_string = from_string
