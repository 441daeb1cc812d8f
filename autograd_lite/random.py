"""The global random generator: `manual_seed` makes every random draw repeatable
(factories, init, dropout, shuffling). The streams differ from PyTorch's."""
import numpy as np

_state = {"generator": np.random.default_rng()}


def manual_seed(seed):
    _state["generator"] = np.random.default_rng(int(seed))
    return _state["generator"]


seed = manual_seed


def generator():
    """The generator every random op draws from."""
    return _state["generator"]


def get_rng_state():
    return _state["generator"].bit_generator.state


def set_rng_state(state):
    _state["generator"].bit_generator.state = state
