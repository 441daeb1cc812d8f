"""The autoencoder example runs end to end and reports what it learned."""
import pytest

pytest.importorskip("sklearn")

from autograd_lite.examples import autoencoders  # noqa: E402


def test_example_trains_every_variant_and_saves_a_picture(tmp_path, capsys):
    results = autoencoders.main(["--epochs", "4", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert set(results) == set(autoencoders.VARIANTS)
    for before, after in results.values():
        assert after < before
    assert out.count("test reconstruction MSE") == len(autoencoders.VARIANTS)
    assert "input            reconstruction" in out
    if "saved reconstructions" in out:
        assert (tmp_path / "autoencoder_reconstructions.png").read_bytes()[:4] == b"\x89PNG"


def test_ascii_digit_is_eight_lines_of_sixteen():
    lines = autoencoders.ascii_digit([0.0] * 63 + [1.0])
    assert len(lines) == 8 and all(len(line) == 16 for line in lines)
    assert lines[-1].endswith("@@") and lines[0] == " " * 16
