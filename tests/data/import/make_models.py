#!/usr/bin/python3
"""Write the small ONNX models of tests/kernels/test_import.c (run with Debian's python3-onnx:
/usr/bin/python3 tests/data/import/make_models.py [OUTDIR], default this folder; the test suite
regenerates them into a temporary folder and compares the bytes).  Weights are zeros: only shapes matter to
sipsim, and zeros keep the files small and the output byte-identical run to run.  The op and
MAC counts the tests expect are worked out by hand in test_import.c."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
F = TensorProto.FLOAT


def w(name, *shape):
    return numpy_helper.from_array(np.zeros(shape, dtype=np.float32), name)


def i64(name, *values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def save(graph, name, opset=17):
    model = helper.make_model(graph, producer_name="sipsim-tests",
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, name))
    return model


def mlp():
    # x [4, 16] -> MatMul W1 [16, 32] -> Add b1 -> Relu -> Gemm W2 [32, 8] + c -> Softmax
    nodes = [
        helper.make_node("MatMul", ["x", "W1"], ["h"], name="fc1"),
        helper.make_node("Add", ["h", "b1"], ["hb"], name="fc1_bias"),
        helper.make_node("Relu", ["hb"], ["r"], name="relu"),
        helper.make_node("Gemm", ["r", "W2", "c"], ["y"], name="fc2"),
        helper.make_node("Softmax", ["y"], ["p"], name="softmax", axis=-1),
    ]
    g = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", F, [4, 16])],
                          [helper.make_tensor_value_info("p", F, [4, 8])],
                          [w("W1", 16, 32), w("b1", 32), w("W2", 32, 8), w("c", 8)])
    save(g, "mlp.onnx")


def block():
    # One pre-norm transformer block, symbolic batch: S = 8 tokens, hidden 32, 4 heads of 8,
    # FFN 64.  Attention is MatMul(Q, K^T) / sqrt(8) -> Softmax -> MatMul(., V).
    n = helper.make_node
    nodes = [
        n("LayerNormalization", ["x", "gamma", "beta"], ["ln"], name="ln1", axis=-1),
        n("MatMul", ["ln", "Wq"], ["q"], name="q_proj"),
        n("MatMul", ["ln", "Wk"], ["k"], name="k_proj"),
        n("MatMul", ["ln", "Wv"], ["v"], name="v_proj"),
        n("Reshape", ["q", "heads_shape"], ["q4"], name="q_split"),
        n("Transpose", ["q4"], ["qh"], name="q_heads", perm=[0, 2, 1, 3]),
        n("Reshape", ["k", "heads_shape"], ["k4"], name="k_split"),
        n("Transpose", ["k4"], ["kt"], name="k_heads_t", perm=[0, 2, 3, 1]),
        n("Reshape", ["v", "heads_shape"], ["v4"], name="v_split"),
        n("Transpose", ["v4"], ["vh"], name="v_heads", perm=[0, 2, 1, 3]),
        n("MatMul", ["qh", "kt"], ["scores"], name="qk"),
        n("Div", ["scores", "sqrt_d"], ["scaled"], name="scale"),
        n("Softmax", ["scaled"], ["probs"], name="attn_softmax", axis=-1),
        n("MatMul", ["probs", "vh"], ["ctx"], name="pv"),
        n("Transpose", ["ctx"], ["ctx_t"], name="merge_t", perm=[0, 2, 1, 3]),
        n("Reshape", ["ctx_t", "merge_shape"], ["ctx2"], name="merge"),
        n("MatMul", ["ctx2", "Wo"], ["o"], name="o_proj"),
        n("Add", ["o", "x"], ["res1"], name="residual1"),
        n("MatMul", ["res1", "W1"], ["f1"], name="ffn_up"),
        n("Relu", ["f1"], ["f1r"], name="ffn_act"),
        n("MatMul", ["f1r", "W2"], ["f2"], name="ffn_down"),
        n("Add", ["f2", "res1"], ["y"], name="residual2"),
    ]
    init = [w("gamma", 32), w("beta", 32), w("Wq", 32, 32), w("Wk", 32, 32), w("Wv", 32, 32),
            w("Wo", 32, 32), w("W1", 32, 64), w("W2", 64, 32),
            numpy_helper.from_array(np.array(8.0 ** 0.5, dtype=np.float32), "sqrt_d"),
            i64("heads_shape", 0, 0, 4, 8), i64("merge_shape", 0, 0, 32)]
    g = helper.make_graph(nodes, "block",
                          [helper.make_tensor_value_info("x", F, ["batch", 8, 32])],
                          [helper.make_tensor_value_info("y", F, ["batch", 8, 32])], init)
    save(g, "block.onnx")


def cnn():
    # x [1, 3, 32, 32] -> Conv 3x3 pad 1 (8 filters) + bias -> BatchNorm -> Relu -> MaxPool 2x2
    # -> depthwise Conv 3x3 stride 2 pad 1 (group 8) -> GlobalAveragePool -> Flatten -> Gemm 10
    n = helper.make_node
    nodes = [
        n("Conv", ["x", "Wc", "bc"], ["c1"], name="conv1", kernel_shape=[3, 3],
          pads=[1, 1, 1, 1]),
        n("BatchNormalization", ["c1", "s", "b", "mean", "var"], ["bn"], name="bn1"),
        n("Relu", ["bn"], ["r1"], name="relu1"),
        n("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
        n("Conv", ["p1", "Wd"], ["c2"], name="dwconv", group=8, kernel_shape=[3, 3],
          strides=[2, 2], pads=[1, 1, 1, 1]),
        n("GlobalAveragePool", ["c2"], ["gap"], name="gap"),
        n("Flatten", ["gap"], ["flat"], name="flatten"),
        n("Gemm", ["flat", "Wf", "bf"], ["logits"], name="fc", transB=1),
    ]
    init = [w("Wc", 8, 3, 3, 3), w("bc", 8), w("s", 8), w("b", 8), w("mean", 8), w("var", 8),
            w("Wd", 8, 1, 3, 3), w("Wf", 10, 8), w("bf", 10)]
    g = helper.make_graph(nodes, "cnn", [helper.make_tensor_value_info("x", F, [1, 3, 32, 32])],
                          [helper.make_tensor_value_info("logits", F, [1, 10])], init)
    save(g, "cnn.onnx")


def slice_models():
    # Slice's output shape comes from value_info (onnx.shape_inference), which this reader
    # requires for Slice: one file with it, one without.
    n = helper.make_node
    nodes = [n("Slice", ["x", "starts", "ends", "axes"], ["xs"], name="take_two"),
             n("MatMul", ["xs", "W"], ["y"], name="fc")]
    g = helper.make_graph(nodes, "slice", [helper.make_tensor_value_info("x", F, [4, 16])],
                          [helper.make_tensor_value_info("y", F, [2, 8])],
                          [i64("starts", 0), i64("ends", 2), i64("axes", 0), w("W", 16, 8)])
    m = save(g, "slice_no_vi.onnx")
    onnx.save(onnx.shape_inference.infer_shapes(m), os.path.join(HERE, "slice_vi.onnx"))


def bad_models():
    n = helper.make_node
    # An operator this reader does not know (the error names the node).
    g = helper.make_graph([n("MatMul", ["x", "W"], ["h"], name="fc"),
                           n("Hardmax", ["h"], ["y"], name="odd_op")], "bad_op",
                          [helper.make_tensor_value_info("x", F, [4, 16])],
                          [helper.make_tensor_value_info("y", F, [4, 8])], [w("W", 16, 8)])
    save(g, "bad_op.onnx")
    # Inner dimensions that do not match (16 x 9): the checker does not infer shapes.
    g = helper.make_graph([n("MatMul", ["x", "W"], ["y"], name="mismatch")], "bad_shape",
                          [helper.make_tensor_value_info("x", F, [4, 16])],
                          [helper.make_tensor_value_info("y", F, [4, 8])], [w("W", 9, 8)])
    save(g, "bad_shape.onnx")
    # A graph input of 2^80 elements: refused before any size arithmetic can overflow.
    g = helper.make_graph([n("MatMul", ["x", "W"], ["y"], name="huge")], "bad_huge",
                          [helper.make_tensor_value_info("x", F, [2 ** 40, 2 ** 40])],
                          [helper.make_tensor_value_info("y", F, [2 ** 40, 8])],
                          [w("W", 2 ** 0, 8)])
    save(g, "bad_huge.onnx")


if __name__ == "__main__":
    mlp()
    block()
    cnn()
    slice_models()
    bad_models()
