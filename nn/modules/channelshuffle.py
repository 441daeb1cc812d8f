"""torch.nn.modules.channelshuffle: ChannelShuffle, the objects of autograd_lite.nn."""
from .. import ChannelShuffle  # noqa: F401

__all__ = ["ChannelShuffle"]
