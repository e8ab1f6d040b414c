"""Digit Lab's engine: data, the three MNIST models, training, fast inference,
convolution and pooling filters, safe image loading and the command line.

Plain Python, numpy, Pillow and TensorFlow; no Qt. Importing this package is
cheap: TensorFlow is loaded only by the modules that need it, through
:func:`engine.tf_runtime.import_tensorflow`.
"""

__all__ = ["MODEL_KINDS", "MODEL_NAMES"]

#: The three model kinds of the lesson, in the order the app shows them.
MODEL_KINDS = ("multinomial", "dnn", "cnn")
#: How the app names each kind to the user (charts, captions, menus).
MODEL_NAMES = {"multinomial": "Multinomial", "dnn": "DNN", "cnn": "CNN"}
