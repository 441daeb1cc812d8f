"""Grad mode: whether ops record the graph. Context managers and decorators."""
import functools


class _GradState:
    __slots__ = ("enabled",)

    def __init__(self):
        self.enabled = True


state = _GradState()


def is_grad_enabled():
    return state.enabled


class set_grad_enabled:
    """Set grad mode on or off; works as a function, context manager or decorator."""

    def __init__(self, mode):
        self.prev = state.enabled
        self.mode = bool(mode)
        state.enabled = self.mode

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        state.enabled = self.prev
        return False

    def __call__(self, fn):
        state.enabled = self.prev  # used as a decorator: undo the eager switch

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(self.mode):
                return fn(*args, **kwargs)

        return wrapper


class _GradModeContext:
    mode = True

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if orig_func is None:
            return self
        if not callable(orig_func):
            raise TypeError(f"{cls.__name__}() takes no arguments (or a function to decorate)")
        return self(orig_func)  # used as a bare decorator: @no_grad

    def __enter__(self):
        self.prev = state.enabled
        state.enabled = self.mode

    def __exit__(self, *exc):
        state.enabled = self.prev
        return False

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = state.enabled
            state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                state.enabled = prev

        return wrapper


class no_grad(_GradModeContext):
    """Ops inside run without recording the graph (inference, optimizer updates)."""

    mode = False


class enable_grad(_GradModeContext):
    """Turn recording back on inside a `no_grad` region."""

    mode = True
