"""Sub-pixel super-resolution in the style of pytorch/examples super_resolution
(model.py and main.py): Conv2d layers with orthogonal initialisation and ReLU gain,
PixelShuffle, MSELoss, Adam, PSNR; on synthetic low/high-resolution pairs (the
high-resolution image smoothed, the low one its block average).

    python -m autograd_lite.as_torch tests/programs/super_resolution.py --nEpochs 2
"""
import argparse
from math import log10

import numpy as np
import torch
import torch.nn as nn
import torch.nn.init as init
import torch.optim as optim
from torch.utils.data import DataLoader, Dataset


class Net(nn.Module):
    def __init__(self, upscale_factor, width=16):
        super(Net, self).__init__()

        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, width, (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(width, width, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(width, width // 2, (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(width // 2, upscale_factor ** 2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)

        self._initialize_weights()

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        x = self.pixel_shuffle(self.conv4(x))
        return x

    def _initialize_weights(self):
        init.orthogonal_(self.conv1.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv2.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv3.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv4.weight)


class SyntheticPairs(Dataset):
    """(low-resolution, high-resolution) luminance pairs, as the example's DatasetFromFolder."""

    def __init__(self, n, size, upscale_factor, seed, dtype):
        rng = np.random.default_rng(seed)
        high = rng.uniform(0, 1, (n, 1, size, size))
        high = (high + np.roll(high, 1, 2) + np.roll(high, 1, 3) + np.roll(high, (1, 1), (2, 3))) / 4
        r = upscale_factor
        low = high.reshape(n, 1, size // r, r, size // r, r).mean(axis=(3, 5))
        self.low = torch.from_numpy(low).to(dtype)
        self.high = torch.from_numpy(high).to(dtype)

    def __getitem__(self, index):
        return self.low[index], self.high[index]

    def __len__(self):
        return len(self.low)


def main(argv=None, init=None):
    """Train; returns the loss of every batch and the PSNR of every epoch."""
    parser = argparse.ArgumentParser(description='PyTorch Super Res Example (synthetic images)')
    parser.add_argument('--upscale_factor', type=int, default=3)
    parser.add_argument('--batchSize', type=int, default=4)
    parser.add_argument('--testBatchSize', type=int, default=4)
    parser.add_argument('--nEpochs', type=int, default=2)
    parser.add_argument('--lr', type=float, default=0.01)
    parser.add_argument('--size', type=int, default=12)
    parser.add_argument('--dtype', default='float32')
    parser.add_argument('--seed', type=int, default=123)
    parser.add_argument('--verbose', action='store_true', default=False)
    opt = parser.parse_args(argv)

    torch.manual_seed(opt.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = getattr(torch, opt.dtype)

    train_set = SyntheticPairs(12, opt.size, opt.upscale_factor, 0, dtype)
    test_set = SyntheticPairs(4, opt.size, opt.upscale_factor, 1, dtype)
    training_data_loader = DataLoader(dataset=train_set, batch_size=opt.batchSize, shuffle=False)
    testing_data_loader = DataLoader(dataset=test_set, batch_size=opt.testBatchSize, shuffle=False)

    model = Net(upscale_factor=opt.upscale_factor).to(device).to(dtype)
    if init is not None:
        init({"model": model})
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=opt.lr)
    losses = []

    def train(epoch):
        epoch_loss = 0
        for iteration, batch in enumerate(training_data_loader, 1):
            input, target = batch[0].to(device), batch[1].to(device)

            optimizer.zero_grad()
            loss = criterion(model(input), target)
            epoch_loss += loss.item()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if opt.verbose:
                print("===> Epoch[{}]({}/{}): Loss: {:.4f}".format(epoch, iteration, len(training_data_loader),
                                                                  loss.item()))

    def test():
        avg_psnr = 0
        with torch.no_grad():
            for batch in testing_data_loader:
                input, target = batch[0].to(device), batch[1].to(device)
                prediction = model(input)
                mse = criterion(prediction, target)
                psnr = 10 * log10(1 / mse.item())
                avg_psnr += psnr
        avg_psnr /= len(testing_data_loader)
        losses.append(avg_psnr)
        if opt.verbose:
            print("===> Avg. PSNR: {:.4f} dB".format(avg_psnr))

    for epoch in range(1, opt.nEpochs + 1):
        train(epoch)
        test()
    return losses


if __name__ == '__main__':
    print(main())
