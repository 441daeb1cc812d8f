"""The main job: `python -m autograd_lite.demo`.

Trains an MLP on scikit-learn's bundled 8x8 handwritten digits (no download) the
PyTorch way (Module, DataLoader, CrossEntropyLoss, Adam, an LR schedule), with early
stopping on the validation loss; reports test accuracy and saves the weights. With
`--tensorboard [DIR]` it logs each epoch for TensorBoard (`tensorboard --logdir runs`);
with `--onnx` it exports the best model to ONNX and checks it in onnxruntime.
"""
import argparse
import time
from pathlib import Path

import numpy as np

import autograd_lite as ag
from autograd_lite import viz
from autograd_lite import nn, optim
from autograd_lite.utils.data import DataLoader, TensorDataset


def load_digits_splits(seed=0):
    """Digits scaled to [0, 1], split 60/20/20 into train/validation/test tensors."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise SystemExit(
            "the demo needs scikit-learn for its bundled digits data: pip install -e '.[demo]'"
        ) from e
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    x, y = x[order], y[order]
    n_train, n_val = int(0.6 * len(y)), int(0.2 * len(y))
    cut = [0, n_train, n_train + n_val, len(y)]
    return [(ag.tensor(x[a:b]), ag.tensor(y[a:b])) for a, b in zip(cut[:-1], cut[1:])]


def evaluate(model, x, y, loss_fn):
    model.eval()
    with ag.no_grad():
        logits = model(x)
        loss = loss_fn(logits, y).item()
        acc = (logits.argmax(1) == y).float().mean().item()
    model.train()
    return loss, acc


def _epochs(n, enabled):
    """range(1, n + 1) with a tqdm bar on a terminal (tqdm is in the demo extra), and
    a `write` that prints without breaking the bar."""
    if enabled:
        try:
            from tqdm import tqdm

            bar = tqdm(range(1, n + 1), desc="training", unit="epoch", ncols=90, disable=None)
            return bar, tqdm.write
        except ImportError:  # pragma: no cover - depends on the environment
            pass
    return range(1, n + 1), print


def train(epochs=60, batch_size=32, lr=2e-3, patience=10, out_dir="demo_output", progress=True,
          seed=0, sizes=(64, 256, 128, 10), dropout=0.2, weight_decay=0.0, batch_norm=True,
          label_smoothing=0.1, tensorboard=None, export_onnx=False):
    """Train, early-stop on validation loss, report test accuracy, save weights.

    tensorboard: a log directory ('' for PyTorch's default runs/<date>_<host>) to log
    each epoch's losses, accuracies, learning rate and weight histograms to, with
    the model's graph and the run's hyperparameters; None logs nothing.
    export_onnx: also write the best model as `mlp_digits.onnx` (dynamic batch axis)
    and check onnxruntime's predictions on the test set against the model's.
    The defaults reached 98.6-99.7% test accuracy over seeds 0-4 (about 3 s each)."""
    ag.manual_seed(seed)
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = load_digits_splits(seed)
    model = nn.MLP(sizes, activation="relu", dropout=dropout, batch_norm=batch_norm)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=label_smoothing)
    opt = optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=batch_size, shuffle=True)
    print(f"autograd_lite {ag.__version__}: digits 8x8, {len(y_tr)} train / {len(y_va)} val / "
          f"{len(y_te)} test")
    print(f"model: MLP {list(model.sizes)} (ReLU{', batch norm' if batch_norm else ''}, dropout "
          f"{dropout}); AdamW lr {lr}, cosine schedule, label smoothing {label_smoothing}")

    writer = _tensorboard_writer(tensorboard, model, x_tr[:8]) if tensorboard is not None else None
    start = time.perf_counter()
    best_loss, best_state, best_epoch, waited = float("inf"), None, 0, 0
    epochs_iter, write = _epochs(epochs, progress)
    for epoch in epochs_iter:
        total, correct, seen = 0.0, 0, 0
        lr_this_epoch = opt.param_groups[0]["lr"]
        for xb, yb in loader:
            logits = model(xb)
            loss = loss_fn(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
            correct += int((logits.argmax(1) == yb).sum().item())
            seen += len(yb)
        sched.step()
        val_loss, val_acc = evaluate(model, x_va, y_va, loss_fn)
        write(f"epoch {epoch:3d}  train loss {total / seen:.4f} acc {correct / seen:.3f}  "
              f"val loss {val_loss:.4f} acc {val_acc:.3f}")
        if writer is not None:
            _log_epoch(writer, model, epoch, (total / seen, correct / seen), (val_loss, val_acc), lr_this_epoch)
        if hasattr(epochs_iter, "set_postfix"):
            epochs_iter.set_postfix(val_loss=f"{val_loss:.4f}", val_acc=f"{val_acc:.3f}")
        if val_loss < best_loss - 1e-4:
            best_loss, best_epoch, waited = val_loss, epoch, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            waited += 1
            if waited >= patience:
                write(f"early stop: validation loss has not improved for {patience} epochs")
                break
    if hasattr(epochs_iter, "close"):
        epochs_iter.close()
    model.load_state_dict(best_state)
    test_loss, test_acc = evaluate(model, x_te, y_te, loss_fn)
    elapsed = time.perf_counter() - start
    print(f"best epoch {best_epoch}: test loss {test_loss:.4f}, test accuracy {test_acc:.4f} "
          f"({elapsed:.1f} s training)")
    if writer is not None:
        writer.add_hparams({"lr": lr, "batch_size": batch_size, "dropout": dropout, "weight_decay": weight_decay,
                            "label_smoothing": label_smoothing, "seed": seed, "batch_norm": batch_norm},
                           {"hparam/test_accuracy": test_acc, "hparam/test_loss": test_loss,
                            "hparam/best_epoch": best_epoch}, run_name="hparams")
        writer.close()
        print(f"TensorBoard logs in {writer.get_logdir()} (view them: tensorboard --logdir {writer.get_logdir()})")

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    weights = out / "mlp_digits.agz"
    ag.save(model.state_dict(), weights)
    print(f"saved weights to {weights}")
    _save_graph_picture(model, loss_fn, x_tr[:8], y_tr[:8], out)
    if export_onnx:
        _export_onnx(model, x_te, out)
    return test_acc


def _export_onnx(model, x_test, out):
    """Export the model with a dynamic batch axis and run the test set in onnxruntime
    (the onnx and onnxruntime packages are optional dependencies)."""
    try:
        import onnxruntime

        import autograd_lite.onnx
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise SystemExit(f"--onnx needs the onnx and onnxruntime packages: pip install onnx onnxruntime ({e})") from e
    path = out / "mlp_digits.onnx"
    autograd_lite.onnx.export(model, x_test[:2], str(path), input_names=["pixels"], output_names=["logits"],
                              dynamic_axes={"pixels": {0: "batch"}, "logits": {0: "batch"}})
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {"pixels": x_test.numpy()})[0]
    model.eval()
    with ag.no_grad():
        want = model(x_test).numpy()
    same = float(np.mean(got.argmax(1) == want.argmax(1)))
    print(f"exported the best model to {path}; onnxruntime on the {len(got)} test images: max |difference| "
          f"{np.abs(got - want).max():.1e}, same predictions {same:.1%}")
    if not np.allclose(got, want, rtol=1e-5, atol=1e-5):
        raise SystemExit(f"--onnx: onnxruntime's outputs differ from the model's (max |difference| "
                         f"{np.abs(got - want).max():.1e}, above 1e-5)")
    return path


def _tensorboard_writer(log_dir, model, example_input):
    """A SummaryWriter (the tensorboard package is an optional dependency) that
    already holds the model's graph."""
    try:
        from autograd_lite.utils.tensorboard import SummaryWriter
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise SystemExit(f"--tensorboard needs the tensorboard package: pip install -e '.[tensorboard]' ({e})") from e
    writer = SummaryWriter(log_dir or None)
    writer.add_graph(model, example_input)
    return writer


def _log_epoch(writer, model, epoch, train, val, lr):
    """Losses, accuracies, the learning rate and a histogram of every parameter."""
    writer.add_scalar("Loss/train", train[0], epoch)
    writer.add_scalar("Loss/val", val[0], epoch)
    writer.add_scalar("Accuracy/train", train[1], epoch)
    writer.add_scalar("Accuracy/val", val[1], epoch)
    writer.add_scalar("LearningRate", lr, epoch)
    for name, param in model.named_parameters():
        writer.add_histogram(f"weights/{name}", param, epoch)


def _save_graph_picture(model, loss_fn, x, y, out):
    """Draw one training step's graph, one cluster per layer (needs Graphviz's dot)."""
    loss = loss_fn(model(x), y)
    try:
        path = viz.render(loss, out / "mlp_step_graph", format="svg",
                          params=dict(model.named_parameters()), cluster_modules=model)
        print(f"saved the graph of one training step to {path}")
    except RuntimeError as e:  # no Graphviz `dot`: the message says how to install it
        print(f"graph picture not rendered: {e}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--patience", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="demo_output", help="folder for the weights and the graph picture")
    p.add_argument("--no-progress", action="store_true", help="no tqdm progress bars")
    p.add_argument("--tensorboard", nargs="?", const="", default=None, metavar="DIR",
                   help="log losses, accuracies, learning rate and weight histograms per epoch for "
                        "TensorBoard to DIR (default: runs/<date>_<host>)")
    p.add_argument("--onnx", action="store_true",
                   help="export the best model to OUT/mlp_digits.onnx and check it in onnxruntime")
    args = p.parse_args(argv)
    return train(args.epochs, args.batch_size, args.lr, args.patience, args.out,
                 progress=not args.no_progress, seed=args.seed, tensorboard=args.tensorboard,
                 export_onnx=args.onnx)


if __name__ == "__main__":
    main()
