"""``digitlab filter PHOTO``: the lesson's tf.nn.conv2d and tf.nn.max_pool on a photo."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

DEFAULT_KERNEL = "vertical edge (lesson)"
#: ``--kernel cnn``: the shipped CNN's 32 first-layer kernels, 32 feature maps.
CNN_KERNELS = "cnn"
_NUMBERS_WORD = re.compile(r"^-\.?\d[\d\s.,;/eE+\-\[\]]*$")


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
    # Kernel rows such as '-1,0,1;-1,0,1;-1,0,1' (the form --help shows) start with '-',
    # and argparse takes such a word for an unknown option ("expected one argument").
    # No option of this parser looks like a number, so a word made only of numbers and
    # separators is a value: the rule argparse already applies to '-1' or '-.5'.
    p._negative_number_matcher = _NUMBERS_WORD


def run(args: argparse.Namespace) -> int:
    from digitlab.engine.filter_figure import render_figure  # noqa: PLC0415
    from digitlab.engine.filters import (  # noqa: PLC0415 - keep `digitlab --help` fast
        KERNEL_PRESETS,
        FilterSettings,
        apply_filter,
    )
    from digitlab.engine.images import extract_channel, load_photo  # noqa: PLC0415
    from digitlab.engine.kernels import (  # noqa: PLC0415
        KERNEL_SETS,
        resolve_kernels,
        side_for_feature_budget,
    )
    from digitlab.engine.strict_json import dumps_json  # noqa: PLC0415

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

    # Settings, kernels and outputs first: a typo or an unwritable folder fails at
    # once, before the photo is decoded.
    settings = FilterSettings(stride=args.stride, padding=args.padding, pool=args.pool,
                              pool_stride=args.pool_stride, pool_padding=args.pool_padding)
    specs = args.kernel or [DEFAULT_KERNEL]
    kernels = _resolve_all(specs, resolve_kernels)
    outputs = _check_outputs(args)
    photo = load_photo(args.photo)
    channel = extract_channel(photo.rgb, args.channel)
    side = side_for_feature_budget(channel.shape, len(kernels))
    if side is not None:  # many kernels: every one makes a full-size map, so reduce the photo
        photo = load_photo(args.photo, max_side=side)
        channel = extract_channel(photo.rgb, args.channel)
    _check_pool(channel.shape, kernels, settings)
    result = apply_filter(channel, kernels, settings)
    _check_finite(result)
    _write_outputs(outputs, lambda: render_figure(channel, result), result)

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
        **{name: str(path) for name, path in outputs.items()},
    }
    if args.json:
        print(dumps_json(summary))
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
    if "figure" in outputs:
        print(f"figure    {outputs['figure']}")
    if "arrays" in outputs:
        print(f"arrays    {outputs['arrays']}")
    return 0


def _resolve_all(specs: list[str], resolve_kernels) -> list:
    """Every kernel the ``--kernel`` options name, refusing too many before building them."""
    from digitlab.engine.kernels import check_kernel_count  # noqa: PLC0415

    kernels: list = []
    cnn = None
    for spec in specs:
        if spec.strip().lower() == CNN_KERNELS:
            check_kernel_count(len(kernels) + CNN_MAPS)
            cnn = cnn if cnn is not None else _cnn_kernels()  # loaded once, however often named
            kernels.extend(cnn)
        else:
            kernels.extend(resolve_kernels(spec))
        check_kernel_count(len(kernels))
    return kernels


def _check_outputs(args) -> dict[str, Path]:
    """The files ``--output`` and ``--arrays`` will write, checked before any work.

    Returns:
        ``{"figure": path, "arrays": path}`` for those asked; ``arrays`` carries the
        ``.npz`` suffix ``numpy.savez`` adds, so the name reported is the name written.
    """
    from PIL import Image  # noqa: PLC0415

    from digitlab.engine.safe_writes import check_writable_folder  # noqa: PLC0415

    outputs: dict[str, Path] = {}
    if args.output:
        figure = Path(args.output).expanduser()
        if figure.suffix.lower() not in Image.registered_extensions():
            raise ValueError(
                f"{figure}: unknown image type {figure.suffix or '(no suffix)'!r} for the "
                "figure; use .png (or .jpg, .webp, .tif)")
        outputs["figure"] = figure
    if args.arrays:
        arrays = Path(args.arrays).expanduser()
        if arrays.suffix != ".npz":
            arrays = arrays.with_name(arrays.name + ".npz")
        outputs["arrays"] = arrays
    photo = Path(args.photo).expanduser().resolve()
    resolved = {name: path.resolve() for name, path in outputs.items()}
    if len(set(resolved.values())) < len(resolved):
        raise ValueError(f"{outputs['figure']}: --output and --arrays name the same file")
    for name, path in outputs.items():
        if resolved[name] == photo:
            raise ValueError(f"{path}: is the photo itself; choose another output file")
        check_writable_folder(path, "figure" if name == "figure" else "arrays")
    return outputs


def _write_outputs(outputs: dict[str, Path], make_figure, result) -> None:
    """Write the figure and the arrays both or neither: temporaries first, then renames."""
    import numpy as np  # noqa: PLC0415

    from digitlab.engine.safe_writes import temp_path_beside, user_permissions  # noqa: PLC0415

    temps: dict[str, Path] = {}
    try:
        for name, path in outputs.items():
            tmp = temps[name] = temp_path_beside(path, suffix=path.suffix)
            try:
                if name == "figure":
                    make_figure().save(tmp, format=_pil_format(path))
                else:
                    with open(tmp, "wb") as fh:
                        np.savez(fh, conv=result.conv[None], pool=result.pooled[None])
                os.chmod(tmp, user_permissions())
            except OSError as exc:
                raise OSError(f"{path}: cannot write ({exc.strerror or exc})") from None
        for name, path in outputs.items():
            os.replace(temps[name], path)
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)


def _pil_format(path: Path) -> str:
    from PIL import Image  # noqa: PLC0415

    return Image.registered_extensions()[path.suffix.lower()]


def _check_pool(image_hw, kernels, settings) -> None:
    """Refuse a pool that would run for minutes, before TensorFlow starts on it."""
    from digitlab.engine.filters import output_size  # noqa: PLC0415
    from digitlab.engine.kernels import check_pool_work  # noqa: PLC0415

    kh, kw = (len(kernels[0]), len(kernels[0][0])) if kernels else (1, 1)
    ch = output_size(image_hw[0], kh, settings.stride, settings.padding)
    cw = output_size(image_hw[1], kw, settings.stride, settings.padding)
    if ch >= 1 and cw >= 1:  # otherwise apply_filter explains that the kernel does not fit
        check_pool_work((ch, cw), settings.pool, settings.effective_pool_stride,
                        settings.pool_padding, len(kernels))


def _check_finite(result) -> None:
    """Refuse a result that overflowed float32 (e.g. kernel values near 3e38)."""
    import numpy as np  # noqa: PLC0415

    from digitlab.engine.kernels import FilterError  # noqa: PLC0415

    if not (np.isfinite(result.conv).all() and np.isfinite(result.pooled).all()):
        raise FilterError(
            "The feature map overflows float32 (values beyond 3.4e38): the kernel's values "
            "are too large for this photo; use smaller kernel values.")


#: How many feature maps ``--kernel cnn`` adds.
CNN_MAPS = 32


def _cnn_kernels() -> list:
    """The shipped CNN's conv1 kernels, one (3, 3) array per feature map."""
    from digitlab.engine.learned import cnn_first_layer  # noqa: PLC0415
    from digitlab.engine.models import load_model, shipped_model_path  # noqa: PLC0415

    model, _ = load_model(shipped_model_path("cnn"), expected_kind="cnn")
    return list(cnn_first_layer(model))
