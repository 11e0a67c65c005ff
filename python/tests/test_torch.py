"""TransformerBlock against PyTorch's equivalent on the same weights.
PyTorch is optional: without it this test is skipped and says why."""
import numpy as np
import pytest

import weft
from conftest import assert_close

torch = pytest.importorskip("torch", reason="PyTorch is not installed "
                            "(optional; pip install torch to run this check)")


def test_transformer_block_matches_torch(rng):
    weft.manual_seed(0)
    blk = weft.nn.TransformerBlock(32, 4, 64)
    sd = {k: torch.tensor(v, dtype=torch.float64)
          for k, v in blk.state_dict().items()}
    x = rng.standard_normal((2, 6, 32)).astype(np.float32)
    t = torch.tensor(x, dtype=torch.float64)
    tf = torch.nn.functional

    def lin(h, p):
        return tf.linear(h, sd[p + "weight"], sd[p + "bias"])

    h = tf.layer_norm(t, (32,), sd["ln1.weight"], sd["ln1.bias"])
    q, k, v = (lin(h, f"attn.{n}.").view(2, 6, 4, 8).transpose(1, 2)
               for n in "qkv")
    o = tf.scaled_dot_product_attention(q, k, v)
    t = t + lin(o.transpose(1, 2).reshape(2, 6, 32), "attn.o.")
    m = tf.layer_norm(t, (32,), sd["ln2.weight"], sd["ln2.bias"])
    ref = t + lin(tf.gelu(lin(m, "mlp.fc1.")), "mlp.fc2.")
    assert_close(weft.compile(blk, x)(x), ref.numpy())
