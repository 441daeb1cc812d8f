"""torch.nn.modules' layout over autograd_lite.nn: `autograd_lite.nn.modules.linear.Linear`
is `autograd_lite.nn.Linear`, so PyTorch-style imports, isinstance checks and
`add_safe_globals([nn.modules.linear.Linear])` work. Re-exports only; no logic."""
from . import adaptive  # noqa: F401
from . import (activation, batchnorm, channelshuffle, container, conv, distance, dropout, flatten,  # noqa: F401
               fold, instancenorm, lazy, linear, loss, module, normalization, padding, pixelshuffle,
               pooling, rnn, sparse, transformer, upsampling, utils)
from .activation import *  # noqa: F401,F403
from .adaptive import *  # noqa: F401,F403
from .batchnorm import *  # noqa: F401,F403
from .channelshuffle import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .fold import *  # noqa: F401,F403
from .instancenorm import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .module import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403
