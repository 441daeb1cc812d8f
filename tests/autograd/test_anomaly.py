"""Anomaly mode as PyTorch's: the first NaN a node's rule returns raises, naming the op
and showing the forward call that made it; other backward errors show that call too;
it is per thread and costs nothing once off."""
import threading
import warnings

import pytest
import torch

import autograd_lite as ag
from autograd_lite.autograd import anomaly, node as node_module


def _nan_gradient(lib, x):
    y = x * 2
    z = lib.sqrt(y - 3)  # sqrt of a negative: NaN, and NaN in its gradient
    return z.sum()


def test_a_nan_gradient_raises_naming_the_op_and_the_forward_line():
    for lib in (ag, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly():
                loss = _nan_gradient(lib, x)
                with pytest.raises(RuntimeError, match=r"Function 'SqrtBackward0?' returned nan values "
                                                       r"in its 0th output"):
                    loss.backward()
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ag.autograd.detect_anomaly():
            with pytest.raises(RuntimeError) as info:
                _nan_gradient(ag, x).backward()
    message = str(info.value)
    assert "test_anomaly.py" in message and "_nan_gradient" in message
    assert "lib.sqrt(y - 3)" in message


def test_without_anomaly_mode_nan_gradients_pass_silently_as_in_torch():
    for lib in (ag, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        _nan_gradient(lib, x).backward()
        assert bool(lib.isnan(x.grad).any())


@pytest.mark.filterwarnings("ignore:Error detected in")
def test_check_nan_false_and_set_detect_anomaly():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with ag.autograd.set_detect_anomaly(True, check_nan=False):
        assert ag.is_anomaly_enabled() and not ag.is_anomaly_check_nan_enabled()
        _nan_gradient(ag, x).backward()  # no raise
    assert not ag.is_anomaly_enabled()
    ag.autograd.set_detect_anomaly(True)
    try:
        assert ag.is_anomaly_enabled() and ag.is_anomaly_check_nan_enabled()
        with pytest.raises(RuntimeError, match="returned nan values"):
            _nan_gradient(ag, ag.tensor([1.0], requires_grad=True)).backward()
    finally:
        ag.autograd.set_detect_anomaly(False)
    assert not ag.is_anomaly_enabled()


def test_detect_anomaly_warns_on_entry_and_works_as_a_decorator():
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        @ag.autograd.detect_anomaly()
        def step(x):
            return ag.is_anomaly_enabled()
    assert step(1) is True and not ag.is_anomaly_enabled()


def test_other_backward_errors_show_the_forward_call():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ag.autograd.detect_anomaly():
            y = x * 1
            z = ag.tanh(y)
            with ag.no_grad():
                z.mul_(2)  # tanh saved its output
            with pytest.raises(RuntimeError, match="modified by an inplace operation|modified by an in-place"):
                z.sum().backward()
    traces = [str(w.message) for w in caught if "Error detected in" in str(w.message)]
    assert traces and "TanhBackward" in traces[0] and "z = ag.tanh(y)" in traces[0]


def test_anomaly_mode_is_per_thread():
    seen = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ag.autograd.detect_anomaly():
            t = threading.Thread(target=lambda: seen.setdefault("other", ag.is_anomaly_enabled()))
            t.start()
            t.join(30)
            assert ag.is_anomaly_enabled()
    assert seen == {"other": False}


def test_it_costs_nothing_once_off():
    plain = node_module.next_seq
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ag.autograd.detect_anomaly():
            assert node_module.next_seq is not plain
            ag.tanh(ag.ones(2, requires_grad=True))
            assert anomaly._stacks
    assert node_module.next_seq is plain and not anomaly._stacks
