"""Graph convolutional network in the style of pytorch/examples gcn/main.py: a
GraphConv layer (`torch.mm` then `torch.spmm` with the normalised adjacency), two
layers, log_softmax, NLLLoss on index masks, Adam with weight decay, on a synthetic
graph of two communities. The adjacency is built as the example builds Cora's
(`sparse_coo_tensor`, self-loops, degrees, `diag(...).to_sparse()`, renormalisation);
`--dense` runs the same arithmetic on dense tensors.

    python -m autograd_lite.as_torch tests/programs/gcn.py --epochs 5 --dense
"""
import argparse

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim import Adam


class GraphConv(nn.Module):
    """H' = A_hat @ H @ W (+ b), A_hat the renormalised adjacency D^-1/2 (A + I) D^-1/2."""

    def __init__(self, input_dim, output_dim, use_bias=False):
        super(GraphConv, self).__init__()
        self.kernel = nn.Parameter(torch.Tensor(input_dim, output_dim))
        nn.init.xavier_normal_(self.kernel)
        self.bias = None
        if use_bias:
            self.bias = nn.Parameter(torch.Tensor(output_dim))
            nn.init.zeros_(self.bias)

    def forward(self, input_tensor, adj_mat):
        support = torch.mm(input_tensor, self.kernel)
        output = torch.spmm(adj_mat, support) if adj_mat.is_sparse else torch.mm(adj_mat, support)
        if self.bias is not None:
            output = output + self.bias
        return output


class GCN(nn.Module):
    def __init__(self, input_dim, hidden_dim, output_dim, use_bias=True, dropout_p=0.1):
        super(GCN, self).__init__()
        self.gc1 = GraphConv(input_dim, hidden_dim, use_bias=use_bias)
        self.gc2 = GraphConv(hidden_dim, output_dim, use_bias=use_bias)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, input_tensor, adj_mat):
        x = self.gc1(input_tensor, adj_mat)
        x = F.relu(x)
        x = self.dropout(x)
        x = self.gc2(x, adj_mat)
        return F.log_softmax(x, dim=1)


def synthetic_graph(nodes=60, features=20, seed=0, dense=False):
    """Two communities with denser edges inside each; bag-of-words features that lean
    to the community. Normalised as the example normalises Cora."""
    rng = np.random.default_rng(seed)
    labels_np = (np.arange(nodes) >= nodes // 2).astype(np.int64)
    same = labels_np[:, None] == labels_np[None, :]
    upper = np.triu(rng.uniform(size=(nodes, nodes)) < np.where(same, 0.15, 0.02), 1)
    edges = np.argwhere(upper | upper.T).astype(np.int64)
    words = rng.uniform(size=(nodes, features)) < np.where(labels_np[:, None] == 1, 0.3, 0.1) + 0.1 * (
        np.arange(features) % 2)

    features_t = torch.FloatTensor(words.astype(np.float32))
    scale_vector = torch.sum(features_t, dim=1)
    scale_vector = 1 / scale_vector
    scale_vector[scale_vector == float('inf')] = 0
    labels = torch.LongTensor(labels_np)

    V, E = nodes, edges.shape[0]
    if dense:
        features_t = torch.diag(scale_vector) @ features_t
        adj_mat = torch.zeros(V, V)
        adj_mat[edges[:, 0], edges[:, 1]] = 1.0
        adj_mat = torch.eye(V) + adj_mat
        degree_mat = torch.sqrt(1 / torch.sum(adj_mat, dim=1))
        degree_mat[degree_mat == float('inf')] = 0
        adj_mat = torch.diag(degree_mat) @ adj_mat @ torch.diag(degree_mat)
        return features_t, labels, adj_mat
    features_t = torch.diag(scale_vector).to_sparse() @ features_t
    adj_mat = torch.sparse_coo_tensor(edges.T, torch.ones(E), (V, V))
    adj_mat = torch.eye(V) + adj_mat
    degree_mat = torch.sum(adj_mat, dim=1)
    degree_mat = torch.sqrt(1 / degree_mat)
    degree_mat[degree_mat == float('inf')] = 0
    degree_mat = torch.diag(degree_mat).to_sparse()
    adj_mat = degree_mat @ adj_mat @ degree_mat
    return features_t, labels, adj_mat.to_sparse()


def test(model, criterion, input, target, mask):
    model.eval()
    with torch.no_grad():
        output = model(*input)
        output, target = output[mask], target[mask]
        loss = criterion(output, target)
        acc = (output.argmax(dim=1) == target).float().sum() / len(target)
    return loss.item(), acc.item()


def main(argv=None, init=None):
    """Train; returns the training loss, then training and validation loss, of every epoch."""
    parser = argparse.ArgumentParser(description='PyTorch Graph Convolutional Network (synthetic graph)')
    parser.add_argument('--epochs', type=int, default=8)
    parser.add_argument('--lr', type=float, default=0.01)
    parser.add_argument('--l2', type=float, default=5e-4)
    parser.add_argument('--dropout-p', type=float, default=0.5)
    parser.add_argument('--hidden-dim', type=int, default=16)
    parser.add_argument('--include-bias', action='store_true', default=False)
    parser.add_argument('--dense', action='store_true', default=False, help='dense adjacency')
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--verbose', action='store_true', default=False)
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')

    features, labels, adj_mat = synthetic_graph(dense=args.dense)
    features, labels, adj_mat = features.to(device), labels.to(device), adj_mat.to(device)
    idx = torch.from_numpy(np.random.default_rng(1).permutation(len(labels))).to(device)
    idx_test, idx_val, idx_train = idx[:20], idx[20:30], idx[30:]

    gcn = GCN(features.shape[1], args.hidden_dim, labels.max().item() + 1, args.include_bias, args.dropout_p).to(device)
    if init is not None:
        init({"gcn": gcn})
    optimizer = Adam(gcn.parameters(), lr=args.lr, weight_decay=args.l2)
    criterion = nn.NLLLoss()

    losses = []
    for epoch in range(args.epochs):
        gcn.train()
        optimizer.zero_grad()
        output = gcn(features, adj_mat)
        loss = criterion(output[idx_train], labels[idx_train])
        loss.backward()
        optimizer.step()
        loss_train, acc_train = test(gcn, criterion, (features, adj_mat), labels, idx_train)
        loss_val, acc_val = test(gcn, criterion, (features, adj_mat), labels, idx_val)
        losses += [loss.item(), loss_train, loss_val]
        if args.verbose:
            print(f'Epoch: {epoch + 1:04d} loss_train: {loss_train:.4f} acc_train: {acc_train:.4f} '
                  f'loss_val: {loss_val:.4f} acc_val: {acc_val:.4f}')
    loss_test, acc_test = test(gcn, criterion, (features, adj_mat), labels, idx_test)
    losses.append(loss_test)
    return losses


if __name__ == '__main__':
    print(main())
