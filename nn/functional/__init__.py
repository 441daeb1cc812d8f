"""Functional forms of the layers, activations and losses (`import
autograd_lite.nn.functional as F`), with PyTorch's names and arguments."""
from autograd_lite.extend import document_from_table

from .activation import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .multihead_attention import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .embedding_bag import *  # noqa: F401,F403
from .fold import *  # noqa: F401,F403
from .likelihood_loss import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .margin_loss import *  # noqa: F401,F403
from .classification_loss import *  # noqa: F401,F403
from .regression_loss import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .shuffle import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403
from .vision import *  # noqa: F401,F403

document_from_table("nn.functional", globals())
del document_from_table  # not part of nn.functional
