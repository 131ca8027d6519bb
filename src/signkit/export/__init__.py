"""Trained runs out of PyTorch: ONNX export (fp32 and int8) and an onnxruntime runner that needs
no torch (``runner``; ``onnx`` and ``quantize`` are the torch side)."""
