"""The APIs added with optim.swa_utils (AveragedModel, SWALR, update_bn),
set_printoptions, autograd.Variable and nn.DataParallel, in one PyTorch script run
twice: by PyTorch and by `python -m autograd_lite.as_torch`; the printed text is the same."""
import os
import subprocess
import sys
import textwrap

SCRIPT = """
import torch
import torch.nn as nn
from torch.autograd import Variable
from torch.optim.swa_utils import SWALR, AveragedModel, get_ema_multi_avg_fn, update_bn

model = nn.DataParallel(nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1)))
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.linspace(-1, 1, p.numel()).reshape(p.shape) * (i + 1) / 3)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
swa = AveragedModel(model)
ema = torch.optim.swa_utils.AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.9), use_buffers=True)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
swa_sched = SWALR(opt, swa_lr=0.05, anneal_epochs=2, anneal_strategy="linear")
data = [torch.linspace(-2, 2 + k, 24).reshape(8, 3).sin() for k in range(3)]
for epoch in range(6):
    for x in data:
        opt.zero_grad()
        model(Variable(x)).pow(2).mean().backward()
        opt.step()
    if epoch >= 3:
        swa.update_parameters(model)
        ema.update_parameters(model)
        swa_sched.step()
    else:
        sched.step()
    print(epoch, [round(g["lr"], 8) for g in opt.param_groups])
update_bn(data, swa)
print(int(swa.n_averaged), int(ema.n_averaged), list(swa.state_dict()), isinstance(x, Variable))
torch.set_printoptions(precision=3)
print(swa.module.module[1].running_mean, ema.module.module[0].weight)
torch.set_printoptions(sci_mode=True, linewidth=50)
print(swa(data[0]).detach(), swa(data[0]).grad_fn is not None)
torch.set_printoptions(profile="short")
print(torch.arange(2000).reshape(40, 50) * 1.5)
torch.set_printoptions(profile="default")
print(torch.tensor([1e-5, 3.0]), torch.arange(1001))
"""


def _run(tmp_path, *prefix):
    path = tmp_path / "script.py"
    path.write_text(textwrap.dedent(SCRIPT))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    return subprocess.run([sys.executable, *prefix, str(path)], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=300)


def test_the_script_prints_the_same_in_both(tmp_path):
    theirs = _run(tmp_path)
    ours = _run(tmp_path, "-m", "autograd_lite.as_torch")
    assert theirs.returncode == 0, theirs.stderr
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout
