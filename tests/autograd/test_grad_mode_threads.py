"""Grad mode is per thread, as PyTorch's: a no_grad region (a user's, or the ones inside
optimizer.step() and backward()) in one thread never switches recording off in another,
interleaved regions restore each thread's own mode, and new threads start recording."""
import threading

import numpy as np
import torch

import autograd_lite as ag
from autograd_lite import nn, optim


def _in_thread(fn):
    result = {}

    def run():
        try:
            result["value"] = fn()
        except BaseException as e:  # re-raised in the caller
            result["error"] = e
    t = threading.Thread(daemon=True, target=run)
    t.start()
    t.join(timeout=60)
    assert not t.is_alive()
    if "error" in result:
        raise result["error"]
    return result.get("value")


def test_no_grad_in_one_thread_leaves_another_recording():
    entered, release = threading.Event(), threading.Event()

    def evaluate():
        with ag.no_grad():
            entered.set()
            release.wait(30)
            return ag.is_grad_enabled()

    t = threading.Thread(daemon=True, target=evaluate)
    t.start()
    assert entered.wait(30)
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    assert ag.is_grad_enabled() and y.requires_grad and y.grad_fn is not None
    release.set()
    t.join(30)


def test_interleaved_regions_restore_each_threads_mode():
    """A enters no_grad, B enters no_grad, A leaves, B leaves: with one shared flag the
    last exit restored "off" for good."""
    steps = [threading.Event() for _ in range(4)]
    seen = {}

    def a():
        with ag.no_grad():
            steps[0].set()
            steps[1].wait(30)
        seen["a_after"] = ag.is_grad_enabled()
        steps[2].set()

    def b():
        steps[0].wait(30)
        with ag.no_grad():
            steps[1].set()
            steps[2].wait(30)
        seen["b_after"] = ag.is_grad_enabled()
        steps[3].set()

    threads = [threading.Thread(daemon=True, target=a), threading.Thread(daemon=True, target=b)]
    for t in threads:
        t.start()
    assert steps[3].wait(30)
    for t in threads:
        t.join(30)
    assert seen == {"a_after": True, "b_after": True}
    assert ag.is_grad_enabled()


def test_new_threads_start_recording_and_set_grad_enabled_is_per_thread():
    with ag.no_grad():
        assert _in_thread(ag.is_grad_enabled) is True
    ag.set_grad_enabled(False)
    try:
        assert _in_thread(ag.is_grad_enabled) is True
        assert not ag.is_grad_enabled()
    finally:
        ag.set_grad_enabled(True)
    assert _in_thread(lambda: torch.is_grad_enabled()) is True  # torch agrees


def _data(seed):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((8, 4)).astype(np.float32), rng.integers(0, 3, 8)) for _ in range(20)]


def _train(model, batches, barrier=None):
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for x, y in batches:
        loss = nn.functional.cross_entropy(model(ag.tensor(x)), ag.tensor(y))
        opt.zero_grad()
        loss.backward()
        if barrier is not None:
            barrier.wait(30)  # the evaluating thread runs its no_grad region now
        opt.step()
    return [p.detach().numpy().copy() for p in model.parameters()]


def test_training_in_one_thread_while_another_evaluates_under_no_grad():
    batches = _data(0)
    ag.manual_seed(0)
    reference_model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
    start = {k: v.detach().numpy().copy() for k, v in reference_model.state_dict().items()}
    reference = _train(reference_model, batches)

    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
    model.load_state_dict(start)
    evaluator = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
    barrier = threading.Barrier(2)
    outputs = []

    def evaluate():
        for x, _ in batches:
            with ag.no_grad():
                barrier.wait(30)
                outputs.append(evaluator(ag.tensor(x)).requires_grad)

    t = threading.Thread(daemon=True, target=evaluate)
    t.start()
    try:
        trained = _train(model, batches, barrier)
    except BaseException:
        barrier.abort()  # never leave the evaluator waiting
        raise
    finally:
        t.join(60)
    assert outputs == [False] * len(batches)
    for got, want in zip(trained, reference):
        np.testing.assert_array_equal(got, want)


def test_backward_in_one_thread_leaves_another_recording():
    """backward() runs with grad mode off (create_graph=False); a thread building a
    graph meanwhile keeps recording."""
    x = ag.tensor(np.ones((200, 200)), requires_grad=True)
    recorded = []
    done = threading.Event()

    def build():
        while not done.is_set():
            y = ag.tensor([1.0], requires_grad=True) * 2
            recorded.append(y.grad_fn is not None)

    t = threading.Thread(daemon=True, target=build)
    t.start()
    try:
        for _ in range(20):
            (ag.tanh(x @ x) * 2).sum().backward()
    finally:
        done.set()
        t.join(30)
    assert recorded and all(recorded)
