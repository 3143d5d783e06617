#!/usr/bin/python3
"""Makes one-node ONNX models for the `int8-levers` benchmark section: ONNX Runtime's com.microsoft.DynamicQuantizeMatMul
for each of ViT-B/16's four block GEMM shapes (qkv 768->2304, proj 768->768, fc1 768->3072, fc2 3072->768), as ORT's
quantize_dynamic and ShapedVit.Onnx write them: input X [rows, in] float32 (rows dynamic), B int8 [in, out] quantized per
output column (symmetric, zero point 0, scale = max|W| / 127), the float32 bias added. Weights: seeded normal * 0.02.

Writes OUT/{qkv,proj,fc1,fc2}.onnx (default artifacts/int8-gemm-onnx). Needs Debian's python3-onnx and numpy.
Usage: /usr/bin/python3 benchmarks/ShapedVit.Benchmarks/make_int8_gemm_models.py [OUT]
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "artifacts", "int8-gemm-onnx")
SHAPES = {"qkv": (768, 2304), "proj": (768, 768), "fc1": (768, 3072), "fc2": (3072, 768)}

os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20261208)
for name, (k, n) in SHAPES.items():
    w = (rng.standard_normal((n, k)) * 0.02).astype(np.float32)
    scale = np.abs(w).max(axis=1) / 127.0
    q = np.clip(np.round(w / scale[:, None]), -127, 127).astype(np.int8)
    bias = (rng.standard_normal(n) * 0.02).astype(np.float32)
    inits = [
        numpy_helper.from_array(np.ascontiguousarray(q.T), "B"),
        numpy_helper.from_array(scale.astype(np.float32), "b_scale"),
        numpy_helper.from_array(np.zeros(n, np.int8), "b_zero_point"),
        numpy_helper.from_array(bias, "bias"),
    ]
    node = helper.make_node("DynamicQuantizeMatMul", ["X", "B", "b_scale", "b_zero_point", "bias"], ["Y"], domain="com.microsoft")
    graph = helper.make_graph([node], name,
                              [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["rows", k])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["rows", n])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 8
    onnx.save(model, os.path.join(OUT, name + ".onnx"))
    print(os.path.join(OUT, name + ".onnx"))
