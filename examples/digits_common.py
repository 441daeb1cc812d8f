"""What the data-parallel digits example and its single-process baseline share: the
data, the model (the package's digits CNN), the optimizer and the evaluation, so
the two scripts differ only in how a step's batch is spread over processes."""
import argparse

import autograd_lite as ag
from autograd_lite import nn, optim
from autograd_lite.demo import load_digits_splits
from autograd_lite.examples.cnn_digits import accuracy, make_model, random_shift  # noqa: F401
from autograd_lite.utils.data import TensorDataset


def parse_args(description, argv=None):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=64, help="samples per step, over all processes")
    p.add_argument("--lr", type=float, default=4e-3)
    p.add_argument("--width", type=int, default=32)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--save", default=None, help="save the best weights to this file")
    return p.parse_args(argv)


def load_data(seed):
    """(train dataset, (x_val, y_val), (x_test, y_test)) of the 8x8 digits as images."""
    (x_tr, y_tr), val, test = [(x.reshape(-1, 1, 8, 8), y) for x, y in load_digits_splits(seed)]
    return TensorDataset(x_tr, y_tr), val, test


def make_training(args, steps_per_epoch):
    """The model, AdamW with a one-cycle schedule, and the loss (as cnn_digits)."""
    ag.manual_seed(args.seed)
    model = make_model(args.width)
    opt = optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch)
    return model, opt, sched, nn.CrossEntropyLoss(label_smoothing=0.1)


def snapshot(model):
    return {k: v.clone() for k, v in model.state_dict().items()}
