"""Random generators: `manual_seed` makes every random draw repeatable (factories, init,
dropout, shuffling), and `Generator` is a stream of its own for `generator=` arguments.
The streams differ from PyTorch's."""
import numpy as np

from .devices import CPU, cpu_only

_SEED_MASK = (1 << 64) - 1  # PyTorch takes any int and keeps it modulo 2**64


class Generator(np.random.Generator):
    """A random stream, as `torch.Generator` on the CPU (`manual_seed`, `seed`,
    `initial_seed`, `get_state`, `set_state`). It is also a NumPy Generator, so it
    works wherever the library accepts one (`nn.init`, `utils.data`)."""

    def __init__(self, device="cpu"):
        cpu_only(device, "Generator")
        self._initial_seed = int(np.random.SeedSequence().entropy) & _SEED_MASK
        super().__init__(np.random.PCG64(self._initial_seed))

    @property
    def device(self):
        """The generator's device: always the CPU."""
        return CPU

    def manual_seed(self, seed):
        """Restart the stream from `seed`; returns the generator."""
        seed = int(seed) & _SEED_MASK
        self.bit_generator.state = np.random.PCG64(seed).state
        self._initial_seed = seed
        return self

    def seed(self):
        """Reseed from fresh entropy; returns the new seed."""
        seed = int(np.random.SeedSequence().entropy) & _SEED_MASK
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        """The seed the stream started from (`manual_seed`, or the entropy drawn at creation)."""
        return self._initial_seed

    def get_state(self):
        """The stream's state (NumPy's PCG64 state dict), for `set_state`."""
        return self.bit_generator.state

    def set_state(self, state):
        """Restore a state from `get_state()`; returns the generator."""
        self.bit_generator.state = state
        return self

    def __reduce__(self):
        return (_restored_generator, (self._initial_seed, self.bit_generator.state))


def _restored_generator(initial_seed, state):
    g = Generator()
    g._initial_seed = initial_seed
    g.bit_generator.state = state
    return g


default_generator = Generator()


def manual_seed(seed):
    """Seed the global generator; returns it."""
    return default_generator.manual_seed(seed)


def seed():
    """Seed the global generator from fresh entropy; returns the seed."""
    return default_generator.seed()


def initial_seed():
    """The seed of the global generator."""
    return default_generator.initial_seed()


def generator():
    """The generator every random op draws from when given none."""
    return default_generator


def get_rng_state():
    """The global generator's state, for `set_rng_state` (a dict, not PyTorch's byte tensor)."""
    return default_generator.get_state()


def set_rng_state(state):
    """Restore the global generator's state from `get_rng_state()`."""
    default_generator.set_state(state)


def as_numpy_generator(generator, what):
    """The stream to draw from for a `generator=` argument (None is the global one)."""
    if generator is None:
        return default_generator
    if not isinstance(generator, np.random.Generator):
        raise TypeError(f"{what}: generator must be an ag.Generator, got "
                        f"{type(generator).__name__}")
    return generator
