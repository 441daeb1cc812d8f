"""nn.SyncBatchNorm in one process (BatchNorm's behaviour, as PyTorch's without a
process group) against torch.nn.SyncBatchNorm, and convert_sync_batchnorm's module
tree, shared parameters and state_dict keys. The multi-rank case:
tests/distributed/test_sync_batchnorm.py."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from nn_helpers import assert_state_dict_like, check_module


def _model(lib, momentum=0.1):
    return lib.nn.Sequential(lib.nn.Conv2d(2, 3, 1), lib.nn.BatchNorm2d(3, momentum=momentum),
                             lib.nn.Sequential(lib.nn.Flatten(), lib.nn.BatchNorm1d(12, affine=False)))


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_converted_model_matches_torch_in_one_process(train, momentum):
    x = np.random.default_rng(0).standard_normal((5, 2, 2, 2)) * 2 + 1
    check_module(lambda: nn.SyncBatchNorm.convert_sync_batchnorm(_model(ag, momentum)),
                 lambda: torch.nn.SyncBatchNorm.convert_sync_batchnorm(_model(torch, momentum)),
                 x, train=train, steps=3)


@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 2, 2, 2)])
def test_sync_batchnorm_takes_any_rank_of_input_as_torch(shape):
    x = np.random.default_rng(1).standard_normal(shape)
    check_module(lambda: nn.SyncBatchNorm(3), lambda: torch.nn.SyncBatchNorm(3), x, steps=2)


def test_convert_shares_parameters_and_buffers_and_keeps_the_training_flag():
    model = _model(ag).eval()
    bn = model[1]
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    sync = converted[1]
    assert type(sync) is nn.SyncBatchNorm and type(converted[2][1]) is nn.SyncBatchNorm
    assert sync.weight is bn.weight and sync.running_mean is bn.running_mean
    assert not sync.training and sync.process_group is None
    assert_state_dict_like(converted, torch.nn.SyncBatchNorm.convert_sync_batchnorm(_model(torch)))
    assert nn.SyncBatchNorm.convert_sync_batchnorm(bn) is not bn
    assert nn.modules.batchnorm.SyncBatchNorm is nn.SyncBatchNorm


def test_bad_input_raises_as_torch():
    for lib in (ag, torch):
        with pytest.raises(ValueError, match="at least 2D"):
            lib.nn.SyncBatchNorm(3)(lib.ones(3))
        with pytest.raises(ValueError, match="non-zero"):
            lib.nn.SyncBatchNorm(0)(lib.ones(2, 0))
