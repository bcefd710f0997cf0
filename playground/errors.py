"""The few errors the playground raises; each message tells the user what to do."""

from __future__ import annotations


class PlaygroundError(Exception):
    """Base class: its message is shown to the user as is and names the fix."""

    # The last streamed state when the error came mid-stream, so nothing already shown is lost.
    partial: object | None = None


class InputError(PlaygroundError):
    """The user's input cannot be used (empty, binary, too long, ...)."""


class UnknownLanguageError(InputError):
    """A language name we do not support."""


class ContextOverflowError(InputError):
    """The prompt does not fit in the model's context window."""

    def __init__(self, prompt_tokens: int, context_size: int, reserve: int = 0) -> None:
        self.prompt_tokens = prompt_tokens
        self.context_size = context_size
        room = context_size - reserve
        super().__init__(
            f"The input is too long for this model: the prompt needs {prompt_tokens} tokens "
            f"but the context window holds {context_size} tokens"
            + (f" ({reserve} are kept for the answer, so at most {room} for the prompt)" if reserve else "")
            + ". Shorten the code (send one function at a time) or pick a model with a longer context."
        )


class ModelError(PlaygroundError):
    """A model cannot be found, downloaded or loaded."""


class EngineError(PlaygroundError):
    """An engine is unknown, unavailable or failed while generating."""


class CancelledError(PlaygroundError):
    """Generation was stopped by the user."""


class AccessError(PlaygroundError):
    """A teacher's page or setting asked for without the admin token, or a student's action on what is not theirs."""


class RecordError(PlaygroundError):
    """The class record is off or cannot do what was asked."""
