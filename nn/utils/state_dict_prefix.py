"""Strip a prefix from state_dict keys: loading a checkpoint saved from a wrapped model
(DistributedDataParallel's "module.") into the bare one. PyTorch keeps this function at
torch.nn.modules.utils (our nn.modules.utils re-exports it)."""

__all__ = ["consume_prefix_in_state_dict_if_present"]


def consume_prefix_in_state_dict_if_present(state_dict, prefix):
    """Remove `prefix` from every key of `state_dict` that starts with it, in place; the
    renamed entries move to the end, as PyTorch's. The keys of `state_dict._metadata`,
    if any, are renamed the same way (the wrapper's own entry becomes the root's)."""
    for key in list(state_dict.keys()):
        if key.startswith(prefix):
            state_dict[key[len(prefix):]] = state_dict.pop(key)
    metadata = getattr(state_dict, "_metadata", None)
    if metadata is None:
        return
    for key in list(metadata.keys()):
        if key and (key == prefix.replace(".", "") or key.startswith(prefix)):
            metadata[key[len(prefix):]] = metadata.pop(key)
