"""``digitlab filter PHOTO``: the lesson's tf.nn.conv2d and tf.nn.max_pool on a photo."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

DEFAULT_KERNEL = "vertical edge (lesson)"
#: ``--kernel cnn``: the shipped CNN's 32 first-layer kernels, 32 feature maps.
CNN_KERNELS = "cnn"


def add_parser(sub) -> None:
    p = sub.add_parser(
        "filter", help="convolve a photo with kernels, then max-pool",
        description="Slice one channel of PHOTO as (1, H, W, 1), run tf.nn.conv2d with the "
        "kernels, then tf.nn.max_pool, and print the shapes at each step. Defaults are the "
        "lesson's: red channel, vertical-edge kernel, stride 1, VALID, 3x3 pool with stride 3.")
    p.add_argument("photo", metavar="PHOTO", nargs="?",
                   help="JPEG, PNG, BMP, GIF, WebP or TIFF file")
    p.add_argument("--kernel", action="append", metavar="PRESET_OR_ROWS",
                   help="a preset name (see --list-kernels), 'lesson filters 1-3' for the "
                   "lesson's three filters at once (3 feature maps), 'cnn' for the trained "
                   "CNN's 32 first-layer kernels, or rows like '-1,0,1;-1,0,1;-1,0,1'; repeat "
                   "for several output channels (default: the lesson's vertical edge)")
    p.add_argument("--stride", type=int, default=1, help="convolution stride (default 1)")
    p.add_argument("--padding", type=str.lower, choices=("valid", "same"), default="valid")
    p.add_argument("--channel", type=str.lower,
                   choices=("red", "green", "blue", "mean", "gray"), default="red",
                   help="which channel of the photo to filter: red (the lesson's, default), "
                   "green, blue, mean (the lesson's grey image, (R+G+B)/3) or gray (luminance)")
    p.add_argument("--pool", type=int, default=3, help="max-pool window side (default 3)")
    p.add_argument("--pool-stride", type=int, help="max-pool stride (default: the window side)")
    p.add_argument("--pool-padding", type=str.lower, choices=("valid", "same"), default="valid")
    p.add_argument("--output", metavar="FIGURE.png",
                   help="write the figure: original | feature map(s) | pooled map(s)")
    p.add_argument("--arrays", metavar="RESULT.npz",
                   help="save the arrays 'conv' (1, H', W', C) and 'pool' (1, H'', W'', C) "
                   "with numpy.savez")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--list-kernels", action="store_true", help="list the preset kernels and exit")
    p.set_defaults(filter_parser=p)


def run(args: argparse.Namespace) -> int:
    from digitlab.engine.filter_figure import render_figure  # noqa: PLC0415
    from digitlab.engine.filters import (  # noqa: PLC0415 - keep `digitlab --help` fast
        KERNEL_PRESETS,
        FilterSettings,
        apply_filter,
    )
    from digitlab.engine.images import extract_channel, load_photo  # noqa: PLC0415
    from digitlab.engine.kernels import KERNEL_SETS, resolve_kernels  # noqa: PLC0415

    if args.list_kernels:
        for name, kernel in KERNEL_PRESETS.items():
            rows = ";".join(",".join(f"{v:.4g}" for v in row) for row in kernel)
            print(f"{name:<24} {kernel.shape[0]}x{kernel.shape[1]}  {rows}")
        for name, members in KERNEL_SETS.items():
            print(f"{name:<24} 3x3   {', '.join(members)} together ({len(members)} maps)")
        print(f"{CNN_KERNELS:<24} 3x3   the shipped CNN's 32 first-layer kernels (32 maps)")
        return 0
    if args.photo is None:
        args.filter_parser.error("the following arguments are required: PHOTO")

    # Settings and kernels first: a typo fails at once, before the photo is decoded.
    settings = FilterSettings(stride=args.stride, padding=args.padding, pool=args.pool,
                              pool_stride=args.pool_stride, pool_padding=args.pool_padding)
    specs = args.kernel or [DEFAULT_KERNEL]
    kernels = []
    for spec in specs:
        if spec.strip().lower() == CNN_KERNELS:
            kernels.extend(_cnn_kernels())
        else:
            kernels.extend(resolve_kernels(spec))
    photo = load_photo(args.photo)
    channel = extract_channel(photo.rgb, args.channel)
    result = apply_filter(channel, kernels, settings)

    if args.output:
        render_figure(channel, result).save(args.output)
    if args.arrays:
        import numpy as np  # noqa: PLC0415

        np.savez(args.arrays, conv=result.conv[None], pool=result.pooled[None])

    summary = {
        "input_shape": list(result.input_shape),
        "kernel_shape": list(result.kernel_shape),
        "conv_shape": list(result.conv_shape),
        "pool_shape": list(result.pool_shape),
        "photo": str(args.photo),
        "channel": args.channel,
        "kernels": specs,
        "stride": settings.stride,
        "padding": settings.padding,
        "pool": settings.pool,
        "pool_stride": settings.effective_pool_stride,
        "pool_padding": settings.pool_padding,
        "downscaled": photo.downscaled,
        "original_size": list(photo.original_size),
    }
    if args.json:
        print(json.dumps(summary))
        return 0
    width, height = photo.size
    note = (f", downscaled from {photo.original_size[0]}x{photo.original_size[1]}"
            if photo.downscaled else "")
    print(f"photo     {Path(args.photo).name} ({width}x{height}{note}), {args.channel} channel")
    print(f"input     {result.input_shape}")
    print(f"kernel    {result.kernel_shape}  {', '.join(specs)}")
    print(f"conv2d    {result.conv_shape}  stride {settings.stride}, {settings.padding}")
    print(f"max_pool  {result.pool_shape}  {settings.pool}x{settings.pool}, "
          f"stride {settings.effective_pool_stride}, {settings.pool_padding}")
    if args.output:
        print(f"figure    {args.output}")
    if args.arrays:
        print(f"arrays    {args.arrays}")
    return 0


def _cnn_kernels() -> list:
    """The shipped CNN's conv1 kernels, one (3, 3) array per feature map."""
    from digitlab.engine.learned import cnn_first_layer  # noqa: PLC0415
    from digitlab.engine.models import load_model, shipped_model_path  # noqa: PLC0415

    model, _ = load_model(shipped_model_path("cnn"), expected_kind="cnn")
    return list(cnn_first_layer(model))
